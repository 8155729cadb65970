/**
 * What the pgvector index needs from a database, and its tables. The adapter speaks to a
 * minimal client, `query(sql, params)` plus a transaction on one connection (for SET LOCAL),
 * so the same SQL runs on a `pg` pool (a real PostgreSQL with pgvector) and on PGlite with its
 * pgvector extension (PostgreSQL and pgvector built to WebAssembly: the tests and the bench,
 * since Debian's PostgreSQL here has no pgvector).
 */

export interface SqlQuery {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

export interface SqlClient extends SqlQuery {
  /** Runs `fn` on one connection between BEGIN and COMMIT (ROLLBACK when it throws). PGlite's `transaction` is this. */
  transaction<T>(fn: (tx: SqlQuery) => Promise<T>): Promise<T>;
}

/** The part of a `pg` Pool this needs (structural, so this adapter does not import pg). */
export interface PoolLike extends SqlQuery {
  connect(): Promise<SqlQuery & { release(err?: Error | boolean): void }>;
}

/** A `pg` pool as a SqlClient. */
export function pgSqlClient(pool: PoolLike): SqlClient {
  return {
    query: (sql, params) => pool.query(sql, params),
    async transaction(fn) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const out = await fn(c);
        await c.query('COMMIT');
        c.release();
        return out;
      } catch (e) {
        // A connection whose ROLLBACK failed is broken: pg drops it instead of pooling it.
        const broken = await c.query('ROLLBACK').then(
          () => false,
          () => true,
        );
        c.release(broken);
        throw e;
      }
    },
  };
}

/** HNSW came with pgvector 0.5.0, halfvec (f16) with 0.7.0. */
const MIN_VERSION = [0, 5, 0];
export const HALFVEC_VERSION = [0, 7, 0];

export const versionAtLeast = (v: string, min: number[]): boolean => {
  const p = v.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < min.length; i++) if ((p[i] ?? 0) !== min[i]) return (p[i] ?? 0) > min[i]!;
  return true;
};

export type PgvectorCheck = { ok: true; version: string } | { ok: false; reason: string };

/**
 * Whether the database has pgvector (0.5.0 or later): installed already, or installable now
 * (`CREATE EXTENSION IF NOT EXISTS vector` needs a role that may create it; an extension whose
 * files the server lacks fails with "extension "vector" is not available").
 */
export async function checkPgvector(db: SqlClient): Promise<PgvectorCheck> {
  const installed = async (q: SqlQuery) => (await q.query<{ v: string }>(`SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`)).rows[0]?.v;
  let version: string | undefined;
  try {
    version =
      (await installed(db)) ??
      (await db.transaction(async (tx) => {
        // Two nodes starting at once would both try to create it; one waits for the other.
        await tx.query(`SELECT pg_advisory_xact_lock(hashtext('visage.pgvector'))`);
        await tx.query('CREATE EXTENSION IF NOT EXISTS vector');
        return installed(tx);
      }));
  } catch (e) {
    return { ok: false, reason: `pgvector is not installed and CREATE EXTENSION vector failed: ${(e as Error).message}` };
  }
  if (!version) return { ok: false, reason: 'pgvector is not installed' };
  if (!versionAtLeast(version, MIN_VERSION)) return { ok: false, reason: `pgvector ${version} has no HNSW index (0.5.0 or later needed)` };
  return { ok: true, version };
}

/** Shadow tables of a rebuild older than this belong to a node that died during it. */
const STALE_BUILD = `interval '1 day'`;

/**
 * The catalogue of indexes: one row per index key, naming the table that holds its vectors
 * (`visage_vectors_<n>`, one per gallery, so each has its own HNSW graph), with the shared
 * count and the high-water mark last saved. A rebuild fills a shadow table listed in
 * `visage_vector_builds` and swaps it in. Idempotent; run under an advisory lock so nodes
 * starting together do not race on CREATE TABLE.
 */
export async function ensureVectorSchema(db: SqlClient): Promise<void> {
  const stale = await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('visage.pgvector'))`);
    await tx.query(`CREATE TABLE IF NOT EXISTS visage_vector_indexes (
      key text PRIMARY KEY,
      tab text NOT NULL UNIQUE,
      dimensions integer NOT NULL,
      scalar text NOT NULL,
      size bigint NOT NULL DEFAULT 0,
      hnsw boolean NOT NULL DEFAULT false,
      high_water_mark bigint NOT NULL DEFAULT 0,
      saved_at timestamptz
    )`);
    await tx.query(`CREATE TABLE IF NOT EXISTS visage_vector_builds (
      tab text PRIMARY KEY,
      key text NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now()
    )`);
    await tx.query('CREATE SEQUENCE IF NOT EXISTS visage_vector_table_seq');
    return (await tx.query<{ tab: string }>(`DELETE FROM visage_vector_builds WHERE started_at < now() - ${STALE_BUILD} RETURNING tab`)).rows;
  });
  for (const { tab } of stale) await db.query(`DROP TABLE IF EXISTS ${tableName(tab)}`);
}

/** Table names come from the sequence; checked again before they are put into SQL. */
export function tableName(tab: string): string {
  if (!/^visage_vectors_[0-9]+$/.test(tab)) throw new Error(`not a vector table name: ${tab}`);
  return tab;
}
