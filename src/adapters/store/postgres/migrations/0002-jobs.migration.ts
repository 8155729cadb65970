/**
 * Durable jobs (src/ports/job-queue.port.ts), as SQLite's 0004: `seq` orders the queue and
 * pages the listings, `id` is the random id clients see. Payload and result are JSON text (not
 * JSONB: they go back to the client exactly as stored, key order included). The partial
 * indexes keep a claim to an index probe however many finished jobs are retained.
 */
export const pgMigration0002 = {
  version: 2,
  name: 'jobs',
  sql: `
CREATE TABLE jobs (
  seq               BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id                TEXT    NOT NULL UNIQUE,
  account_id        TEXT    NOT NULL,
  kind              TEXT    NOT NULL,
  payload           TEXT    NOT NULL,
  status            TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  progress          INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  stage             TEXT,
  result            TEXT,
  error_code        TEXT,
  error_message     TEXT,
  attempts          INTEGER NOT NULL DEFAULT 0,
  max_attempts      INTEGER NOT NULL CHECK (max_attempts >= 1),
  cancel_requested  BOOLEAN NOT NULL DEFAULT false,
  retain_ms         BIGINT  NOT NULL,
  -- A retried job is not claimed before this time.
  available_at      BIGINT  NOT NULL,
  created_at        BIGINT  NOT NULL,
  started_at        BIGINT,
  finished_at       BIGINT,
  expires_at        BIGINT,
  lease_owner       TEXT,
  lease_ms          BIGINT,
  lease_expires_at  BIGINT
);
CREATE INDEX jobs_queued ON jobs (kind, seq) WHERE status = 'queued';
CREATE INDEX jobs_running ON jobs (kind, lease_expires_at) WHERE status = 'running';
CREATE INDEX jobs_account ON jobs (account_id, seq);
CREATE INDEX jobs_expires ON jobs (expires_at) WHERE expires_at IS NOT NULL;
`,
};
