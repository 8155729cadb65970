/**
 * Throughput of one node against two on one PostgreSQL, photos/s over HTTP, on this machine.
 *
 *   node --import tsx bench/scale-out/throughput.bench.ts [--setups 1x2,2x1] [--seconds 15] [--runs 3]
 *        [--in-flight 8] [--photos 200] [--endpoints detect,templates,enrol] [--database-url URL] [--out FILE]
 *
 * A setup "NxW" is N node processes with VISAGE_WORKERS=W inference threads each (one
 * onnxruntime intra-op thread per worker), so 1x2 and 2x1 give the models the same two cores,
 * split differently; 2x2 oversubscribes them. Every setup has its own schema on the one
 * PostgreSQL and runs at the same time as the others (idle between its turns), so each round
 * measures the setups back to back and a change in the machine's load hits them alike.
 *
 * Each measurement keeps --in-flight requests going for --seconds, spread round-robin over the
 * setup's nodes (a load balancer's part), each a JSON body with one real LFW photo (250x250,
 * one face; the first photo of the first --photos identities, cycled):
 *   detect     POST /v1/detect                  boxes, landmarks, pose
 *   templates  POST /v1/templates               plus a template per face
 *   enrol      POST /v1/galleries/g/faces       template stored in PostgreSQL and indexed (a new id each)
 * photos/s = answered 2xx / (last answer - first request). The median over --runs rounds is the
 * figure; the ratio is N-node/1-node. CPU ms per photo is the node processes' own (this client
 * excluded), and PostgreSQL's beside it when it runs on this machine. os.loadavg() is recorded before each measurement.
 */
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import {
  RESULTS,
  benchKey,
  benchSchema,
  createGallery,
  databaseUrl,
  latency,
  lfwPhotos,
  log,
  machine,
  median,
  pgCpuMeter,
  pgInfo,
  round,
  startNodes,
  writeResult,
  type BenchNode,
  type BenchSchema,
} from './cluster.js';

const ENDPOINTS = {
  detect: { path: '/v1/detect' },
  templates: { path: '/v1/templates' },
  enrol: { path: '/v1/galleries/g/faces' },
} as const;
type Endpoint = keyof typeof ENDPOINTS;

interface Setup {
  label: string;
  nodes: number;
  workers: number;
  schema: BenchSchema;
  running: BenchNode[];
  key: string;
}

interface Measurement {
  photosPerSecond: number;
  answered: number;
  failed: number;
  seconds: number;
  p50: number;
  p99: number;
  cpuMsPerPhoto: number;
  /** The whole PostgreSQL cluster's CPU in the interval (every setup's schema is on it; only this one is busy). */
  postgresCpuMsPerPhoto: number | null;
  load1: number;
}

let serial = 0;

/** Keeps `inFlight` requests going for `seconds` over the setup's nodes. */
async function measure(s: Setup, ep: Endpoint, photos64: string[], inFlight: number, seconds: number): Promise<Measurement> {
  const load1 = round(loadavg()[0]!, 2);
  const cpu0 = s.running.map((n) => n.cpuMs());
  const pgMeter = await pgCpuMeter(s.schema.pool);
  const ms: number[] = [];
  let answered = 0;
  let failed = 0;
  let next = 0;
  let lastError = '';
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        const k = next++;
        const node = s.running[k % s.running.length]!;
        const image = photos64[k % photos64.length]!;
        // Built as text: the client's JSON.stringify of 20 KB of base64 would take a core's share.
        const body = Buffer.from(ep === 'enrol' ? `{"id":"p${serial++}","image":"${image}"}` : `{"image":"${image}"}`);
        const q0 = performance.now();
        const r = await node.call('POST', ENDPOINTS[ep].path, { key: s.key, body });
        ms.push(performance.now() - q0);
        if (r.status >= 200 && r.status < 300) answered++;
        else {
          failed++;
          lastError = `${r.status} ${r.text.slice(0, 200)}`;
        }
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const cpu = s.running.reduce((a, n, i) => a + n.cpuMs() - cpu0[i]!, 0);
  const pgMs = pgMeter?.stop() ?? null;
  if (failed) log(`    ${failed} failed, last: ${lastError}`);
  const l = latency(ms);
  return { photosPerSecond: round(answered / secs, 2), answered, failed, seconds: round(secs, 2), p50: l.p50, p99: l.p99, cpuMsPerPhoto: round(cpu / Math.max(1, answered), 1), postgresCpuMsPerPhoto: pgMs === null ? null : round(pgMs / Math.max(1, answered), 2), load1 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      setups: { type: 'string', default: '1x2,2x1' },
      seconds: { type: 'string', default: '15' },
      runs: { type: 'string', default: '3' },
      'in-flight': { type: 'string', default: '8' },
      photos: { type: 'string', default: '200' },
      endpoints: { type: 'string', default: 'detect,templates,enrol' },
      'database-url': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const base = databaseUrl(values['database-url']);
  const seconds = Number(values.seconds);
  const runs = Number(values.runs);
  const inFlight = Number(values['in-flight']);
  const endpoints = values.endpoints.split(',') as Endpoint[];
  for (const e of endpoints) if (!(e in ENDPOINTS)) throw new Error(`unknown endpoint ${e}`);
  const photos64 = lfwPhotos(Number(values.photos)).map((b) => b.toString('base64'));
  const info = machine();
  log(`scale-out throughput: ${info.cpu}, ${info.cores} cores; load ${info.loadAverageAtStart.join(' ')}; ${photos64.length} LFW photos, ${inFlight} in flight, ${seconds} s x ${runs} rounds`);

  const setups: Setup[] = [];
  try {
    for (const label of values.setups.split(',')) {
      const [n, w] = label.split('x').map(Number) as [number, number];
      const schema = await benchSchema(base, 'bench_tp');
      const running = await startNodes(
        Array.from({ length: n }, (_, i) => `${label}-n${i + 1}`),
        schema.url,
        { VISAGE_WORKERS: String(w) },
      );
      const key = await benchKey(running[0]!);
      await createGallery(running[0]!, key, 'g');
      setups.push({ label, nodes: n, workers: w, schema, running, key });
      log(`  setup ${label}: ${n} node(s) x ${w} worker(s), schema ${schema.schema}`);
    }
    const pgSettings = await pgInfo(setups[0]!.schema.pool);
    // Warm-up: every node meets the photo sizes and fills its allocators (not timed).
    for (const s of setups) await measure(s, 'templates', photos64, inFlight, 5);

    const results = new Map<string, Measurement[]>();
    for (let r = 1; r <= runs; r++) {
      for (const ep of endpoints) {
        for (const s of setups) {
          const m = await measure(s, ep, photos64, inFlight, seconds);
          const k = `${s.label}/${ep}`;
          results.set(k, [...(results.get(k) ?? []), m]);
          log(`  round ${r} ${k}: ${m.photosPerSecond} photos/s, p50 ${m.p50} ms, p99 ${m.p99} ms, ${m.cpuMsPerPhoto} CPU ms/photo (PostgreSQL ${m.postgresCpuMsPerPhoto}) (load ${m.load1})`);
        }
      }
    }
    const summary = setups.map((s) => ({
      setup: s.label,
      nodes: s.nodes,
      workersPerNode: s.workers,
      endpoints: Object.fromEntries(
        endpoints.map((ep) => {
          const ms = results.get(`${s.label}/${ep}`)!;
          return [ep, { medianPhotosPerSecond: round(median(ms.map((m) => m.photosPerSecond)), 2), medianP50: round(median(ms.map((m) => m.p50)), 1), medianP99: round(median(ms.map((m) => m.p99)), 1), runs: ms }];
        }),
      ),
    }));
    const one = summary.find((s) => s.nodes === 1);
    const ratios = one
      ? Object.fromEntries(
          summary
            .filter((s) => s !== one)
            .map((s) => [`${s.setup}/${one.setup}`, Object.fromEntries(endpoints.map((ep) => [ep, round(s.endpoints[ep]!.medianPhotosPerSecond / one.endpoints[ep]!.medianPhotosPerSecond, 3)]))]),
        )
      : {};
    const result = {
      machine: info,
      loadAverageAtEnd: loadavg().map((x) => round(x, 2)),
      postgres: pgSettings,
      method: { photos: `${photos64.length} LFW photos (first of each identity), JSON base64`, inFlight, seconds, runs, balancing: 'round-robin per request', nodeFlags: '--single-threaded-gc' },
      summary,
      ratios,
    };
    log(`  ratios: ${JSON.stringify(ratios)}`);
    writeResult(values.out ?? join(RESULTS, 'scale-out-throughput.json'), result);
  } finally {
    for (const s of setups) {
      await Promise.all(s.running.map((n) => n.stop()));
      await s.schema.drop();
    }
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    log(`throughput bench failed: ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
