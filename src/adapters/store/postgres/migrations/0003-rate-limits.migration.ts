/**
 * Rate-limit buckets and invalid-key counts shared by every node (src/ports/rate-store.port.ts),
 * as SQLite's 0005. Both are hot and may be lost without harm (a bucket starts full), so they
 * are UNLOGGED: no WAL write per request, emptied after a PostgreSQL crash, not replicated.
 * Blocks and bans stay in the logged `ip_bans` (0001).
 */
export const pgMigration0003 = {
  version: 3,
  name: 'rate-limits',
  sql: `
CREATE UNLOGGED TABLE rate_buckets (
  bucket_key  TEXT    PRIMARY KEY,
  tokens      DOUBLE PRECISION NOT NULL,
  at          BIGINT  NOT NULL,
  -- Whether the last take got a token: RETURNING sees only the new row, and tokens alone
  -- cannot say (0.5 left is an allowed take from 1.5 or a refused one from 0.5).
  allowed     BOOLEAN NOT NULL
);
CREATE UNLOGGED TABLE ip_failures (
  ip          TEXT    PRIMARY KEY,
  count       INTEGER NOT NULL,
  since       BIGINT  NOT NULL
);
CREATE INDEX ip_failures_since ON ip_failures (since);
`,
};
