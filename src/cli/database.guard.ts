/**
 * Which database a CLI command uses, said on stderr, and a refusal to create one by accident.
 * Opening SQLite creates a missing file, so a command run from another folder, or with a
 * mistyped --data-dir, would otherwise work on a fresh empty database and report nothing wrong
 * ("no keys", "unlimited"). Commands that read or manage existing state require the file;
 * those that create on purpose may create it, and say so. State kept in PostgreSQL
 * (DATABASE_URL) is named instead, password hidden: the pool migrates it, nothing to find.
 */
import { existsSync } from 'node:fs';
import type { Config } from '../config/config.schema.js';
import { redactDatabaseUrl } from '../config/database-url.js';
import { databasePath, galleriesShared } from '../main/services.compose.js';

/** The data dir's database is not there (exit 1 through main's error handler). */
export class DatabaseMissingError extends Error {}

/** Where the data dir came from, for messages. */
export function dataDirOrigin(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag !== undefined) return '--data-dir';
  if (env.VISAGE_DATA_DIR !== undefined) return 'VISAGE_DATA_DIR';
  return 'the default ./data, relative to this folder';
}

export interface DatabaseUse {
  /**
   * What the command works on: accounts (keys, credits, bans; in PostgreSQL whenever
   * DATABASE_URL is set) or galleries (faces, search indexes, catalogue; there unless
   * VISAGE_GALLERIES_ON_POSTGRES=false keeps them in the data dir).
   */
  state: 'accounts' | 'galleries';
  /** Whether this command may create the database (keys create, index --create-database). */
  create: boolean;
  /** dataDirOrigin's answer. */
  origin: string;
  /** How this command makes a new one, for the refusal (e.g. "add --create-database"). */
  createHint?: string;
  stderr: (s: string) => void;
}

/**
 * Checks the database before the command opens it and prints the one line that names it:
 * `database: /abs/path/visage.db` or `created new database at /abs/path/visage.db`, or
 * `database: postgres://visage:***@host/db (DATABASE_URL)`.
 * Throws DatabaseMissingError when it is missing and the command may not create it.
 */
export function useDatabase(config: Config, use: DatabaseUse): string {
  if (use.state === 'accounts' ? config.databaseUrl !== '' : galleriesShared(config)) {
    const named = `${redactDatabaseUrl(config.databaseUrl)} (DATABASE_URL)`;
    use.stderr(`database: ${named}\n`);
    return named;
  }
  const path = databasePath(config);
  if (existsSync(path)) {
    use.stderr(`database: ${path}\n`);
    return path;
  }
  if (!use.create) {
    throw new DatabaseMissingError(
      `no Visage database at ${path} (data dir from ${use.origin}). ` +
        `Point at the server's data dir with VISAGE_DATA_DIR=<dir> or --data-dir <dir>` +
        `${use.createHint ? `, or ${use.createHint} to start a new one there` : ''}.`,
    );
  }
  use.stderr(`created new database at ${path}\n`);
  return path;
}
