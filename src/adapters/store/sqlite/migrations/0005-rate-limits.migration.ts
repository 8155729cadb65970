/**
 * Rate-limit buckets and invalid-key counts, so several server processes on one database can
 * share them (src/ports/rate-store.port.ts). Blocks and bans stay in `ip_bans` (0002). Both
 * tables are small and hot: one row per API key and per failing IP, keyed by it.
 */
export const migration0005 = {
  version: 5,
  name: 'rate-limits',
  sql: `
CREATE TABLE rate_buckets (
  bucket_key  TEXT    PRIMARY KEY,
  tokens      REAL    NOT NULL,
  at          INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE ip_failures (
  ip          TEXT    PRIMARY KEY,
  count       INTEGER NOT NULL,
  since       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX ip_failures_since ON ip_failures (since);
`,
};
