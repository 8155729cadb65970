/**
 * One SQLite handle per process and file: every store of the server (galleries and faces,
 * accounts, jobs, rate state) works over the same connection, opened once (WAL,
 * synchronous=FULL, secure_delete, migrations run once). Each user takes a lease and releases
 * it after closing its stores; the last release closes the handle.
 */
import type Database from 'better-sqlite3';
import { resolve } from 'node:path';
import { openDatabase } from '../adapters/store/sqlite/sqlite-database.js';
import { createPgPool, type PgPool } from '../adapters/store/postgres/pg-database.js';

const open = new Map<string, { db: Database.Database; users: number }>();

export interface DatabaseLease {
  db: Database.Database;
  release(): void;
}

export function leaseDatabase(path: string): DatabaseLease {
  const key = resolve(path);
  let entry = open.get(key);
  if (!entry || !entry.db.open) {
    entry = { db: openDatabase(key, { synchronous: 'FULL', secureDelete: true }), users: 0 };
    open.set(key, entry);
  }
  entry.users++;
  const held = entry;
  let released = false;
  return {
    db: held.db,
    release() {
      if (released) return;
      released = true;
      if (--held.users === 0) {
        if (held.db.open) held.db.close();
        if (open.get(key) === held) open.delete(key);
      }
    },
  };
}

/**
 * With DATABASE_URL: one PostgreSQL pool per process, shared by every store on it like the
 * SQLite handle above (the pool migrates before its first query; see createPgPool). The last
 * release ends the pool.
 */
const pgPools = new Map<string, { pool: PgPool; users: number }>();

export interface PgPoolLease {
  pool: PgPool;
  release(): Promise<void>;
}

export function leasePgPool(url: string): PgPoolLease {
  let entry = pgPools.get(url);
  if (!entry) {
    entry = { pool: createPgPool(url), users: 0 };
    pgPools.set(url, entry);
  }
  entry.users++;
  const held = entry;
  let released = false;
  return {
    pool: held.pool,
    async release() {
      if (released) return;
      released = true;
      if (--held.users === 0) {
        if (pgPools.get(url) === held) pgPools.delete(url);
        await held.pool.end();
      }
    },
  };
}
