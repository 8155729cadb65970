/**
 * Reverse face search end to end, in process: the server's own composition (real engine,
 * SQLite store, usearch index, durable job queue and runner, FaceSearchService), timed from
 * upload to final result, one search at a time and 20 at once.
 *
 *   node --import tsx bench/search/face-search.bench.ts --n 50000          # about 10 min on 2 cores
 *   node --import tsx bench/search/face-search.bench.ts --n 1000000        # the size: hours here
 *
 * Index: --people real LFW identities indexed through the full path (SearchIndexService.addPhoto:
 * detection, template, WEBP thumbnail, source row), then synthetic faces up to --n: perturbed
 * copies of --real real LFW templates, made as bench/search/scale.bench.ts makes them (identity
 * centres normalise(real + g·0.0675), samples normalise(centre + g·0.036)), enrolled as templates
 * through GalleryService.enrolBulk (no photo, so no thumbnail) with a made-up source row written
 * straight into the search-index store. Probes: each indexed person's second LFW photo.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config/config.loader.js';
import { buildJobs, buildLocalStack, databasePath } from '../../src/main/services.compose.js';
import { buildFaceSearch } from '../../src/main/face-search.compose.js';
import { leaseDatabase } from '../../src/main/database.compose.js';
import { SqliteSearchIndexStore } from '../../src/adapters/store/sqlite/sqlite-search-index.store.js';
import { encodeTemplate } from '../../src/domain/template.codec.js';
import { modelKey } from '../../src/domain/model.info.js';
import { DEFAULT_ACCOUNT } from '../../src/ports/face-store.port.js';
import { realTemplates, synthesise } from './scale.bench.js';
import { latency, lfwIdentities, log, machine, round, writeResult } from './search-common.js';

const D = 512;

export async function runFaceSearchBench(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      n: { type: 'string', default: '50000' },
      people: { type: 'string', default: '40' },
      real: { type: 'string', default: '1000' },
      searches: { type: 'string', default: '30' },
      concurrent: { type: 'string', default: '20' },
      out: { type: 'string' },
    },
  });
  const n = Number(values.n);
  const people = Number(values.people);
  const real = await realTemplates(Number(values.real));
  const dir = mkdtempSync(join(tmpdir(), 'visage-facesearch-'));
  const config = loadConfig({ VISAGE_DATA_DIR: dir, VISAGE_LOG_LEVEL: 'silent' });
  const stack = await buildLocalStack(config);
  const jobs = buildJobs(config, { info() {}, warn() {} });
  const search = buildFaceSearch(config, { faces: stack.faces, galleries: stack.galleries, jobs: jobs.jobs });
  const lease = leaseDatabase(databasePath(config));
  const sources = new SqliteSearchIndexStore(lease.db);
  await jobs.start();
  try {
    const fs = search.faceSearch.scoped(DEFAULT_ACCOUNT);
    const indexes = fs.indexes;
    const g = await indexes.create('bench');
    const t0 = performance.now();
    const persons = lfwIdentities().filter((i) => i.photos.length >= 2).slice(0, people);
    for (const [i, p] of persons.entries()) {
      await indexes.addPhoto('bench', { url: `https://example.org/lfw/${i}.jpg`, bytes: readFileSync(p.photos[0]!) });
    }
    const realS = (performance.now() - t0) / 1000;
    log(`  ${persons.length} real people indexed through addPhoto in ${round(realS, 1)} s`);
    const synthN = Math.max(0, n - persons.length);
    const data = synthesise(real, synthN, 10, 1);
    const key = modelKey(stack.faces.embedder);
    const galleries = stack.galleries;
    const t1 = performance.now();
    for (let s = 0; s < synthN; s += 1000) {
      const m = Math.min(1000, synthN - s);
      const items = Array.from({ length: m }, (_, i) => ({
        template: encodeTemplate({ modelKey: key, vector: data.vectors.slice((s + i) * D, (s + i + 1) * D) }),
        clientId: `syn-${s + i}`,
      }));
      const r = await galleries.enrolBulk('bench', items);
      const rows = r.flatMap((x, i) => (x.ok ? [{ faceId: x.face.id, url: `https://example.net/synthetic/${s + i}`, group: s + i, guid: `syn-${s + i}`, faceIndex: 0, box: null, webp: null }] : []));
      await sources.addSources(g.id, rows);
      if ((s / 1000) % 10 === 9) log(`    synthetic ${s + m}/${synthN} in ${round((performance.now() - t1) / 1000, 1)} s`);
    }
    const fillS = (performance.now() - t1) / 1000;
    log(`  ${synthN} synthetic faces enrolled as templates in ${round(fillS, 1)} s`);

    // One search: upload → start → poll (10 ms) → result. First progress: the first read above 0.
    const one = async (i: number) => {
      const p = persons[i % persons.length]!;
      const bytes = readFileSync(p.photos[1]!);
      const s0 = performance.now();
      const up = await fs.upload([bytes]);
      await fs.start(up.id, { index: 'bench' });
      let first: number | null = null;
      for (;;) {
        const v = await fs.get(up.id);
        if (first === null && v.progress > 0) first = performance.now() - s0;
        if (v.state === 'succeeded' || v.state === 'failed' || v.state === 'cancelled') {
          const ms = performance.now() - s0;
          const top = v.result?.items[0];
          await fs.delete(up.id);
          return { ms, first: first ?? ms, ok: v.state === 'succeeded', topRight: top?.url === `https://example.org/lfw/${i % persons.length}.jpg`, score: top?.score ?? 0, searched: v.result?.searchedFaces ?? 0 };
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await one(0); // warm-up (index load, engine caches)
    const seq = [];
    for (let i = 0; i < Number(values.searches); i++) seq.push(await one(i));
    const sequential = {
      total: latency(seq.map((r) => r.ms)),
      firstProgress: latency(seq.map((r) => r.first)),
      succeeded: seq.filter((r) => r.ok).length,
      personFirst: seq.filter((r) => r.topRight).length,
      topScoreMedian: [...seq.map((r) => r.score)].sort((a, b) => a - b)[Math.floor(seq.length / 2)],
      searchedFaces: seq[0]?.searched,
    };
    log(`  one at a time: ${JSON.stringify(sequential)}`);
    const c = Number(values.concurrent);
    const tc = performance.now();
    const par = await Promise.all(Array.from({ length: c }, (_, i) => one(i)));
    const wallS = (performance.now() - tc) / 1000;
    const concurrent = {
      searches: c,
      jobConcurrency: config.jobConcurrency,
      wallSeconds: round(wallS, 2),
      perSecond: round(c / wallS, 2),
      total: latency(par.map((r) => r.ms)),
      firstProgress: latency(par.map((r) => r.first)),
      succeeded: par.filter((r) => r.ok).length,
      personFirst: par.filter((r) => r.topRight).length,
    };
    log(`  ${c} at once: ${JSON.stringify(concurrent)}`);
    const result = { machine: machine(), index: { faces: n, realPeople: persons.length, realIndexSeconds: round(realS, 1), synthetic: synthN, syntheticFrom: real.length / D, fillSeconds: round(fillS, 1), sameIdentityCosine: data.sameCos, otherIdentityCosine: data.otherCos }, sequential, concurrent };
    writeResult(values.out ?? join(fileURLToPath(new URL('../results', import.meta.url)), `face-search-${n}.json`), result);
    return result;
  } finally {
    await jobs.close();
    search.close();
    lease.release();
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runFaceSearchBench(process.argv.slice(2)).then(
    () => process.exit(0),
    (e) => {
      log(`face-search bench failed: ${(e as Error).stack ?? e}`);
      process.exit(1);
    },
  );
}
