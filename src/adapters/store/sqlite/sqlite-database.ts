/** Opening a SQLite database the way every Visage store does, and a per-SQL statement cache. */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations/migrations.registry.js';

export interface OpenOptions {
  /** FULL: an acknowledged write survives power loss; NORMAL: survives a process crash. */
  synchronous: 'FULL' | 'NORMAL';
  /** Overwrite deleted content with zeros (deletion really deletes). */
  secureDelete?: boolean;
}

/** Opens (creating) the file in WAL mode with foreign keys on, and brings the schema up to date. */
export function openDatabase(path: string, o: OpenOptions): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${o.synchronous}`);
  db.pragma('foreign_keys = ON');
  if (o.secureDelete) db.pragma('secure_delete = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

/**
 * Runs one write at `synchronous = NORMAL` on a handle opened FULL, for writes on every
 * request's path (credits, usage, audit): a FULL commit fsyncs the WAL and, better-sqlite3
 * being synchronous, blocks the event loop meanwhile (measured here: 0.26 ms median, 6.4 ms p99
 * per commit, against 0.006 ms NORMAL). NORMAL in WAL mode survives a process crash; only power
 * loss can take the last such commits. Galleries, faces and jobs stay FULL.
 */
export function relaxed<T>(db: Database.Database, write: () => T): T {
  db.pragma('synchronous = NORMAL');
  try {
    return write();
  } finally {
    db.pragma('synchronous = FULL');
  }
}

/** Prepares each SQL text once. */
export class StatementCache {
  private readonly stmts = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  get(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }
}

/** Brings a database up to the latest schema; shared by every store that opens the file. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
  if (current > latest) throw new Error(`database schema v${current} is newer than this server (v${latest}); upgrade the server`);
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}
