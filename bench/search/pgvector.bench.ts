/**
 * The two search backends through their adapters, on the same data: usearch
 * (`UsearchIndexProvider`, in this process) against pgvector (`PgvectorIndexProvider`) on
 * PGlite, PostgreSQL 18 and pgvector 0.8 built to WebAssembly, with its files in a temp dir.
 * PGlite runs single-threaded in WASM inside this process: a native PostgreSQL with pgvector
 * (its own cores, SIMD distance functions, parallel index builds) is faster, so read the
 * pgvector figures as an upper bound on its cost, not as its speed.
 *
 *   node --import tsx bench/search/pgvector.bench.ts                       # 10k and 100k, about 20 min on 2 cores
 *   node --import tsx bench/search/pgvector.bench.ts --n 10000 --ef 40,128
 *
 * Data: the scale bench's (`scale.bench.ts`: --real LFW templates through the engine, cached in
 * the temp dir, and synthetic identities around them, 10 samples each; queries are fresh samples).
 * Each backend is built the way a node rebuilds an index (the registry's clear, add one by one,
 * save: usearch adds to its graph on one thread; pgvector fills its table in batches and builds
 * the HNSW index once at save). Both use the adapters' defaults (M 16, ef_construction 128,
 * f32, or --scalar f16 for pgvector's halfvec; galleries up to --exact-limit faces are scanned exactly, 10,000 as deployed). Then:
 * searches one at a time (k 10) at each --ef, p50/p99 and recall@10 against exact search;
 * --adds single adds into the built index (an enrolment's cost); sizes (usearch: file and RSS
 * growth; pgvector: table and index on disk, and RSS growth of the WASM heap).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import usearch from 'usearch';
import { PgvectorIndexProvider } from '../../src/adapters/index/pgvector-vector.index.js';
import { UsearchIndexProvider } from '../../src/adapters/index/usearch-vector.index.js';
import type { VectorIndex } from '../../src/ports/vector-index.port.js';
import { latency, log, machine, round, writeResult } from './search-common.js';
import { realTemplates, synthesise } from './scale.bench.js';

const D = 512;
const K = 10;
const rssMB = () => process.memoryUsage().rss / 2 ** 20;
const row = (v: Float32Array, r: number) => v.slice(r * D, (r + 1) * D);

/** Exact top-k ids (row + 1) per query: usearch's brute force on every core. */
function truth(vectors: Float32Array, queries: Float32Array): Set<number>[] {
  const nq = queries.length / D;
  const m = usearch.exactSearch(vectors, queries, D, K, usearch.MetricKind.Cos, availableParallelism()) as unknown as { keys: BigUint64Array };
  return Array.from({ length: nq }, (_, i) => new Set(Array.from(m.keys.subarray(i * K, (i + 1) * K), (x) => Number(x) + 1)));
}

async function build(index: VectorIndex, vectors: Float32Array, n: number): Promise<{ addS: number; saveS: number }> {
  const t0 = performance.now();
  await index.clear();
  for (let r = 0; r < n; r++) {
    await index.add(r + 1, row(vectors, r));
    if (n >= 50_000 && (r + 1) % 25_000 === 0) log(`    added ${r + 1}/${n} in ${round((performance.now() - t0) / 1000, 1)} s`);
  }
  const t1 = performance.now();
  index.highWaterMark = n;
  await index.save();
  return { addS: round((t1 - t0) / 1000, 1), saveS: round((performance.now() - t1) / 1000, 1) };
}

async function searches(index: VectorIndex, queries: Float32Array, exact: Set<number>[]) {
  const ms: number[] = [];
  let hits = 0;
  for (let i = 0; i < exact.length; i++) {
    const q = row(queries, i);
    const t0 = performance.now();
    const found = await index.search(q, K);
    ms.push(performance.now() - t0);
    hits += found.filter((h) => exact[i]!.has(h.id)).length;
  }
  return { ...latency(ms), recallAt10: round(hits / (exact.length * K), 4) };
}

/** Single adds into the built index, removed again after (an enrolment, then its deletion). */
async function adds(index: VectorIndex, extra: Float32Array, base: number) {
  const add: number[] = [];
  const remove: number[] = [];
  const m = extra.length / D;
  for (let i = 0; i < m; i++) {
    const t0 = performance.now();
    await index.add(base + i + 1, row(extra, i));
    add.push(performance.now() - t0);
  }
  for (let i = 0; i < m; i++) {
    const t0 = performance.now();
    await index.remove(base + i + 1);
    remove.push(performance.now() - t0);
  }
  return { add: latency(add), remove: latency(remove) };
}

async function usearchRun(n: number, data: ReturnType<typeof synthesise>, exact: Set<number>[], extra: Float32Array, o: Options) {
  const dir = mkdtempSync(join(tmpdir(), 'visage-bench-usearch-'));
  try {
    const before = rssMB();
    const opened = await new UsearchIndexProvider(dir, { exactLimit: o.exactLimit }).open('g', D, n);
    const times = await build(opened.index, data.vectors, n);
    const rss = Math.round(rssMB() - before);
    const file = join(dir, opened.index.mode === 'hnsw' ? 'g.usearch' : 'g.flat');
    const out = { backend: 'usearch', n, mode: opened.index.mode, buildSeconds: round(times.addS + times.saveS, 1), rssGrowthMB: rss, fileMB: round(statSync(file).size / 2 ** 20, 1), search: [] as unknown[], adds: null as unknown };
    for (const ef of o.efs) {
      const view = await new UsearchIndexProvider(dir, { exactLimit: o.exactLimit, expansionSearch: ef }).open('g', D, n);
      out.search.push({ ef: out.mode === 'hnsw' ? ef : null, ...(await searches(view.index, data.queries, exact)) });
      view.index.close();
      if (out.mode !== 'hnsw') break; // ef means nothing to an exact scan
    }
    // After the searches, so that they do not meet the removed vectors' leftovers.
    if (o.adds) out.adds = await adds(opened.index, extra, n);
    opened.index.close();
    log(`  ${JSON.stringify(out)}`);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function pgvectorRun(n: number, data: ReturnType<typeof synthesise>, exact: Set<number>[], extra: Float32Array, o: Options) {
  const dir = mkdtempSync(join(tmpdir(), 'visage-bench-pglite-'));
  const beforeCreate = rssMB();
  const db = await PGlite.create({ dataDir: dir, extensions: { vector } });
  // PGlite reserves its WASM heap up front: growth is counted from the started database.
  const before = rssMB();
  try {
    const p = new PgvectorIndexProvider(db, { exactLimit: o.exactLimit, buildMemory: o.buildMemory, scalar: o.scalar });
    const version = await p.start();
    const opened = await p.open('g', D, n);
    const times = await build(opened.index, data.vectors, n);
    const rss = Math.round(rssMB() - before);
    const tab = (await db.query<{ tab: string }>(`SELECT tab FROM visage_vector_indexes WHERE key = 'g'`)).rows[0]!.tab;
    const size = (await db.query<{ t: number; i: number }>(`SELECT pg_table_size($1)::float8 AS t, pg_indexes_size($1)::float8 AS i`, [tab])).rows[0]!;
    const out = {
      backend: 'pgvector (PGlite)',
      pgvector: version,
      scalar: o.scalar,
      n,
      mode: opened.index.mode,
      buildSeconds: round(times.addS + times.saveS, 1),
      loadSeconds: times.addS,
      indexBuildSeconds: times.saveS,
      pgliteStartMB: Math.round(before - beforeCreate),
      rssGrowthMB: rss,
      tableMB: round(size.t / 2 ** 20, 1),
      indexesMB: round(size.i / 2 ** 20, 1),
      search: [] as unknown[],
      adds: null as unknown,
    };
    for (const ef of o.efs) {
      const view = await new PgvectorIndexProvider(db, { exactLimit: o.exactLimit, expansionSearch: ef, scalar: o.scalar }).open('g', D, n);
      out.search.push({ ef: out.mode === 'hnsw' ? ef : null, ...(await searches(view.index, data.queries, exact)) });
      if (out.mode !== 'hnsw') break;
    }
    // The SELECT alone (ef_search set once for the session): what the adapter's transaction
    // (BEGIN, SET LOCAL, SELECT, COMMIT) and its parsing add on top.
    const bare: number[] = [];
    await db.query(`SET hnsw.ef_search = ${Math.max(K, o.efs.at(-1)!)}`);
    for (let i = 0; i < exact.length; i++) {
      const q = `[${Array.from(row(data.queries, i), (x) => x.toPrecision(9)).join(',')}]`;
      const t0 = performance.now();
      await db.query(`SELECT id FROM ${tab} ORDER BY v <#> $1::${o.scalar === 'f16' ? 'halfvec' : 'vector'} LIMIT ${K}`, [q]);
      bare.push(performance.now() - t0);
    }
    await db.query('RESET hnsw.ef_search');
    Object.assign(out, { selectOnly: { ef: out.mode === 'hnsw' ? Math.max(K, o.efs.at(-1)!) : null, ...latency(bare) } });
    if (o.adds) out.adds = await adds(opened.index, extra, n);
    log(`  ${JSON.stringify(out)}`);
    return out;
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Options {
  efs: number[];
  exactLimit: number;
  adds: number;
  buildMemory: string;
  scalar: 'f32' | 'f16';
}

export async function runPgvectorBench(argv: string[]): Promise<unknown> {
  const { values } = parseArgs({
    args: argv,
    options: {
      n: { type: 'string', default: '10000,100000' },
      real: { type: 'string', default: '1000' },
      queries: { type: 'string', default: '300' },
      ef: { type: 'string', default: '40,128' },
      'exact-limit': { type: 'string', default: '10000' },
      adds: { type: 'string', default: '200' },
      'build-memory': { type: 'string', default: '1GB' },
      scalar: { type: 'string', default: 'f32' },
      backends: { type: 'string', default: 'usearch,pgvector' },
      out: { type: 'string' },
    },
  });
  const sizes = values.n.split(',').map(Number);
  const o: Options = { efs: values.ef.split(',').map(Number), exactLimit: Number(values['exact-limit']), adds: Number(values.adds), buildMemory: values['build-memory'], scalar: values.scalar === 'f16' ? 'f16' : 'f32' };
  const backends = values.backends.split(',');
  const real = await realTemplates(Number(values.real));
  const runs: unknown[] = [];
  const started = machine();
  for (const n of sizes) {
    // The extra vectors for the single adds come from the same identities, after the n indexed ones.
    const data = synthesise(real, n + o.adds, 10, Number(values.queries));
    const extra = data.vectors.slice(n * D);
    const vectors = data.vectors.slice(0, n * D);
    const exact = truth(vectors, data.queries);
    const set = { ...data, vectors };
    log(`n=${n}: load ${loadavg().map((x) => round(x, 2))}`);
    if (backends.includes('usearch')) runs.push({ ...(await usearchRun(n, set, exact, extra, o)), loadAverageAfter: loadavg().map((x) => round(x, 2)) });
    if (backends.includes('pgvector')) runs.push({ ...(await pgvectorRun(n, set, exact, extra, o)), loadAverageAfter: loadavg().map((x) => round(x, 2)) });
  }
  const result = { machine: started, note: 'pgvector runs in PGlite (single-threaded WebAssembly, in this process); a native PostgreSQL is faster', options: { ...o, real: Number(values.real), queries: Number(values.queries), k: K }, runs };
  const name = `search-pgvector-${sizes.join('-')}${o.exactLimit !== 10_000 ? `-exact${o.exactLimit}` : ''}${o.scalar === 'f16' ? '-f16' : ''}`;
  writeResult(values.out ?? join(fileURLToPath(new URL('../results', import.meta.url)), `${name}.json`), result);
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runPgvectorBench(process.argv.slice(2)).then(
    () => process.exit(0),
    (e) => {
      log(`pgvector bench failed: ${(e as Error).stack ?? e}`);
      process.exit(1);
    },
  );
}
