/**
 * PostgreSQL schema versions in order (their own sequence, not SQLite's). A migration is never
 * edited once released: add the next one. The `visage_schema` table records what was applied.
 */
import { pgMigration0001 } from './0001-accounts.migration.js';
import { pgMigration0002 } from './0002-jobs.migration.js';
import { pgMigration0003 } from './0003-rate-limits.migration.js';
import { pgMigration0004 } from './0004-galleries.migration.js';
import { pgMigration0005 } from './0005-daily-usage.migration.js';
import { pgMigration0006 } from './0006-catalogue.migration.js';
import { pgMigration0007 } from './0007-search-index.migration.js';
import { pgMigration0008 } from './0008-search-sessions.migration.js';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  pgMigration0001, pgMigration0002, pgMigration0003, pgMigration0004, pgMigration0005,
  pgMigration0006, pgMigration0007, pgMigration0008,
];
