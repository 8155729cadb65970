import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PgvectorIndexProvider, type PgvectorIndexOptions } from '../../../src/adapters/index/pgvector-vector.index.js';
import type { SqlClient, SqlQuery } from '../../../src/adapters/index/pgvector.schema.js';
import { l2normalize } from '../../../src/domain/similarity.rules.js';
import { vectorIndexContract } from '../../ports/vector-index.contract.js';
import { dot, randomUnit, rng } from '../../helpers/synthetic-vectors.js';
import { pglite } from './pglite.js';

const D = 64;

// One PGlite for the file; each provider of the contract gets a schema of its own (the tests
// of a file run one after another, and a provider's tables follow the search_path). Two
// providers on one schema are two nodes on one PostgreSQL.
const shared: Promise<PGlite> = pglite();
after(async () => (await shared).close());
let schemas = 0;
async function freshSchema(): Promise<PGlite> {
  const db = await shared;
  await db.exec(`CREATE SCHEMA s${++schemas}; SET search_path TO s${schemas}, public`);
  return db;
}

/** The contract hands over a provider synchronously; this one gets its schema on first use. */
function lazy(opts: PgvectorIndexOptions) {
  return () => {
    const p = freshSchema().then((db) => new PgvectorIndexProvider(db, opts));
    return {
      open: async (k: string, d: number, n: number) => (await p).open(k, d, n),
      destroy: async (k: string) => (await p).destroy(k),
      keys: async () => (await p).keys(),
    };
  };
}

vectorIndexContract('pgvector exact', lazy({ exactLimit: 1000 }));
vectorIndexContract('pgvector HNSW', lazy({ exactLimit: 10 }));
vectorIndexContract('pgvector HNSW f16 (halfvec)', lazy({ exactLimit: 10, scalar: 'f16' }));

const tableOf = async (db: SqlQuery, key: string) => (await db.query<{ tab: string }>('SELECT tab FROM visage_vector_indexes WHERE key = $1', [key])).rows[0]?.tab;
const exists = async (db: SqlQuery, rel: string) => (await db.query<{ r: string | null }>('SELECT to_regclass($1)::text AS r', [rel])).rows[0]!.r !== null;

function bruteTopK(data: Map<number, Float32Array>, q: Float32Array, k: number): number[] {
  return [...data].map(([id, v]) => ({ id, s: dot(v, q) })).sort((a, b) => b.s - a.s).slice(0, k).map((x) => x.id);
}

/** Records each statement, marking those run inside a transaction. */
function recording(db: PGlite): { client: SqlClient; log: string[] } {
  const log: string[] = [];
  const client: SqlClient = {
    query: (sql, params) => (log.push(sql), db.query(sql, params)),
    transaction: (fn) => db.transaction((tx) => fn({ query: (sql, params) => (log.push(`tx: ${sql}`), tx.query(sql, params)) })),
  };
  return { client, log };
}

test('HNSW past the exact limit: built once, used by the search, ef_search set for that search only (and at least k)', async () => {
  const db = await freshSchema();
  const { client, log } = recording(db);
  const p = new PgvectorIndexProvider(client, { exactLimit: 100, expansionSearch: 64 });
  const { index } = await p.open('g', D, 0);
  const rand = rng(21);
  const data = new Map<number, Float32Array>();
  for (let id = 1; id <= 110; id++) {
    data.set(id, randomUnit(D, rand));
    await index.add(id, data.get(id)!);
    assert.equal(index.mode, id > 100 ? 'hnsw' : 'exact');
  }
  const indexDef = async (tab: string) => (await db.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1 AND indexdef ILIKE '%USING hnsw%'`, [tab])).rows.map((r) => r.indexdef);
  const first = (await tableOf(db, 'g'))!;
  assert.equal((await indexDef(first)).length, 1, 'built when the 101st face came');

  // A rebuild (the registry's clear, add…, save) fills a table without an index, then builds
  // the graph in one pass. 2,500 rows: enough for the planner to prefer the graph to a scan.
  await index.clear();
  for (let id = 1; id <= 2500; id++) {
    if (!data.has(id)) data.set(id, randomUnit(D, rand));
    await index.add(id, data.get(id)!);
  }
  assert.equal(index.mode, 'exact', 'no graph while the rebuild fills its table');
  await index.save();
  assert.equal(index.mode, 'hnsw');
  const tab = (await tableOf(db, 'g'))!;
  assert.notEqual(tab, first);
  assert.match((await indexDef(tab))[0]!, /USING hnsw \(v vector_ip_ops\) WITH \(m='16', ef_construction='128'\)/);

  // pgvector's default ef_search is 40 and an HNSW scan returns at most that many rows.
  const q = randomUnit(D, rand);
  const text = `[${Array.from(l2normalize(q)).join(',')}]`;
  const plain = await db.query(`SELECT id FROM ${tab} ORDER BY v <#> $1::vector LIMIT 120`, [text]);
  assert.equal(plain.rows.length, 40, 'without SET LOCAL the graph walk stops at 40');
  const plan = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT id, v <#> $1::vector AS d FROM ${tab} ORDER BY d LIMIT 120`, [text])).rows.map((x) => x['QUERY PLAN']).join('\n');
  assert.match(plan, new RegExp(`Index Scan using ${tab}_hnsw`));
  log.length = 0;
  const hits = await index.search(q, 120);
  assert.equal(hits.length, 120);
  const exact = bruteTopK(data, q, 120);
  assert.ok(hits.filter((h) => exact.includes(h.id)).length >= 114, 'recall@120 ≥ 0.95');
  assert.equal(log[0], 'tx: SET LOCAL hnsw.ef_search = 120');
  assert.match(log[1]!, /^tx: SELECT id, v <#> \$1::vector AS d FROM visage_vectors_\d+ ORDER BY d LIMIT \$2$/);
  for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1]!.cosine >= hits[i]!.cosine);
  assert.ok(Math.abs(hits[0]!.cosine - dot(data.get(hits[0]!.id)!, q)) < 1e-5, 'cosine = −(v <#> q) on unit vectors');
  log.length = 0;
  await index.search(q, 10);
  assert.equal(log[0], 'tx: SET LOCAL hnsw.ef_search = 64', 'the configured ef_search when k is below it');
  assert.equal((await db.query<{ 'hnsw.ef_search': string }>('SHOW hnsw.ef_search')).rows[0]!['hnsw.ef_search'], '40', 'SET LOCAL ended with its transaction');
  // An add after the build goes into the graph as it is.
  const late = randomUnit(D, rand);
  await index.add(9999, late);
  assert.equal((await index.search(late, 1))[0]!.id, 9999);
});

test('dimensions: a vector or query of another length is refused, the column is typed, another dimension rebuilds', async () => {
  const db = await freshSchema();
  const p = new PgvectorIndexProvider(db);
  const { index } = await p.open('g', D, 0);
  const rand = rng(22);
  await index.add(1, randomUnit(D, rand));
  await assert.rejects(index.add(2, randomUnit(D - 1, rand)), /vector has 63 dimensions, index 64/);
  await assert.rejects(index.search(randomUnit(D + 1, rand), 1), /query has 65 dimensions, index 64/);
  const tab = (await tableOf(db, 'g'))!;
  await assert.rejects(db.query(`INSERT INTO ${tab} (id, v) VALUES (3, $1::vector)`, [`[${Array(D - 1).fill(0.1).join(',')}]`]), /expected 64 dimensions, not 63/);
  index.highWaterMark = 1;
  await index.save();

  // Another model's templates: the registry sees the mismatch and rebuilds (clear, add, save).
  const other = await p.open('g', 32, 1);
  assert.equal(other.status, 'mismatch');
  assert.match(other.reason ?? '', /64 dimensions as f32, 32 as f32 wanted/);
  await other.index.clear();
  await other.index.add(1, randomUnit(32, rand));
  other.index.highWaterMark = 2;
  await other.index.save();
  const again = await p.open('g', 32, 1);
  assert.equal(again.status, 'loaded');
  assert.equal(again.index.size, 1);
  assert.equal(again.index.highWaterMark, 2);
  assert.equal(await exists(db, tab), false, 'the 64-dimension table is gone');
});

test('two nodes on one database: one table; a replayed add writes nothing; a rebuild serves the old table until it is swapped in', async () => {
  const db = await freshSchema();
  const a = new PgvectorIndexProvider(db, { exactLimit: 10 });
  const b = new PgvectorIndexProvider(db, { exactLimit: 10 });
  const rand = rng(23);
  const vs = Array.from({ length: 30 }, () => randomUnit(D, rand));
  const onA = await a.open('g', D, 0);
  assert.equal(onA.status, 'missing');
  for (const [i, v] of vs.slice(0, 20).entries()) await onA.index.add(i + 1, v);
  onA.index.highWaterMark = 20;
  await onA.index.save();
  const onB = await b.open('g', D, 20);
  assert.equal(onB.status, 'loaded');
  assert.equal(onB.index.size, 20);
  assert.equal(onB.index.highWaterMark, 20);
  assert.equal(onB.index.mode, 'hnsw');

  // B replays A's commit from the change feed: same vector, so no new row version.
  const tab = (await tableOf(db, 'g'))!;
  const version = async (id: number) => (await db.query<{ x: string }>(`SELECT xmin::text AS x FROM ${tab} WHERE id = $1`, [id])).rows[0]?.x;
  const before = await version(5);
  await onB.index.add(5, vs[4]!);
  assert.equal(await version(5), before);
  assert.equal(onB.index.size, 20);
  // An add through B is found through A at once: there is one table.
  await onB.index.add(21, vs[20]!);
  assert.equal(onB.index.size, 21);
  assert.equal((await onA.index.search(vs[20]!, 1))[0]!.id, 21);

  // B rebuilds (clear … save) while A keeps searching the old, full table.
  await onB.index.clear();
  for (const [i, v] of vs.slice(0, 10).entries()) await onB.index.add(i + 1, v);
  assert.equal((await onA.index.search(vs[15]!, 1))[0]!.id, 16, 'A still answers from the old table');
  assert.equal(await exists(db, tab), true);
  onB.index.highWaterMark = 15;
  await onB.index.save();
  assert.equal(await exists(db, tab), false, 'the replaced table is dropped');
  // A finds its table swapped, reads the new one, and goes back to B's mark so its feed replays the rest.
  assert.notEqual((await onA.index.search(vs[15]!, 1))[0]!.id, 16);
  assert.equal(onA.index.highWaterMark, 15);
  assert.equal((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM visage_vector_builds')).rows[0]!.n, 0);

  // A gallery deleted on A during a rebuild on B: B's save fails and leaves no table behind.
  await onB.index.clear();
  await onB.index.add(1, vs[0]!);
  await a.destroy('g');
  await assert.rejects(onB.index.save(), /deleted during its rebuild/);
  assert.deepEqual(await b.keys(), []);
  const left = await db.query(`SELECT relname FROM pg_class WHERE relname LIKE 'visage_vectors_%' AND relnamespace = current_schema()::regnamespace`);
  assert.deepEqual(left.rows, []);
});

test('f16: halfvec column and graph, half the bytes; a table of the other scalar type is rebuilt, not misread', async () => {
  const db = await freshSchema();
  const rand = rng(25);
  const sizes: Record<string, number> = {};
  for (const scalar of ['f32', 'f16'] as const) {
    const p = new PgvectorIndexProvider(db, { exactLimit: 10, scalar });
    const { index } = await p.open(scalar, 512, 0);
    for (let id = 1; id <= 30; id++) await index.add(id, randomUnit(512, rand));
    const tab = (await tableOf(db, scalar))!;
    sizes[scalar] = Number((await db.query<{ b: string }>(`SELECT sum(pg_column_size(v))::text AS b FROM ${tab}`)).rows[0]!.b) / 30;
    const col = (await db.query<{ t: string }>(`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'v'`, [tab])).rows[0]!.t;
    assert.equal(col, scalar === 'f16' ? 'halfvec(512)' : 'vector(512)');
    const [def] = (await db.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1 AND indexdef ILIKE '%USING hnsw%'`, [tab])).rows;
    assert.match(def!.indexdef, scalar === 'f16' ? /halfvec_ip_ops/ : /vector_ip_ops/);
  }
  assert.deepEqual(sizes, { f32: 2056, f16: 1032 }, 'bytes per vector: 8 of header, then 4 or 2 a dimension');
  const other = await new PgvectorIndexProvider(db, { scalar: 'f32' }).open('f16', 512, 30);
  assert.equal(other.status, 'mismatch');
  assert.match(other.reason ?? '', /as f16, 512 as f32 wanted/);
});

test('an index build raises maintenance_work_mem for its own transaction, and never lowers it', async () => {
  const db = await freshSchema();
  const seen: string[] = [];
  const client: SqlClient = {
    query: (sql, params) => db.query(sql, params),
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          query: async (sql, params) => {
            if (sql.startsWith('CREATE INDEX')) seen.push((await tx.query<{ maintenance_work_mem: string }>('SHOW maintenance_work_mem')).rows[0]!.maintenance_work_mem);
            return tx.query(sql, params);
          },
        }),
      ),
  };
  const rand = rng(26);
  const fill = async (key: string) => {
    const { index } = await new PgvectorIndexProvider(client, { exactLimit: 5, buildMemory: '256MB' }).open(key, D, 0);
    for (let id = 1; id <= 6; id++) await index.add(id, randomUnit(D, rand));
  };
  const setting = async () => (await db.query<{ maintenance_work_mem: string }>('SHOW maintenance_work_mem')).rows[0]!.maintenance_work_mem;
  const before = await setting();
  await fill('g');
  await db.exec(`SET maintenance_work_mem = '1GB'`);
  await fill('h');
  await db.exec('RESET maintenance_work_mem');
  assert.deepEqual(seen, ['256MB', '1GB']);
  assert.equal(await setting(), before, 'only for the build');
});

test('a shadow table left by a node that died during a rebuild is dropped after a day', async () => {
  const db = await freshSchema();
  const p = new PgvectorIndexProvider(db);
  const { index } = await p.open('g', D, 0);
  await index.clear(); // the node "dies" here: close() is never called
  const [build] = (await db.query<{ tab: string }>('SELECT tab FROM visage_vector_builds')).rows;
  assert.ok(build && (await exists(db, build.tab)));
  await db.query(`UPDATE visage_vector_builds SET started_at = now() - interval '25 hours'`);
  await new PgvectorIndexProvider(db).keys(); // the next node's start
  assert.equal(await exists(db, build.tab), false);
  assert.equal((await db.query('SELECT 1 FROM visage_vector_builds')).rows.length, 0);
});

test('deletion: a removed vector is never found; VACUUM FULL takes its bytes out of the files; destroy deletes the files', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'visage-pgvector-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = await pglite(dir);
  t.after(() => db.close());
  const p = new PgvectorIndexProvider(db, { exactLimit: 50 });
  const { index } = await p.open('g', D, 0);
  const rand = rng(24);
  for (let id = 1; id <= 100; id++) await index.add(id, randomUnit(D, rand));
  const secret = randomUnit(D, rand);
  const kept = randomUnit(D, rand);
  await index.add(500, secret);
  await index.add(501, kept);
  assert.equal((await index.search(secret, 1))[0]!.id, 500);
  assert.equal(await index.remove(500), true);
  assert.equal(await index.has(500), false);
  assert.ok(!(await index.search(secret, 200)).some((h) => h.id === 500), 'not found, even asking for every row');
  const tab = (await tableOf(db, 'g'))!;
  assert.equal((await db.query(`SELECT 1 FROM ${tab} WHERE id = 500`)).rows.length, 0);

  // What is on disk: the table's and the graph's files hold unit vectors as float32.
  const files = async () => {
    await db.query('CHECKPOINT');
    const r = await db.query<{ f: string }>(`SELECT pg_relation_filepath(c.oid) AS f FROM pg_class c WHERE c.relname IN ($1, $2)`, [tab, `${tab}_hnsw`]);
    return r.rows.map((x) => join(dir, x.f));
  };
  const bytesOf = (v: Float32Array) => Buffer.from(l2normalize(v).slice(0, 8).buffer);
  const holds = (paths: string[], v: Float32Array) => paths.some((f) => existsSync(f) && readFileSync(f).indexOf(bytesOf(v)) >= 0);
  const before = await files();
  assert.equal(before.length, 2);
  assert.ok(holds(before, kept), 'control: a live vector is found this way');
  await db.query(`VACUUM FULL ${tab}`);
  const after = await files();
  assert.ok(holds(after, kept));
  assert.ok(!holds(after, secret), 'VACUUM FULL rewrote the table and its graph without the removed vector');

  await p.destroy('g');
  await db.query('CHECKPOINT');
  for (const f of after) assert.ok(!existsSync(f) || statSync(f).size === 0, `${f} deleted`);
  assert.deepEqual(await p.keys(), []);
});
