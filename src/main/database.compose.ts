/**
 * One SQLite handle per process and file: every store of the server (galleries and faces,
 * accounts, jobs, rate state) works over the same connection, opened once (WAL,
 * synchronous=FULL, secure_delete, migrations run once). Each user takes a lease and releases
 * it after closing its stores; the last release closes the handle.
 */
import type Database from 'better-sqlite3';
import { resolve } from 'node:path';
import { openDatabase } from '../adapters/store/sqlite/sqlite-database.js';

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
