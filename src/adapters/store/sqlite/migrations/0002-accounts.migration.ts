/**
 * Accounts, API keys (hashes only), the monthly credit ledger, the audit log and IP bans. In the
 * same database file as the galleries so a fresh `npm start` needs no setup. The ledger keeps one
 * row per account and month: spending is a single conditional UPDATE, atomic in SQLite.
 */
export const migration0002 = {
  version: 2,
  name: 'accounts',
  sql: `
CREATE TABLE accounts (
  id               TEXT    PRIMARY KEY,
  -- NULL: unlimited.
  monthly_credits  INTEGER,
  created_at       INTEGER NOT NULL
);
INSERT INTO accounts (id, monthly_credits, created_at)
  SELECT DISTINCT account_id, NULL, CAST(strftime('%s','now') AS INTEGER) * 1000 FROM galleries;

CREATE TABLE api_keys (
  id           TEXT    PRIMARY KEY,
  account_id   TEXT    NOT NULL REFERENCES accounts(id),
  name         TEXT    NOT NULL,
  kind         TEXT    NOT NULL CHECK (kind IN ('token', 'password')),
  secret_hash  TEXT    NOT NULL,
  login        TEXT    UNIQUE,
  scopes       TEXT    NOT NULL,
  allow_ips    TEXT    NOT NULL DEFAULT '[]',
  rate_per_sec REAL,
  rate_burst   INTEGER,
  expires_at   INTEGER,
  revoked_at   INTEGER,
  created_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX api_keys_secret_hash ON api_keys (secret_hash) WHERE kind = 'token';
CREATE INDEX api_keys_account ON api_keys (account_id);

CREATE TABLE credit_ledger (
  account_id  TEXT    NOT NULL,
  period      TEXT    NOT NULL,
  spent       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, period)
) WITHOUT ROWID;

CREATE TABLE credit_usage (
  account_id  TEXT    NOT NULL,
  period      TEXT    NOT NULL,
  operation   TEXT    NOT NULL,
  count       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, period, operation)
) WITHOUT ROWID;

CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at          INTEGER NOT NULL,
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
  until       INTEGER NOT NULL,
  strikes     INTEGER NOT NULL,
  reason      TEXT    NOT NULL,
  updated_at  INTEGER NOT NULL
) WITHOUT ROWID;
`,
};
