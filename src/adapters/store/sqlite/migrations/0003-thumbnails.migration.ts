/**
 * Face thumbnails, kept only for galleries that ask for them. A separate table so listings and
 * index rebuilds never read image bytes; a face's thumbnail goes with it (ON DELETE CASCADE),
 * and `faces.has_thumbnail` lets a listing say so without a join.
 */
export const migration0003 = {
  version: 3,
  name: 'thumbnails',
  sql: `
ALTER TABLE faces ADD COLUMN has_thumbnail INTEGER NOT NULL DEFAULT 0;
CREATE TABLE face_thumbnails (
  face_id  INTEGER PRIMARY KEY REFERENCES faces(id) ON DELETE CASCADE,
  jpeg     BLOB    NOT NULL
);
`,
};
