/**
 * Durable jobs (src/ports/job-queue.port.ts). `seq` gives the queue its order and the listings
 * their cursor; `id` is the random id clients see. Partial indexes keep a claim to one index
 * probe per kind however many finished jobs are retained. Payload and result are JSON text.
 */
export const migration0004 = {
  version: 4,
  name: 'jobs',
  sql: `
CREATE TABLE jobs (
  seq               INTEGER PRIMARY KEY AUTOINCREMENT,
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
  cancel_requested  INTEGER NOT NULL DEFAULT 0,
  retain_ms         INTEGER NOT NULL,
  -- A retried job is not claimed before this time.
  available_at      INTEGER NOT NULL,
  created_at        INTEGER NOT NULL,
  started_at        INTEGER,
  finished_at       INTEGER,
  expires_at        INTEGER,
  lease_owner       TEXT,
  lease_ms          INTEGER,
  lease_expires_at  INTEGER
);
CREATE INDEX jobs_queued ON jobs (kind, seq) WHERE status = 'queued';
CREATE INDEX jobs_running ON jobs (kind, lease_expires_at) WHERE status = 'running';
CREATE INDEX jobs_account ON jobs (account_id, seq);
CREATE INDEX jobs_expires ON jobs (expires_at) WHERE expires_at IS NOT NULL;
`,
};
