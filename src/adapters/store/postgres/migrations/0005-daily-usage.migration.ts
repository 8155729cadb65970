/** Spent credits per UTC day and operation, for the admin's usage chart (as SQLite's 0009). */
export const pgMigration0005 = {
  version: 5,
  name: 'daily-usage',
  sql: `
CREATE TABLE credit_usage_daily (
  account_id  TEXT    NOT NULL,
  day         TEXT    NOT NULL,
  operation   TEXT    NOT NULL,
  count       BIGINT  NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, day, operation)
);
`,
};
