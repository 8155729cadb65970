/**
 * The model-agency catalogue (src/ports/catalogue-store.port.ts): agencies, models, their
 * photos (each a face of the account's catalogue gallery) and reviews, per account. Agencies'
 * model counts are not stored: they are counted from `catalogue_models` when read.
 */
export const migration0007 = {
  version: 7,
  name: 'catalogue',
  sql: `
CREATE TABLE catalogue_agencies (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id   TEXT    NOT NULL,
  title        TEXT    NOT NULL,
  mother       INTEGER NOT NULL DEFAULT 0,
  genders      TEXT    NOT NULL,
  languages    TEXT    NOT NULL,
  external_id  TEXT,
  created_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX catalogue_agencies_external ON catalogue_agencies (account_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX catalogue_agencies_account ON catalogue_agencies (account_id, id);

CREATE TABLE catalogue_models (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id   TEXT    NOT NULL,
  agency_id    INTEGER REFERENCES catalogue_agencies (id) ON DELETE SET NULL,
  name         TEXT    NOT NULL,
  gender       TEXT    NOT NULL,
  height       INTEGER,
  bust         INTEGER,
  waist        INTEGER,
  hips         INTEGER,
  shoes        INTEGER,
  eyes         TEXT,
  hair         TEXT,
  external_id  TEXT,
  created_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX catalogue_models_external ON catalogue_models (account_id, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX catalogue_models_account ON catalogue_models (account_id, id);
CREATE INDEX catalogue_models_agency ON catalogue_models (agency_id, gender);

CREATE TABLE catalogue_photos (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id   TEXT    NOT NULL,
  model_id     INTEGER NOT NULL REFERENCES catalogue_models (id) ON DELETE CASCADE,
  face_id      INTEGER NOT NULL,
  photo_hash   TEXT    NOT NULL,
  label        TEXT,
  created_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX catalogue_photos_hash ON catalogue_photos (model_id, photo_hash);
CREATE INDEX catalogue_photos_face ON catalogue_photos (account_id, face_id);

CREATE TABLE catalogue_reviews (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id   TEXT    NOT NULL,
  agency_id    INTEGER NOT NULL REFERENCES catalogue_agencies (id) ON DELETE CASCADE,
  author       TEXT    NOT NULL,
  type         TEXT    NOT NULL,
  text         TEXT    NOT NULL,
  date         INTEGER NOT NULL
);
CREATE INDEX catalogue_reviews_account ON catalogue_reviews (account_id, id);

-- A key option (vendor-neutral): refuse the key when it comes in the URL or a form field, so
-- it is accepted only in a header (URLs end up in logs and browser histories).
ALTER TABLE api_keys ADD COLUMN header_only INTEGER NOT NULL DEFAULT 0;
`,
};
