/**
 * Reverse face search sessions (src/ports/search-session-store.port.ts), shared by every node
 * so a search uploaded through one can be started and polled through another. The record is
 * one row; its photos, previews and result (JSON text as UTF-8) are rows of their own table,
 * removed with it by cascade. A delete removes the rows at once; PostgreSQL reclaims their
 * space (TOAST included) at the next (auto)VACUUM, as for any deleted row.
 *
 * The bytes are JPEG/PNG/WEBP already, so they are stored EXTERNAL: out of line without the
 * compression attempt that would only cost CPU.
 */
export const pgMigration0008 = {
  version: 8,
  name: 'search-sessions',
  sql: `
CREATE TABLE search_sessions (
  id          TEXT    PRIMARY KEY,
  account_id  TEXT    NOT NULL,
  created_at  BIGINT  NOT NULL,
  expires_at  BIGINT  NOT NULL,
  job_id      TEXT,
  index_name  TEXT,
  demo        BOOLEAN NOT NULL DEFAULT false,
  photo_ids   TEXT[]  NOT NULL
);
CREATE INDEX search_sessions_expiry ON search_sessions (expires_at);

CREATE TABLE search_session_blobs (
  session_id  TEXT    NOT NULL REFERENCES search_sessions (id) ON DELETE CASCADE,
  kind        TEXT    NOT NULL CHECK (kind IN ('photo', 'preview', 'result')),
  n           INTEGER NOT NULL,
  bytes       BYTEA   NOT NULL,
  PRIMARY KEY (session_id, kind, n)
);
ALTER TABLE search_session_blobs ALTER COLUMN bytes SET STORAGE EXTERNAL;
`,
};
