/**
 * Galleries, faces and the deletion log. Vectors are float32 little-endian BLOBs; the
 * galleries row carries the face count and the vector high-water mark (`seq`) so an index can
 * be checked against the store without scanning faces.
 */
export const migration0001 = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE galleries (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id   TEXT    NOT NULL DEFAULT 'default',
  name         TEXT    NOT NULL,
  description  TEXT    NOT NULL DEFAULT '',
  model_key    TEXT    NOT NULL,
  dimensions   INTEGER NOT NULL,
  thumbnails   INTEGER NOT NULL DEFAULT 0,
  face_count   INTEGER NOT NULL DEFAULT 0,
  seq          INTEGER NOT NULL DEFAULT 0,
  -- Deletion log entries at or below this seq have been pruned.
  pruned_seq   INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  UNIQUE (account_id, name)
);

CREATE TABLE faces (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  gallery_id   INTEGER NOT NULL REFERENCES galleries(id) ON DELETE CASCADE,
  client_id    TEXT,
  meta         TEXT,
  x1 REAL, y1 REAL, x2 REAL, y2 REAL,
  landmarks    TEXT,
  photo_hash   TEXT,
  seq          INTEGER NOT NULL,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  vector       BLOB    NOT NULL
);
CREATE UNIQUE INDEX faces_gallery_client_id ON faces (gallery_id, client_id) WHERE client_id IS NOT NULL;
CREATE INDEX faces_gallery_id ON faces (gallery_id, id);
CREATE INDEX faces_gallery_seq ON faces (gallery_id, seq);

-- Which ids left a gallery at which seq, so a saved index can catch up instead of rebuilding.
CREATE TABLE face_removals (
  gallery_id   INTEGER NOT NULL REFERENCES galleries(id) ON DELETE CASCADE,
  face_id      INTEGER NOT NULL,
  seq          INTEGER NOT NULL,
  PRIMARY KEY (gallery_id, face_id)
) WITHOUT ROWID;
CREATE INDEX face_removals_seq ON face_removals (gallery_id, seq);
`,
};
