/**
 * Change-feed delay between two nodes on one PostgreSQL, over HTTP on loopback.
 *
 *   node --import tsx bench/scale-out/feed-delay.bench.ts [--trials 300] [--prefill 10000] [--database-url URL] [--out FILE]
 *
 * Two node processes (1 inference worker each), one gallery pre-filled with --prefill random
 * templates (bulk, through node A), so a search walks a real index, not a handful of faces.
 * Each trial, one at a time:
 *   enrol:  POST a fresh random template to node A; from A's answer, search node B with the same
 *           template (limit 1, threshold none) again and again until the top hit is the new face.
 *           Delay = A's answer to the answer of B's first search that finds it.
 *   delete: DELETE that face through node B; from B's answer, search node A until the face is
 *           no longer the top hit. Delay = B's answer to A's first search without it.
 * Also a baseline: the same search on B when nothing changed (what one search costs), and how
 * many searches each delay took (1 means the first search already saw the change: searches
 * read the gallery's mark and catch the index up before answering, docs/scale-out.md).
 * Templates, not photos: the models play no part in the feed. os.loadavg() before and after.
 */
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { encodeTemplate } from '../../src/domain/template.codec.js';
import { RESULTS, benchKey, benchSchema, createGallery, databaseUrl, latency, log, machine, modelKeyOf, pgInfo, randomUnit, round, startNodes, writeResult, type BenchNode } from './cluster.js';

async function topHit(node: BenchNode, key: string, template: string): Promise<string | null> {
  const r = await node.call('POST', '/v1/galleries/feed/search', { key, body: { template, limit: 1, threshold: 'none' } });
  if (r.status !== 200) throw new Error(`search on ${node.name}: ${r.status} ${r.text}`);
  return r.json.faces[0]?.matches[0]?.face.client_id ?? null;
}

/** Searches until `done(top hit)`; the time from `since` to that answer, and how many searches it took. */
async function until(node: BenchNode, key: string, template: string, since: number, done: (hit: string | null) => boolean) {
  for (let n = 1; ; n++) {
    const hit = await topHit(node, key, template);
    if (done(hit)) return { ms: performance.now() - since, searches: n };
    if (n > 1000) throw new Error(`${node.name} never saw the change`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      trials: { type: 'string', default: '300' },
      prefill: { type: 'string', default: '10000' },
      'database-url': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const trials = Number(values.trials);
  const prefill = Number(values.prefill);
  const info = machine();
  log(`scale-out feed delay: ${trials} trials, gallery of ${prefill}; load ${info.loadAverageAtStart.join(' ')}`);
  const schema = await benchSchema(databaseUrl(values['database-url']), 'bench_feed');
  let nodes: BenchNode[] = [];
  try {
    nodes = await startNodes(['feed-a', 'feed-b'], schema.url, { VISAGE_WORKERS: '1' });
    const [a, b] = nodes as [BenchNode, BenchNode];
    const key = await benchKey(a);
    await createGallery(a, key, 'feed');
    const modelKey = await modelKeyOf(a, key);
    const tpl = (v: Float32Array) => encodeTemplate({ modelKey, vector: v });
    for (let i = 0; i < prefill; i += 500) {
      const items = Array.from({ length: Math.min(500, prefill - i) }, (_, j) => ({ id: `fill${i + j}`, template: tpl(randomUnit()) }));
      const r = await a.call('POST', '/v1/galleries/feed/faces/bulk', { key, body: { items } });
      if (r.status !== 200) throw new Error(`prefill: ${r.status} ${r.text.slice(0, 300)}`);
    }
    // Both nodes' indexes hold the prefill before timing (B catches up on its first search).
    const probe = tpl(randomUnit());
    for (let i = 0; i < 20; i++) await Promise.all([topHit(a, key, probe), topHit(b, key, probe)]);

    const baseline: number[] = [];
    const enrolMs: number[] = [];
    const enrolSearches: number[] = [];
    const deleteMs: number[] = [];
    const deleteSearches: number[] = [];
    const load = [loadavg()[0]!];
    for (let i = 0; i < trials; i++) {
      const q0 = performance.now();
      await topHit(b, key, probe);
      baseline.push(performance.now() - q0);

      const template = tpl(randomUnit());
      const id = `t${i}`;
      const e = await a.call('POST', '/v1/galleries/feed/faces', { key, body: { template, id } });
      const acked = performance.now();
      if (e.status !== 200) throw new Error(`enrol: ${e.status} ${e.text}`);
      const seen = await until(b, key, template, acked, (hit) => hit === id);
      enrolMs.push(seen.ms);
      enrolSearches.push(seen.searches);

      const d = await b.call('DELETE', `/v1/galleries/feed/faces/${id}?id_type=client`, { key });
      const deleted = performance.now();
      if (d.status !== 204) throw new Error(`delete: ${d.status} ${d.text}`);
      const gone = await until(a, key, template, deleted, (hit) => hit !== id);
      deleteMs.push(gone.ms);
      deleteSearches.push(gone.searches);
      if ((i + 1) % 50 === 0) {
        load.push(loadavg()[0]!);
        log(`  ${i + 1} trials; enrol->B ${latency(enrolMs).p50} ms p50, delete->A ${latency(deleteMs).p50} ms p50 (load ${round(loadavg()[0]!, 2)})`);
      }
    }
    const searches = (xs: number[]) => ({ max: Math.max(...xs), moreThanOne: xs.filter((x) => x > 1).length });
    const result = {
      machine: info,
      loadAverageAtEnd: loadavg().map((x) => round(x, 2)),
      load1DuringRun: load.map((x) => round(x, 2)),
      postgres: await pgInfo(schema.pool),
      method: { trials, galleryFaces: prefill, nodes: 2, workersPerNode: 1, path: 'HTTP on loopback, template enrol/search/delete, one at a time' },
      searchOnBNothingNew: latency(baseline),
      enrolOnAFoundOnB: { ...latency(enrolMs), searches: searches(enrolSearches) },
      deleteOnBGoneOnA: { ...latency(deleteMs), searches: searches(deleteSearches) },
    };
    log(`  ${JSON.stringify({ baseline: result.searchOnBNothingNew, enrol: result.enrolOnAFoundOnB, delete: result.deleteOnBGoneOnA })}`);
    writeResult(values.out ?? join(RESULTS, 'scale-out-feed-delay.json'), result);
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    await schema.drop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    log(`feed delay bench failed: ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
