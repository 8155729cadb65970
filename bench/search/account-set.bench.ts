/**
 * Whole-account search through the core: G galleries of n/G synthetic faces in ONE account,
 * searched with `GalleryService.identifyAccount` (the account set's one index; the FindFace
 * dialect's `identify`), with the real SQLite store, the real usearch adapter and its defaults
 * (cosine, M 16, ef_add 128, ef 128, f32). Each query is a template; its time includes the index
 * search and re-reading the hits from the store, as a request would. recall@10 is against exact
 * search over every face of the account.
 *
 *   node --import tsx bench/search/account-set.bench.ts --n 200000 --galleries 10 --real 1000
 *
 * Data as bench/search/scale.bench.ts (its `synthesise`): real LFW templates through the engine,
 * synthetic identities around them, 10 samples each, queries fresh samples. Identity j goes to
 * gallery j mod G, as in the scale bench's multi-gallery case.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import usearch from 'usearch';
import { latency, log, machine, round, writeResult } from './search-common.js';
import { realTemplates, synthesise } from './scale.bench.js';

const D = 512;

export async function runAccountSetBench(argv: string[]): Promise<unknown> {
  const { values } = parseArgs({
    args: argv,
    options: {
      n: { type: 'string', default: '200000' },
      galleries: { type: 'string', default: '10' },
      real: { type: 'string', default: '1000' },
      queries: { type: 'string', default: '300' },
      out: { type: 'string' },
    },
  });
  const n = Number(values.n);
  const G = Number(values.galleries);
  const nq = Number(values.queries);
  log(`account set: n=${n} in ${G} galleries of one account`);
  const real = await realTemplates(Number(values.real));
  const data = synthesise(real, n, 10, nq);
  log(`  synthetic: same-identity cosine ${data.sameCos}, other identities ${data.otherCos}`);

  const { loadConfig } = await import('../../src/config/config.loader.js');
  const { buildFaceService, buildGalleries, loadRealAnalyzer } = await import('../../src/main/services.compose.js');
  const { encodeTemplate } = await import('../../src/domain/template.codec.js');
  const { modelKey } = await import('../../src/domain/model.info.js');
  const dir = mkdtempSync(join(tmpdir(), 'visage-account-set-'));
  const config = loadConfig({ VISAGE_DATA_DIR: dir, VISAGE_LOG_LEVEL: 'silent' });
  const analyzer = await loadRealAnalyzer(0);
  const faces = buildFaceService(config, analyzer);
  const stack = buildGalleries(config, faces, { info: () => undefined, warn: (o, m) => log(`  warn: ${m} ${JSON.stringify(o)}`) });
  const key = modelKey(faces.embedder);
  const tpl = (v: Float32Array) => encodeTemplate({ modelKey: key, vector: v });
  try {
    const g = stack.galleries.scoped('bench');
    for (let i = 0; i < G; i++) await g.createGallery({ name: `g${i}` });
    // Face id of each row, to score the search against exact search.
    const rowOfId = new Map<number, number>();
    const t0 = performance.now();
    for (let gi = 0; gi < G; gi++) {
      const rows: number[] = [];
      for (let r = 0; r < n; r++) if (data.identityOf[r]! % G === gi) rows.push(r);
      for (let s = 0; s < rows.length; s += 1000) {
        const batch = rows.slice(s, s + 1000);
        const res = await g.enrolBulk(`g${gi}`, batch.map((r) => ({ template: tpl(data.vectors.slice(r * D, (r + 1) * D)) })));
        res.forEach((x, i) => {
          if (!x.ok) throw new Error(`enrol failed: ${x.code}`);
          rowOfId.set(x.face.id, batch[i]!);
        });
      }
      log(`    gallery g${gi}: ${rows.length} faces, ${round((performance.now() - t0) / 1000, 1)} s so far`);
    }
    const buildSeconds = (performance.now() - t0) / 1000;
    const exact = usearch.exactSearch(data.vectors, data.queries, D, 10, usearch.MetricKind.Cos, availableParallelism()) as unknown as { keys: BigUint64Array };
    const ms: number[] = [];
    let hits = 0;
    for (let i = 0; i < nq; i++) {
      const probe = { template: tpl(data.queries.slice(i * D, (i + 1) * D)) };
      const q0 = performance.now();
      const r = await g.identifyAccount(probe, { limit: 10, threshold: 'none' });
      ms.push(performance.now() - q0);
      const want = new Set(Array.from(exact.keys.subarray(i * 10, (i + 1) * 10)).map(Number));
      hits += (r.probes[0]?.matches ?? []).filter((m) => want.has(rowOfId.get(m.face.id)!)).length;
    }
    const result = {
      machine: machine(),
      data: { n, galleries: G, perGallery: Math.round(n / G), real: real.length / D, sameIdentityCosine: data.sameCos, otherIdentityCosine: data.otherCos, queries: nq },
      path: 'GalleryService.identifyAccount (account set index + store re-read), adapter defaults (f32, M 16, ef_add 128, ef 128)',
      enrolSeconds: round(buildSeconds, 1),
      ...latency(ms),
      recallAt10: round(hits / (nq * 10), 4),
    };
    log(`  account-wide identify: ${JSON.stringify(result)}`);
    writeResult(values.out ?? join(fileURLToPath(new URL('../results', import.meta.url)), `search-account-set-${n}.json`), result);
    return result;
  } finally {
    await stack.close();
    await analyzer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runAccountSetBench(process.argv.slice(2)).then(
    () => process.exit(0),
    (e) => {
      log(`account set bench failed: ${(e as Error).stack ?? e}`);
      process.exit(1);
    },
  );
}
