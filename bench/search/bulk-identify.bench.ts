/**
 * Search at scale on SQLite and on PostgreSQL, through the real store, the real usearch adapter
 * (its defaults: cosine, f32, M 16, ef 128) and the core's identify path, on stores filled by the
 * bulk loader (bulk-load.ts) with their graphs in place, so nothing is rebuilt:
 *   - one gallery of 1M: `GalleryService.identify(['web'])` (the FaceCheck bench's search index);
 *   - one account of 10 galleries × 100k: `identifyAccount` (the account set's one index: the
 *     FindFace dialect's identify without galleries), and the 10 galleries named together
 *     (`identify(['g0', …, 'g9'])`: one graph per gallery, merged).
 * Each query is a template (a fresh synthetic sample, bulk-data.ts), one at a time, k = 10,
 * `threshold: 'none'`; its time includes the index search and the store's re-read of the hits,
 * as a request would. recall@10 against exact search (usearch brute force) over every face.
 * A search that finds its index unusable would rebuild it: any such warning fails the bench.
 * Others share these 2 cores, so right before each identify the same query is also run on the
 * 1M graph alone (loaded apart, searched directly): each row gives that figure too, and the
 * median difference per query, the part of the core and the store.
 *
 *   eval "$(scripts/test-postgres.sh start)"
 *   node --import tsx bench/search/bulk-identify.bench.ts --n 1000000 --galleries 10 --database-url "$TEST_DATABASE_URL"
 *
 * PostgreSQL: two databases of the bench's own in that cluster (`<db>_bench_one`,
 * `<db>_bench_split`), created when missing; galleries on PostgreSQL
 * (VISAGE_GALLERIES_ON_POSTGRES=true). First run: the graphs (bulk-graph.ts; 15-40 min for the
 * 1M one on 2 cores) and the loads (minutes); later runs reuse bench/.cache/.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import usearch from 'usearch';
import { benchSet, cacheDir, D, type BenchSet } from './bulk-data.js';
import { allName, graph, graphDir } from './bulk-graph.js';
import { ACCOUNT, INDEX_NAME, loadPostgres, loadSqlite, MODEL_KEY, type Layout, type Loaded } from './bulk-load.js';
import { latency, log, machine, round, writeResult } from './search-common.js';
import type { FaceAnalyzer } from '../../src/ports/face-analyzer.port.js';

/** Exact top-10 face ids per query, cached beside the graphs (a 1M × 300 brute force is a minute here). */
function truth(set: BenchSet): number[][] {
  const file = join(graphDir(set), `truth-q${set.queries.length / D}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as number[][];
  const t0 = performance.now();
  const m = usearch.exactSearch(set.vectors, set.queries, D, 10, usearch.MetricKind.Cos, availableParallelism()) as unknown as { keys: BigUint64Array };
  const nq = set.queries.length / D;
  const out = Array.from({ length: nq }, (_, i) => Array.from(m.keys.subarray(i * 10, (i + 1) * 10), (k) => Number(k) + 1));
  mkdirSync(graphDir(set), { recursive: true });
  writeFileSync(file, JSON.stringify(out));
  log(`  exact top-10 of ${nq} queries in ${round((performance.now() - t0) / 1000, 1)} s`);
  return out;
}

type Graph = InstanceType<typeof usearch.Index>;

/**
 * The 1M graph searched directly (usearch, ef 128, one thread, as the adapter searches): timed
 * right before each identify with the same query, so each row says what the graph alone cost at
 * that moment's load (others share these 2 cores) and the rest is the core and the store.
 */
function openGraphAlone(set: BenchSet): Graph {
  const file = graph(set, allName, null);
  const ix = new usearch.Index({ dimensions: D, metric: usearch.MetricKind.Cos, quantization: usearch.ScalarKind.F32, connectivity: 16, expansion_add: 128, expansion_search: 128, multi: false });
  ix.load(file.path);
  return ix;
}

/** Creates the database `name` in the cluster of `url` when missing; its URL. */
async function ensureDatabase(url: string, name: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const has = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (has.rowCount === 0) await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

type Engine = 'sqlite' | 'postgres';

interface Case {
  search: string;
  run: (g: import('../../src/core/gallery.service.js').GalleryService, probe: { template: string }) => Promise<{ probes: { matches: { face: { id: number } }[] }[] }>;
}

async function measure(engine: Engine, layout: Layout, set: BenchSet, exact: number[][], cases: Case[], where: { dataDir: string; url?: string }, loaded: Loaded, analyzer: FaceAnalyzer, alone: Graph) {
  const { loadConfig } = await import('../../src/config/config.loader.js');
  const { buildFaceService, buildGalleries } = await import('../../src/main/services.compose.js');
  const { encodeTemplate } = await import('../../src/domain/template.codec.js');
  const { modelKey } = await import('../../src/domain/model.info.js');
  const env: Record<string, string> = { VISAGE_DATA_DIR: where.dataDir, VISAGE_LOG_LEVEL: 'silent' };
  if (where.url) Object.assign(env, { DATABASE_URL: where.url, VISAGE_GALLERIES_ON_POSTGRES: 'true' });
  const config = loadConfig(env);
  const faces = buildFaceService(config, analyzer);
  if (modelKey(faces.embedder) !== MODEL_KEY) throw new Error(`the engine is ${modelKey(faces.embedder)}, the bench data ${MODEL_KEY}`);
  const warnings: string[] = [];
  const stack = buildGalleries(config, faces, { info: () => undefined, warn: (o, m) => warnings.push(`${m} ${JSON.stringify(o)}`) });
  const g = stack.galleries.scoped(ACCOUNT);
  const tpl = (i: number) => ({ template: encodeTemplate({ modelKey: MODEL_KEY, vector: set.queries.slice(i * D, (i + 1) * D) }) });
  const out = [];
  try {
    for (const c of cases) {
      const o0 = performance.now();
      await c.run(g, tpl(0)); // opens (hashes and loads) the index files
      const openSeconds = round((performance.now() - o0) / 1000, 1);
      if (warnings.length > 0) throw new Error(`${engine} ${c.search}: ${warnings.join('; ')}`);
      for (let i = 1; i <= 20; i++) await c.run(g, tpl(i)); // warm caches (SQLite pages, PostgreSQL buffers)
      const ms: number[] = [];
      const graphMs: number[] = [];
      const overMs: number[] = [];
      let hits = 0;
      const nq = exact.length;
      for (let i = 0; i < nq; i++) {
        const q = tpl(i);
        const v = set.queries.slice(i * D, (i + 1) * D);
        const g0 = performance.now();
        alone.search(v, 10, 1);
        const t0 = performance.now();
        const r = await c.run(g, q);
        const t1 = performance.now();
        ms.push(t1 - t0);
        graphMs.push(t0 - g0);
        overMs.push(t1 - t0 - (t0 - g0));
        const want = new Set(exact[i]);
        hits += (r.probes[0]?.matches ?? []).filter((m) => want.has(m.face.id)).length;
      }
      const row = {
        engine,
        layout: layout.kind,
        search: c.search,
        faces: set.n,
        openSeconds,
        loadAverage: loadavg().map((x) => round(x, 2)),
        ...latency(ms),
        recallAt10: round(hits / (nq * 10), 4),
        graphAloneP50: latency(graphMs).p50,
        graphAloneP99: latency(graphMs).p99,
        minusGraphP50: latency(overMs).p50,
      };
      log(`  ${JSON.stringify(row)}`);
      out.push(row);
    }
  } finally {
    await stack.close();
  }
  if (warnings.length > 0) throw new Error(`${engine}: ${warnings.join('; ')}`);
  return { loadSeconds: loaded.loadSeconds, loadCached: loaded.cached, rows: out };
}

export async function runBulkIdentifyBench(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      n: { type: 'string', default: '1000000' },
      galleries: { type: 'string', default: '10' },
      queries: { type: 'string', default: '300' },
      engines: { type: 'string', default: 'sqlite,postgres' },
      'database-url': { type: 'string', default: process.env.TEST_DATABASE_URL ?? '' },
      out: { type: 'string' },
    },
  });
  const started = machine();
  log(`bulk identify: load average at start ${started.loadAverageAtStart}`);
  const n = Number(values.n);
  const G = Number(values.galleries);
  const set = await benchSet(n, Number(values.queries));
  const exact = truth(set);
  const engines = values.engines.split(',') as Engine[];
  if (engines.includes('postgres') && !values['database-url']) throw new Error('--database-url (or TEST_DATABASE_URL) is needed for postgres');
  const one: Case[] = [{ search: `identify one gallery of ${n}`, run: (g, p) => g.identify([INDEX_NAME], p, { limit: 10, threshold: 'none' }) }];
  const names = Array.from({ length: G }, (_, i) => `g${i}`);
  const split: Case[] = [
    { search: `identifyAccount over ${G} galleries × ${n / G}`, run: (g, p) => g.identifyAccount(p, { limit: 10, threshold: 'none' }) },
    { search: `identify ${G} galleries named together`, run: (g, p) => g.identify(names, p, { limit: 10, threshold: 'none' }) },
  ];
  const layouts: [Layout, Case[]][] = [
    [{ kind: 'one' }, one],
    [{ kind: 'split', galleries: G }, split],
  ];
  // Every store loaded (or found loaded) first: then the 2 GB of vectors can go.
  const runs: { engine: Engine; layout: Layout; cases: Case[]; where: { dataDir: string; url?: string }; loaded: Loaded }[] = [];
  for (const engine of engines) {
    for (const [layout, cases] of layouts) {
      const tag = `${layout.kind}-${n}`;
      if (engine === 'sqlite') {
        const where = { dataDir: join(cacheDir(), `sqlite-${tag}`) };
        runs.push({ engine, layout, cases, where, loaded: await loadSqlite(set, layout, where.dataDir) });
      } else {
        const base = new URL(values['database-url']).pathname.slice(1) || 'visage';
        const url = await ensureDatabase(values['database-url'], `${base}_bench_${layout.kind}`);
        const where = { dataDir: join(cacheDir(), `pg-node-${tag}`), url };
        runs.push({ engine, layout, cases, where, loaded: await loadPostgres(set, layout, url, where.dataDir) });
      }
    }
  }
  const alone = openGraphAlone(set);
  (set as { vectors: Float32Array }).vectors = new Float32Array(0);
  const results: Record<string, unknown>[] = [];
  // Identify by template runs no inference; the engine is there because the services are built on it (in this thread).
  const { loadRealAnalyzer } = await import('../../src/main/services.compose.js');
  const analyzer = await loadRealAnalyzer(0);
  for (const r of runs) {
    const m = await measure(r.engine, r.layout, set, exact, r.cases, r.where, r.loaded, analyzer, alone);
    results.push({ engine: r.engine, layout: r.layout.kind, ...m });
  }
  await analyzer.close();
  const result = {
    machine: started,
    loadAverageAtEnd: loadavg().map((x) => round(x, 2)),
    data: { n, realLfwFaces: set.real.faces.length, synthetic: n - set.real.faces.length, perIdentity: 10, sameIdentityCosine: set.sameCos, otherIdentityCosine: set.otherCos, queries: exact.length, galleries: G },
    path: 'GalleryService.identify / identifyAccount (usearch adapter defaults f32, M 16, ef 128; store re-read of the hits), one query at a time; graphAlone*: the 1M graph searched directly with the same query right before; minusGraphP50: median of (identify - graph alone) per query',
    results,
  };
  writeResult(values.out ?? join(fileURLToPath(new URL('../results', import.meta.url)), `search-bulk-identify-${n}.json`), result);
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runBulkIdentifyBench(process.argv.slice(2)).then(
    () => process.exit(0),
    (e) => {
      log(`bulk identify bench failed: ${(e as Error).stack ?? e}`);
      process.exit(1);
    },
  );
}
