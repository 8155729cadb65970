/**
 * Vector indexes inside PostgreSQL with pgvector: the second search backend. One table per
 * gallery index (`visage_vectors_<n>`: id, vector(d)), listed in `visage_vector_indexes` with
 * its shared count and saved high-water mark (pgvector.schema.ts). Why a table per gallery and
 * not one table filtered by gallery: pgvector's HNSW scan applies a WHERE after the graph walk
 * (ef_search candidates), so a gallery that is 1 % of a shared table would get about 1 % of
 * its hits; a graph per gallery answers exactly its own faces, and dropping the table deletes
 * a gallery's vectors at once, files included. Galleries up to `exactLimit` have no HNSW index
 * and are scanned exactly (as the usearch backend does); past it the index is built once, with
 * inner product on unit vectors (`vector_ip_ops`: `<#>` is the negative inner product, so
 * cosine = −(v <#> q); cheaper than `vector_cosine_ops`, which normalises both sides each time).
 *
 * The face store stays the system of record and this is the cache the port describes, kept in
 * step by the same registry and change feed as usearch: whoever commits writes the vectors
 * (after the commit), and every other node replays the feed into the same table. Its upserts
 * change nothing when the row already holds that vector (no new row version, no graph insert),
 * so a replay costs one index probe per face. It is not written in the store's transaction
 * because that would tie every face store to pgvector (and the SQLite one cannot have it);
 * writing after the commit is what the usearch backend already does, with the same repair.
 *
 * A rebuild (clear … save) fills a shadow table without an index, builds the HNSW index on it
 * in one pass (far faster than one insert at a time) and swaps it in: other nodes keep
 * searching the old table meanwhile, and a node that finds its table swapped re-reads it.
 */
import { l2normalize } from '../../domain/similarity.rules.js';
import type { OpenedIndex, VectorHit, VectorIndex, VectorIndexProvider } from '../../ports/vector-index.port.js';
import { checkPgvector, ensureVectorSchema, HALFVEC_VERSION, tableName, versionAtLeast, type SqlClient, type SqlQuery } from './pgvector.schema.js';

/** f32: `vector`; f16: `halfvec` (half the table and graph, pgvector 0.7.0 or later). */
export type PgvectorScalar = 'f32' | 'f16';
const TYPES = { f32: { col: 'vector', ops: 'vector_ip_ops' }, f16: { col: 'halfvec', ops: 'halfvec_ip_ops' } } as const;

export interface PgvectorIndexOptions {
  /** Galleries up to this many faces have no HNSW index: an exact scan. */
  exactLimit?: number;
  scalar?: PgvectorScalar;
  /** HNSW `m` and `ef_construction`, as usearch's connectivity and expansion_add. */
  connectivity?: number;
  expansionAdd?: number;
  /** `hnsw.ef_search` per search (SET LOCAL); at least k, at most pgvector's 1000. */
  expansionSearch?: number;
  /** maintenance_work_mem at least this for an index build: a graph that does not fit is built far slower. */
  buildMemory?: string;
  /** Rows per INSERT while a rebuild fills its table. */
  batch?: number;
}

/** pgvector refuses hnsw.ef_search above this. */
const MAX_EF = 1000;
const META = 'visage_vector_indexes';
const BUILDS = 'visage_vector_builds';

export class PgvectorUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'PgvectorUnavailableError';
  }
}

/** 9 significant digits give every float32 back exactly, so an unchanged vector compares equal. */
function vectorText(v: Float32Array): string {
  let s = '[';
  for (let i = 0; i < v.length; i++) s += (i ? ',' : '') + v[i]!.toPrecision(9);
  return `${s}]`;
}

const isMissingTable = (e: unknown) => (e as { code?: string }).code === '42P01';

interface MetaRow {
  tab: string;
  dimensions: number;
  scalar: string;
  size: number;
  hnsw: boolean;
  high_water_mark: number;
}

const META_COLUMNS = 'tab, dimensions, scalar, size::float8 AS size, hnsw, high_water_mark::float8 AS high_water_mark';

interface Context {
  db: SqlClient;
  opts: Required<PgvectorIndexOptions>;
}

interface Build {
  tab: string;
  ids: Set<number>;
  pending: Map<number, string>;
}

class PgvectorIndex implements VectorIndex {
  private changed = false;
  private building: Build | null = null;
  private readonly type: (typeof TYPES)[PgvectorScalar];

  constructor(
    private readonly c: Context,
    private readonly key: string,
    readonly dimensions: number,
    private live: MetaRow,
    public highWaterMark: number,
  ) {
    this.type = TYPES[c.opts.scalar];
  }

  get mode(): 'exact' | 'hnsw' {
    return !this.building && this.live.hnsw ? 'hnsw' : 'exact';
  }

  get size(): number {
    return this.building ? this.building.ids.size : this.live.size;
  }

  get dirty(): boolean {
    return this.changed;
  }

  private checkDims(v: Float32Array, what: string): void {
    if (v.length !== this.dimensions) throw new Error(`${what} has ${v.length} dimensions, index ${this.dimensions}`);
  }

  /** Runs `fn` on the live table; when another node's rebuild swapped it away, re-reads it once. */
  private async onLive<T>(fn: (tab: string) => Promise<T>): Promise<T> {
    try {
      return await fn(tableName(this.live.tab));
    } catch (e) {
      if (!isMissingTable(e)) throw e;
      await this.reread();
      return fn(tableName(this.live.tab));
    }
  }

  private async reread(): Promise<void> {
    const row = (await this.c.db.query<MetaRow>(`SELECT ${META_COLUMNS} FROM ${META} WHERE key = $1`, [this.key])).rows[0];
    if (!row) throw new Error(`vector index ${this.key} no longer exists`);
    this.live = row;
    // The new table reflects the rebuilder's mark, maybe older than ours: replay from there.
    this.highWaterMark = Math.min(this.highWaterMark, row.high_water_mark);
  }

  private sized(size: number | null | undefined): number {
    if (size === null || size === undefined) throw new Error(`vector index ${this.key} no longer exists`);
    return Number(size);
  }

  async has(id: number): Promise<boolean> {
    if (this.building) return this.building.ids.has(id);
    return this.onLive(async (tab) => (await this.c.db.query(`SELECT 1 FROM ${tab} WHERE id = $1`, [id])).rows.length > 0);
  }

  async add(id: number, vector: Float32Array): Promise<void> {
    this.checkDims(vector, 'vector');
    const text = vectorText(l2normalize(vector));
    this.changed = true;
    const b = this.building;
    if (b) {
      b.pending.set(id, text);
      b.ids.add(id);
      if (b.pending.size >= this.c.opts.batch) await this.flush(b);
      return;
    }
    // The count moves only when a row is new (xmax = 0 marks an insert, not an update); a row
    // that already holds this vector is left alone, so replaying another node's add writes nothing.
    const size = await this.onLive(async (tab) =>
      (
        await this.c.db.query<{ size: number | null }>(
          `WITH up AS (
             INSERT INTO ${tab} AS t (id, v) VALUES ($1, $2::${this.type.col})
             ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v WHERE t.v IS DISTINCT FROM EXCLUDED.v
             RETURNING (xmax = 0) AS fresh),
           bump AS (UPDATE ${META} SET size = size + 1 WHERE key = $3 AND EXISTS (SELECT 1 FROM up WHERE fresh) RETURNING size)
           SELECT COALESCE((SELECT size FROM bump), (SELECT size FROM ${META} WHERE key = $3))::float8 AS size`,
          [id, text, this.key],
        )
      ).rows[0]?.size,
    );
    this.live.size = this.sized(size);
    if (!this.live.hnsw && this.live.size > this.c.opts.exactLimit) await this.ensureHnsw();
  }

  async remove(id: number): Promise<boolean> {
    const b = this.building;
    if (b) {
      await this.flush(b);
      const gone = (await this.onBuild(() => this.c.db.query(`DELETE FROM ${tableName(b.tab)} WHERE id = $1 RETURNING id`, [id]))).rows.length > 0;
      b.ids.delete(id);
      this.changed ||= gone;
      return gone;
    }
    const r = await this.onLive(
      async (tab) =>
        (
          await this.c.db.query<{ removed: number; size: number | null }>(
            `WITH del AS (DELETE FROM ${tab} WHERE id = $1 RETURNING id),
             bump AS (UPDATE ${META} SET size = size - 1 WHERE key = $2 AND EXISTS (SELECT 1 FROM del) RETURNING size)
             SELECT (SELECT count(*) FROM del)::int AS removed,
                    COALESCE((SELECT size FROM bump), (SELECT size FROM ${META} WHERE key = $2))::float8 AS size`,
            [id, this.key],
          )
        ).rows[0],
    );
    this.live.size = this.sized(r?.size);
    const gone = Number(r?.removed) > 0;
    this.changed ||= gone;
    return gone;
  }

  async search(vector: Float32Array, k: number): Promise<VectorHit[]> {
    this.checkDims(vector, 'query');
    if (k <= 0) return [];
    const q = vectorText(l2normalize(vector));
    // ef_search bounds what an HNSW scan returns, so it is at least k; past pgvector's 1000 the
    // index is left out and the scan is exact.
    const ef = Math.min(MAX_EF, Math.max(this.c.opts.expansionSearch, k));
    const run = (tab: string) =>
      this.c.db.transaction(async (tx) => {
        await tx.query(`SET LOCAL hnsw.ef_search = ${ef}`);
        if (k > MAX_EF) await tx.query('SET LOCAL enable_indexscan = off');
        // Ordered by the output column: an exact scan computes each distance once (a second
        // expression for the cosine doubled its time), and the graph still serves the order.
        const rows = (await tx.query<{ id: unknown; d: number }>(`SELECT id, v <#> $1::${this.type.col} AS d FROM ${tab} ORDER BY d LIMIT $2`, [q, k])).rows;
        return rows.map((r) => ({ id: Number(r.id), cosine: -Number(r.d) }));
      });
    const b = this.building;
    if (b) {
      await this.flush(b);
      return this.onBuild(() => run(tableName(b.tab)));
    }
    return this.onLive(run);
  }

  /** Starts a rebuild into a shadow table; the live one serves every other node until save(). */
  async clear(): Promise<void> {
    if (this.building) await dropBuild(this.c.db, this.building.tab);
    this.building = null;
    // Listed as a build in the same transaction, so a node that dies now leaves no unlisted table.
    const tab = await this.c.db.transaction(async (tx) => {
      const t = await createTable(tx, this.c.opts.scalar, this.dimensions);
      await tx.query(`INSERT INTO ${BUILDS} (tab, key) VALUES ($1, $2)`, [t, this.key]);
      return t;
    });
    this.building = { tab, ids: new Set(), pending: new Map() };
    this.highWaterMark = 0;
    this.changed = true;
  }

  private async flush(b: Build): Promise<void> {
    if (b.pending.size === 0) return;
    const rows = [...b.pending];
    b.pending.clear();
    const values = rows.map((_, i) => `($${2 * i + 1}::bigint, $${2 * i + 2}::${this.type.col})`).join(',');
    await this.onBuild(() => this.c.db.query(`INSERT INTO ${tableName(b.tab)} AS t (id, v) VALUES ${values} ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v`, rows.flat()));
  }

  /** A shadow table gone means its gallery was deleted meanwhile (destroy drops its builds). */
  private async onBuild<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (!isMissingTable(e)) throw e;
      throw new Error(`vector index ${this.key} was deleted during its rebuild`);
    }
  }

  /** Builds the HNSW index of a live table that grew past the exact limit (once, whichever node gets there). */
  private async ensureHnsw(): Promise<void> {
    await buildHnsw(this.c, this.live.tab, true);
    this.live.hnsw = true;
  }

  async save(): Promise<void> {
    const b = this.building;
    if (!b) {
      // Another node may have saved a later mark: the table holds its changes too.
      await this.c.db.query(`UPDATE ${META} SET high_water_mark = GREATEST(high_water_mark, $2), saved_at = now() WHERE key = $1`, [this.key, this.highWaterMark]);
      this.changed = false;
      return;
    }
    await this.flush(b);
    const hnsw = b.ids.size > this.c.opts.exactLimit;
    if (hnsw) await this.onBuild(() => buildHnsw(this.c, b.tab, false));
    const next: MetaRow = { tab: b.tab, dimensions: this.dimensions, scalar: this.c.opts.scalar, size: b.ids.size, hnsw, high_water_mark: this.highWaterMark };
    await swapIn(this.c.db, this.key, next);
    this.live = next;
    this.building = null;
    this.changed = false;
  }

  close(): void {
    // A rebuild given up: its shadow table goes (the registry rebuilds again on next use).
    const b = this.building;
    this.building = null;
    if (b) void dropBuild(this.c.db, b.tab).catch(() => undefined);
  }
}

/** A new, empty table for an index's vectors, named from the sequence. */
async function createTable(q: SqlQuery, scalar: PgvectorScalar, dims: number): Promise<string> {
  const n = (await q.query<{ n: unknown }>(`SELECT nextval('visage_vector_table_seq')::text AS n`)).rows[0]!.n;
  const tab = tableName(`visage_vectors_${String(n)}`);
  await q.query(`CREATE TABLE ${tab} (id bigint PRIMARY KEY, v ${TYPES[scalar].col}(${dims}) NOT NULL)`);
  // Inline and uncompressed: a 512-d f32 vector (2,056 bytes) is past the 2 KB at which
  // PostgreSQL tries to compress a row, which random floats resist (4 bytes saved) at a CPU cost
  // on every write and read; up to pgvector's 2,000 indexable dimensions a row still fits a page.
  await q.query(`ALTER TABLE ${tab} ALTER COLUMN v SET STORAGE PLAIN`);
  return tab;
}

async function buildHnsw(c: Context, tab: string, live: boolean): Promise<void> {
  const { connectivity: m, expansionAdd: efc, buildMemory } = c.opts;
  await c.db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('visage.pgvector'), hashtext($1))`, [tab]);
    // Raised for this build only, never lowered: an operator's larger setting (ALTER ROLE …) stands.
    await tx.query(
      `SELECT set_config('maintenance_work_mem', CASE WHEN pg_size_bytes(current_setting('maintenance_work_mem')) < pg_size_bytes($1) THEN $1 ELSE current_setting('maintenance_work_mem') END, true)`,
      [buildMemory],
    );
    await tx.query(`CREATE INDEX IF NOT EXISTS ${tableName(tab)}_hnsw ON ${tableName(tab)} USING hnsw (v ${TYPES[c.opts.scalar].ops}) WITH (m = ${m}, ef_construction = ${efc})`);
    if (live) await tx.query(`UPDATE ${META} SET hnsw = true WHERE tab = $1`, [tab]);
  });
}

async function dropBuild(db: SqlQuery, tab: string): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS ${tableName(tab)}`);
  await db.query(`DELETE FROM ${BUILDS} WHERE tab = $1`, [tab]);
}

/**
 * Runs `fn` in a transaction holding the key's current table exclusively, taken before its
 * catalogue row: a writer takes the table first and the row second, so both orders agree and
 * cannot deadlock. Retried when the table changed in between (another node swapped it).
 */
async function withTableLocked(db: SqlClient, key: string, fn: (tx: SqlQuery, tab: string | null) => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await db.transaction(async (tx) => {
        const seen = (await tx.query<{ tab: string }>(`SELECT tab FROM ${META} WHERE key = $1`, [key])).rows[0]?.tab ?? null;
        if (seen) await tx.query(`LOCK TABLE ${tableName(seen)} IN ACCESS EXCLUSIVE MODE`);
        const now = (await tx.query<{ tab: string }>(`SELECT tab FROM ${META} WHERE key = $1 FOR UPDATE`, [key])).rows[0]?.tab ?? null;
        if (now !== seen) throw Object.assign(new Error('vector table changed'), { code: '42P01' });
        await fn(tx, seen);
      });
      return;
    } catch (e) {
      if (!isMissingTable(e) || attempt >= 3) throw e;
    }
  }
}

/** Makes a rebuilt table the live one and drops the table it replaces, in one transaction. */
async function swapIn(db: SqlClient, key: string, next: MetaRow): Promise<void> {
  let gone = false;
  await withTableLocked(db, key, async (tx, old) => {
    if (old === null) {
      gone = true; // destroyed during the rebuild
      return;
    }
    await tx.query(`UPDATE ${META} SET tab = $2, dimensions = $3, scalar = $4, size = $5, hnsw = $6, high_water_mark = $7, saved_at = now() WHERE key = $1`, [
      key,
      next.tab,
      next.dimensions,
      next.scalar,
      next.size,
      next.hnsw,
      next.high_water_mark,
    ]);
    await tx.query(`DROP TABLE ${tableName(old)}`);
    await tx.query(`DELETE FROM ${BUILDS} WHERE tab = $1`, [next.tab]);
  });
  if (gone) {
    await dropBuild(db, next.tab);
    throw new Error(`vector index ${key} was deleted during its rebuild`);
  }
}

export class PgvectorIndexProvider implements VectorIndexProvider {
  private readonly c: Context;
  private started: Promise<string> | null = null;

  constructor(db: SqlClient, opts: PgvectorIndexOptions = {}) {
    const o: Required<PgvectorIndexOptions> = { exactLimit: 10_000, scalar: 'f32', connectivity: 16, expansionAdd: 128, expansionSearch: 128, buildMemory: '512MB', batch: 500, ...opts };
    if (!/^[0-9]+(kB|MB|GB)$/.test(o.buildMemory)) throw new RangeError(`buildMemory ${o.buildMemory}: a size such as 512MB`);
    for (const [name, v, lo, hi] of [['connectivity', o.connectivity, 2, 100], ['expansionAdd', o.expansionAdd, 4, 1000], ['expansionSearch', o.expansionSearch, 1, 100_000], ['batch', o.batch, 1, 10_000]] as const) {
      if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${name} ${v}: an integer from ${lo} to ${hi}`);
    }
    if (!(o.scalar in TYPES)) throw new RangeError(`scalar ${String(o.scalar)}: f32 or f16`);
    this.c = { db, opts: o };
  }

  /**
   * Checks that pgvector is there (creating the extension when allowed) and creates the
   * catalogue tables; every other call waits for it. Rejects with PgvectorUnavailableError.
   * Resolves with pgvector's version.
   */
  start(): Promise<string> {
    this.started ??= (async () => {
      const check = await checkPgvector(this.c.db);
      if (!check.ok) throw new PgvectorUnavailableError(check.reason);
      if (this.c.opts.scalar === 'f16' && !versionAtLeast(check.version, HALFVEC_VERSION)) {
        throw new PgvectorUnavailableError(`pgvector ${check.version} has no halfvec (f16 needs 0.7.0 or later)`);
      }
      await ensureVectorSchema(this.c.db);
      return check.version;
    })();
    this.started.catch(() => (this.started = null));
    return this.started;
  }

  private checkKey(key: string): void {
    if (!/^[A-Za-z0-9_-]+$/.test(key)) throw new Error(`bad index key ${key}`);
  }

  async open(key: string, dimensions: number, _expectedSize: number): Promise<OpenedIndex> {
    await this.start();
    this.checkKey(key);
    const db = this.c.db;
    const read = async (q: SqlQuery) => (await q.query<MetaRow>(`SELECT ${META_COLUMNS} FROM ${META} WHERE key = $1`, [key])).rows[0];
    let row = await read(db);
    let created = false;
    if (!row) {
      // Nodes opening a new gallery together: one creates its table, the others load it.
      row = await db.transaction(async (tx) => {
        await tx.query(`SELECT pg_advisory_xact_lock(hashtext('visage.pgvector'), hashtext($1))`, [key]);
        const other = await read(tx);
        if (other) return other;
        created = true;
        const tab = await createTable(tx, this.c.opts.scalar, dimensions);
        await tx.query(`INSERT INTO ${META} (key, tab, dimensions, scalar) VALUES ($1, $2, $3, $4)`, [key, tab, dimensions, this.c.opts.scalar]);
        return (await read(tx))!;
      });
    }
    const fresh = new PgvectorIndex(this.c, key, dimensions, row, created ? 0 : Number(row.high_water_mark));
    if (created) return { index: fresh, status: 'missing' };
    if (row.dimensions !== dimensions || row.scalar !== this.c.opts.scalar) {
      fresh.highWaterMark = 0;
      return { index: fresh, status: 'mismatch', reason: `table holds ${row.dimensions} dimensions as ${row.scalar}, ${dimensions} as ${this.c.opts.scalar} wanted` };
    }
    // A table that grew past the limit without its graph (a node stopped before building it).
    if (!row.hnsw && row.size > this.c.opts.exactLimit) await buildHnsw(this.c, row.tab, true).then(() => (row.hnsw = true));
    return { index: fresh, status: 'loaded' };
  }

  async destroy(key: string): Promise<void> {
    await this.start();
    this.checkKey(key);
    await withTableLocked(this.c.db, key, async (tx, tab) => {
      await tx.query(`DELETE FROM ${META} WHERE key = $1`, [key]);
      if (tab) await tx.query(`DROP TABLE ${tableName(tab)}`);
    });
    // Rebuilds of it in progress elsewhere find it gone when they try to swap.
    const builds = (await this.c.db.query<{ tab: string }>(`SELECT tab FROM ${BUILDS} WHERE key = $1`, [key])).rows;
    for (const { tab } of builds) await dropBuild(this.c.db, tab);
  }

  async keys(): Promise<string[]> {
    await this.start();
    return (await this.c.db.query<{ key: string }>(`SELECT key FROM ${META} ORDER BY key`)).rows.map((r) => r.key);
  }
}
