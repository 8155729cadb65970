/**
 * Opening PostgreSQL the way every Visage store does: one pool per process (pg), BIGINT read
 * back as a JS number (every BIGINT here is a millisecond time, a count or a sequence, far
 * below 2^53), and the schema brought up to date under an advisory lock so that two nodes
 * starting at once never both migrate. An optional schema (tests; several deployments on one
 * database) is created and put first on each connection's search_path.
 */
import pg from 'pg';
import { PG_MIGRATIONS } from './migrations/pg-migrations.registry.js';

export interface PgOpenOptions {
  /** Connections this process may hold at once (default 10). */
  max?: number;
  /** A schema of its own instead of the URL's default search_path (created when missing). */
  schema?: string;
}

const INT8_OID = 20;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A pool that hands out no connection (and so runs no query: pg's pool.query goes through
 * connect) before the schema is up to date, so a store can be built synchronously and used at
 * once: its first query waits for the migration, or fails with the migration's error.
 */
export class PgPool extends pg.Pool {
  /** Settles when the migrations have run; rejects with their error. */
  ready: Promise<void> = Promise.resolve();

  rawConnect(): Promise<pg.PoolClient> {
    return super.connect();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override connect(cb?: any): any {
    if (!cb) return this.ready.then(() => super.connect());
    this.ready.then(
      () => super.connect(cb),
      (e: Error) => cb(e),
    );
  }
}

/** The pool at once; `pool.ready` (and every query) waits for the migrations. */
export function createPgPool(url: string, o: PgOpenOptions = {}): PgPool {
  if (o.schema !== undefined && !SCHEMA_NAME.test(o.schema)) throw new RangeError(`invalid schema name ${o.schema}`);
  const pool = new PgPool({
    connectionString: url,
    max: o.max ?? 10,
    types,
    // A node should fail its start (or a request) rather than hang when PostgreSQL is gone.
    connectionTimeoutMillis: 10_000,
    ...(o.schema ? { options: `-c search_path=${o.schema}` } : {}),
  });
  // An idle client's error (server restart, network) must not crash the process: pg replaces it.
  pool.on('error', () => undefined);
  pool.ready = migratePg(() => pool.rawConnect(), o.schema).then(() => undefined);
  pool.ready.catch(() => undefined); // awaited by whoever uses the pool; not unhandled here
  return pool;
}

/** A pool on `url` with the schema up to date. Throws when the database is unreachable or newer than this server. */
export async function openPgPool(url: string, o: PgOpenOptions = {}): Promise<PgPool> {
  const pool = createPgPool(url, o);
  try {
    await pool.ready;
  } catch (e) {
    await pool.end();
    throw e;
  }
  return pool;
}

/** The advisory lock key of the migrations of one schema (two int4 halves; $1 = the schema). */
const MIGRATION_LOCK = `hashtext('visage.migrate'), hashtext($1)`;

/**
 * Brings the schema up to the latest version: on one connection, under a session advisory lock
 * taken before reading the version, each migration in its own transaction. A second node
 * waits on the lock, then finds nothing left to do.
 */
export async function migratePg(connect: () => Promise<pg.PoolClient>, schema?: string): Promise<{ applied: number[] }> {
  const c = await connect();
  const applied: number[] = [];
  try {
    const target = schema ?? (await c.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s;
    await c.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`, [target]);
    try {
      // Under the lock: two nodes creating the schema at once would collide.
      if (schema) await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await c.query(`CREATE TABLE IF NOT EXISTS visage_schema (version INTEGER NOT NULL, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
      const r = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM visage_schema');
      const current = r.rows[0]?.v ?? 0;
      const latest = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]?.version ?? 0;
      if (current > latest) throw new Error(`database schema v${current} is newer than this server (v${latest}); upgrade the server`);
      for (const m of PG_MIGRATIONS) {
        if (m.version <= current) continue;
        await c.query('BEGIN');
        try {
          await c.query(m.sql);
          await c.query('INSERT INTO visage_schema (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
          await c.query('COMMIT');
        } catch (e) {
          await c.query('ROLLBACK');
          throw e;
        }
        applied.push(m.version);
      }
    } finally {
      await c.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`, [target]);
    }
  } finally {
    c.release();
  }
  return { applied };
}

/** Runs `fn` in one transaction on one pooled connection. */
export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}
