/**
 * Spent credits per account, UTC day and operation, for usage charts. Written in the same
 * transaction as the monthly ledger (credit_ledger, credit_usage), so the day's counts and the
 * month's never disagree. Starts empty: spending before this migration has no day.
 */
export const migration0009 = {
  version: 9,
  name: 'daily-usage',
  sql: `
CREATE TABLE credit_usage_daily (
  account_id  TEXT    NOT NULL,
  day         TEXT    NOT NULL,
  operation   TEXT    NOT NULL,
  count       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, day, operation)
) WITHOUT ROWID;
`,
};
