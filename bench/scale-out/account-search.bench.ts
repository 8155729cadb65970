/**
 * Cross-gallery search over galleries on PostgreSQL, and what they take on its disk.
 *
 *   node --import tsx bench/scale-out/account-search.bench.ts [--n 100000] [--galleries 10] [--real 1000]
 *        [--queries 300] [--exact-limit 10000] [--no-search] [--database-url URL] [--out FILE]
 *
 * Load: G galleries of n/G synthetic faces in one account, in a schema of their own, written
 * through the PostgreSQL face store (PgFaceStore.addFaces, batches of 1,000, as a node's bulk
 * enrolment commits them: the face with a client id, a short meta, box, five landmarks and a
 * photo hash, its gallery membership and its account-set membership, the marks). Data as
 * bench/search/scale.bench.ts: real LFW templates through the engine, synthetic identities
 * around them, 10 samples each; queries are fresh samples.
 *
 * Disk: after VACUUM ANALYZE, pg_total_relation_size of each table (heap, TOAST and indexes).
 *
 * Search, with the server's own composition on the same schema (DATABASE_URL,
 * VISAGE_GALLERIES_ON_POSTGRES, defaults: usearch f32, M 16, ef 128, exact under 10,000): a node
 * that starts after the faces were written builds its indexes from PostgreSQL (timed, with the
 * process's RSS growth), then each query is a template through
 *   identifyAccount  the whole account (the account set, one graph; FindFace's identify), and
 *   identify         the G galleries named (one graph each, merged),
 * limit 10, threshold none, the store re-read of the hits included; recall@10 against exact
 * search over every face. --exact-limit is VISAGE_INDEX_EXACT_LIMIT (galleries up to it are
 * scanned exactly; 10 x 10k are, at the default). --no-search stops after the sizes (for a larger load).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import usearch from 'usearch';
import type pg from 'pg';
import { RESULTS, benchSchema, databaseUrl, latency, log, machine, pgInfo, round, writeResult } from './cluster.js';
import { realTemplates, synthesise } from '../search/scale.bench.js';

const D = 512;
const TABLES = ['faces', 'face_galleries', 'face_removals', 'face_thumbnails', 'galleries'];

async function sizes(pool: pg.Pool, faces: number) {
  for (const t of TABLES) await pool.query(`VACUUM ANALYZE ${t}`);
  const r = await pool.query<{ t: string; total: string; heap: string; toast: string; indexes: string }>(
    `SELECT c.relname AS t, pg_total_relation_size(c.oid)::text AS total, pg_relation_size(c.oid)::text AS heap,
            COALESCE(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0)::text AS toast, pg_indexes_size(c.oid)::text AS indexes
     FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY($1::text[])`,
    [TABLES],
  );
  const mb = (x: string) => round(Number(x) / 2 ** 20, 1);
  const tables = Object.fromEntries(r.rows.map((x) => [x.t, { totalMB: mb(x.total), heapMB: mb(x.heap), toastMB: mb(x.toast), indexesMB: mb(x.indexes) }]));
  const total = r.rows.reduce((a, x) => a + Number(x.total), 0);
  return { faces, tables, totalMB: round(total / 2 ** 20, 1), bytesPerFace: Math.round(total / faces), gbPerMillionFaces: round((total / faces) * 1e6 / 1e9, 2) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      n: { type: 'string', default: '100000' },
      galleries: { type: 'string', default: '10' },
      real: { type: 'string', default: '1000' },
      queries: { type: 'string', default: '300' },
      'no-search': { type: 'boolean', default: false },
      'exact-limit': { type: 'string', default: '10000' },
      'database-url': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const n = Number(values.n);
  const G = Number(values.galleries);
  const nq = Number(values.queries);
  const info = machine();
  log(`scale-out account search: ${n} faces in ${G} galleries on PostgreSQL; load ${info.loadAverageAtStart.join(' ')}`);
  const real = await realTemplates(Number(values.real));
  const data = synthesise(real, n, 10, nq);

  const schema = await benchSchema(databaseUrl(values['database-url']), 'bench_acct');
  const dir = mkdtempSync(join(tmpdir(), 'visage-scale-acct-'));
  const { loadConfig } = await import('../../src/config/config.loader.js');
  const { buildFaceService, buildGalleries, loadRealAnalyzer } = await import('../../src/main/services.compose.js');
  const { createPgPool } = await import('../../src/adapters/store/postgres/pg-database.js');
  const { PgFaceStore } = await import('../../src/adapters/store/postgres/pg-face.store.js');
  const { encodeTemplate } = await import('../../src/domain/template.codec.js');
  const { modelKey } = await import('../../src/domain/model.info.js');
  const config = loadConfig({ DATABASE_URL: schema.url, VISAGE_GALLERIES_ON_POSTGRES: 'true', VISAGE_DATA_DIR: dir, VISAGE_LOG_LEVEL: 'silent', VISAGE_INDEX_EXACT_LIMIT: values['exact-limit'] });
  const analyzer = await loadRealAnalyzer(0);
  const faces = buildFaceService(config, analyzer);
  const key = modelKey(faces.embedder);
  let stack: ReturnType<typeof buildGalleries> | undefined;
  const writerPool = createPgPool(schema.url, { max: 2 });
  const writer = new PgFaceStore(writerPool, async () => void (await writerPool.end()));
  try {
    // The galleries through the core (it makes the account set), the faces through the store.
    const setup = buildGalleries(config, faces, { info: () => undefined, warn: (o, m) => log(`  warn: ${m} ${JSON.stringify(o)}`) });
    const gs = setup.galleries.scoped('bench');
    for (let i = 0; i < G; i++) await gs.createGallery({ name: `g${i}` });
    await setup.close();
    const ids = new Map<number, number>(); // face id -> row of data.vectors
    const t0 = performance.now();
    for (let gi = 0; gi < G; gi++) {
      const gallery = (await writer.getGallery('bench', `g${gi}`))!;
      const rows: number[] = [];
      for (let r = 0; r < n; r++) if (data.identityOf[r]! % G === gi) rows.push(r);
      for (let s = 0; s < rows.length; s += 1000) {
        const batch = rows.slice(s, s + 1000);
        const { results } = await writer.addFaces(
          gallery.id,
          batch.map((r) => ({
            clientId: `p${r}`,
            meta: { n: r },
            box: { x1: 40, y1: 52, x2: 168, y2: 196 },
            landmarks: [[75, 110], [133, 110], [104, 140], [80, 170], [128, 170]].map(([x, y]) => ({ x: x!, y: y! })),
            photoHash: r.toString(16).padStart(64, '0'),
            vector: data.vectors.slice(r * D, (r + 1) * D),
          })),
        );
        results.forEach((x, i) => {
          if (!x.ok) throw new Error(`write failed: ${x.code}`);
          ids.set(x.face.id, batch[i]!);
        });
      }
      log(`  g${gi}: ${rows.length} faces, ${round((performance.now() - t0) / 1000, 1)} s so far`);
    }
    const writeSeconds = (performance.now() - t0) / 1000;
    const disk = await sizes(schema.pool, n);
    log(`  written in ${round(writeSeconds, 1)} s (${round(n / writeSeconds)} faces/s); disk ${JSON.stringify(disk)}`);
    const result: Record<string, unknown> = {
      machine: info,
      postgres: await pgInfo(schema.pool),
      data: { n, galleries: G, perGallery: Math.round(n / G), real: real.length / D, sameIdentityCosine: data.sameCos, otherIdentityCosine: data.otherCos },
      write: { path: 'PgFaceStore.addFaces, batches of 1,000, one writer', seconds: round(writeSeconds, 1), facesPerSecond: round(n / writeSeconds) },
      disk,
    };

    if (!values['no-search']) {
      const rss0 = process.memoryUsage().rss;
      const b0 = performance.now();
      stack = buildGalleries(config, faces, { info: () => undefined, warn: (o, m) => log(`  warn: ${m} ${JSON.stringify(o)}`) });
      await stack.warmUp();
      const buildSeconds = (performance.now() - b0) / 1000;
      const rssGrowthMB = round((process.memoryUsage().rss - rss0) / 2 ** 20);
      log(`  a late node built its indexes from PostgreSQL in ${round(buildSeconds, 1)} s (RSS +${rssGrowthMB} MB)`);
      const g = stack.galleries.scoped('bench');
      const names = Array.from({ length: G }, (_, i) => `g${i}`);
      const exact = usearch.exactSearch(data.vectors, data.queries, D, 10, usearch.MetricKind.Cos, availableParallelism()) as unknown as { keys: BigUint64Array };
      const tpl = (i: number) => ({ template: encodeTemplate({ modelKey: key, vector: data.queries.slice(i * D, (i + 1) * D) }) });
      const run = async (search: (i: number) => Promise<{ probes: { matches: { face: { id: number } }[] }[] }>) => {
        for (let i = 0; i < 20; i++) await search(i); // warm-up
        const ms: number[] = [];
        let hits = 0;
        const load1 = round(loadavg()[0]!, 2);
        for (let i = 0; i < nq; i++) {
          const q0 = performance.now();
          const r = await search(i);
          ms.push(performance.now() - q0);
          const want = new Set(Array.from(exact.keys.subarray(i * 10, (i + 1) * 10)).map(Number));
          hits += (r.probes[0]?.matches ?? []).filter((m) => want.has(ids.get(m.face.id)!)).length;
        }
        return { ...latency(ms), recallAt10: round(hits / (nq * 10), 4), load1 };
      };
      const account = await run((i) => g.identifyAccount(tpl(i), { limit: 10, threshold: 'none' }));
      log(`  identifyAccount: ${JSON.stringify(account)}`);
      const named = await run((i) => g.identify(names, tpl(i), { limit: 10, threshold: 'none' }));
      log(`  identify ${G} galleries: ${JSON.stringify(named)}`);
      result.indexBuild = { seconds: round(buildSeconds, 1), rssGrowthMB, note: 'a node starting after the writes: every gallery and the account set built from PostgreSQL' };
      result.search = { path: `GalleryService in-process (no HTTP), template probes, limit 10, threshold none; server defaults f32, M 16, ef 128, exact up to ${values['exact-limit']} faces`, identifyAccount: account, identifyNamedGalleries: named };
    }
    result.loadAverageAtEnd = loadavg().map((x) => round(x, 2));
    const suffix = values['exact-limit'] === '10000' ? '' : `-exact${values['exact-limit']}`;
    writeResult(values.out ?? join(RESULTS, `scale-out-account-search-${n}${suffix}.json`), result);
  } finally {
    await stack?.close();
    await writer.close();
    await analyzer.close();
    await schema.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    log(`account search bench failed: ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
