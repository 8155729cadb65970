/**
 * Schema versions in order. A migration is never edited once released: add the next one.
 * `PRAGMA user_version` records how far a database has come.
 */
import { migration0001 } from './0001-initial.migration.js';
import { migration0002 } from './0002-accounts.migration.js';
import { migration0003 } from './0003-thumbnails.migration.js';
import { migration0004 } from './0004-jobs.migration.js';
import { migration0005 } from './0005-rate-limits.migration.js';
import { migration0006 } from './0006-face-memberships.migration.js';
import { migration0007 } from './0007-catalogue.migration.js';
import { migration0008 } from './0008-search-index.migration.js';
import { migration0009 } from './0009-daily-usage.migration.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004, migration0005, migration0006, migration0007, migration0008, migration0009];
