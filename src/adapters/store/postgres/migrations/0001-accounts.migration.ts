/**
 * Accounts, API keys (hashes only), the monthly credit ledger and usage, the audit log and IP
 * blocks/bans: the tables of SQLite's 0002, in PostgreSQL types. Times are BIGINT milliseconds
 * (as in SQLite), so both stores map rows the same way and a node's clock, not the server's,
 * decides, as the ports' callers expect.
 */
export const pgMigration0001 = {
  version: 1,
  name: 'accounts',
  sql: `
CREATE TABLE accounts (
  id               TEXT    PRIMARY KEY,
  -- NULL: unlimited.
  monthly_credits  BIGINT,
  created_at       BIGINT  NOT NULL
);

CREATE TABLE api_keys (
  id           TEXT    PRIMARY KEY,
  account_id   TEXT    NOT NULL REFERENCES accounts(id),
  name         TEXT    NOT NULL,
  kind         TEXT    NOT NULL CHECK (kind IN ('token', 'password')),
  secret_hash  TEXT    NOT NULL,
  login        TEXT    UNIQUE,
  scopes       TEXT    NOT NULL,
  allow_ips    TEXT    NOT NULL DEFAULT '[]',
  rate_per_sec DOUBLE PRECISION,
  rate_burst   BIGINT,
  expires_at   BIGINT,
  revoked_at   BIGINT,
  created_at   BIGINT  NOT NULL,
  -- The key is accepted only in a header, never as a form or query field (SQLite's 0007).
  header_only  BOOLEAN NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX api_keys_secret_hash ON api_keys (secret_hash) WHERE kind = 'token';
CREATE INDEX api_keys_account ON api_keys (account_id);

CREATE TABLE credit_ledger (
  account_id  TEXT    NOT NULL,
  period      TEXT    NOT NULL,
  spent       BIGINT  NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, period)
);

CREATE TABLE credit_usage (
  account_id  TEXT    NOT NULL,
  period      TEXT    NOT NULL,
  operation   TEXT    NOT NULL,
  count       BIGINT  NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, period, operation)
);

CREATE TABLE audit_log (
  id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          BIGINT  NOT NULL,
  request_id  TEXT    NOT NULL,
  account_id  TEXT    NOT NULL,
  key_id      TEXT,
  ip          TEXT    NOT NULL,
  action      TEXT    NOT NULL,
  target      TEXT,
  status      INTEGER NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_account_at ON audit_log (account_id, at);

CREATE TABLE ip_bans (
  ip          TEXT    PRIMARY KEY,
  kind        TEXT    NOT NULL CHECK (kind IN ('block', 'ban')),
  until       BIGINT  NOT NULL,
  strikes     INTEGER NOT NULL,
  reason      TEXT    NOT NULL,
  updated_at  BIGINT  NOT NULL
);
`,
};
