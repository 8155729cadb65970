/**
 * Search indexes: galleries of kind "search index" (`search_indexes`, one row per such
 * gallery, one of them the account's default), whose faces carry where they were found
 * (`search_index_faces`: source URL, group, stable guid, the face's box in its source image
 * and a small WEBP thumbnail; gone with the face). `opt_outs` keeps the one template of each
 * person who asked to be removed, so later indexing skips their faces.
 */
export const migration0008 = {
  version: 8,
  name: 'search-index',
  sql: `
CREATE TABLE search_indexes (
  gallery_id  INTEGER PRIMARY KEY REFERENCES galleries(id) ON DELETE CASCADE,
  account_id  TEXT    NOT NULL,
  is_default  INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE search_index_faces (
  face_id     INTEGER PRIMARY KEY REFERENCES faces(id) ON DELETE CASCADE,
  gallery_id  INTEGER NOT NULL,
  url         TEXT    NOT NULL,
  grp         INTEGER NOT NULL,
  guid        TEXT    NOT NULL,
  face_index  INTEGER NOT NULL,
  x1 REAL, y1 REAL, x2 REAL, y2 REAL,
  webp        BLOB
);
CREATE INDEX search_index_faces_gallery ON search_index_faces (gallery_id, face_id);
CREATE INDEX search_index_faces_url ON search_index_faces (gallery_id, url);
CREATE TABLE opt_outs (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id  TEXT    NOT NULL,
  model_key   TEXT    NOT NULL,
  vector      BLOB    NOT NULL,
  reference   TEXT,
  created_at  INTEGER NOT NULL
);
CREATE INDEX opt_outs_account ON opt_outs (account_id, model_key);
`,
};
