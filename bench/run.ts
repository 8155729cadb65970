/**
 * `npm run bench`: Visage against face-api and Human on real photos, photo → templates.
 *
 *   npm run bench:setup                 # once: installs the peers into bench/peers/node_modules
 *   npm run bench                       # photos benchmark, about two minutes on 2 cores
 *   npm run bench -- --photos 12        # fewer photos (or more)
 *   npm run bench -- --engines visage   # only some engines (visage,face-api,human)
 *   npm run bench -- http               # the HTTP server under load (see bench/http.ts)
 *   npm run bench -- http --path /v1/templates --duration 30 --connections 32 --query min_face_size=20
 *   npm run bench -- search [lfw|scale]  # galleries: LFW identification, HNSW at scale (bench/search/)
 *
 * Photos are decoded once (sharp, timed); then for each engine in turn, alone on the machine:
 *   throughput: Visage's worker pool at its default size against the same number of child
 *     processes per peer, every process kept busy until --min-seconds have passed (whole passes);
 *   stages: one thread, one pass, detect / landmarks per face / template per face / total.
 * Results print as tables and go to bench/results/latest.json (--out to change).
 * See docs/benchmarks.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { SharpDecoder } from '../src/adapters/image/sharp-decoder.adapter.js';
import type { RgbImage } from '../src/domain/face.model.js';
import { hasNodeFlags, NODE_FLAGS } from '../src/main/node-flags.js';
import { runHttpBench } from './http.js';
import { PeerProcess, peersInstalled } from './peer-engine.js';
import type { PeerName, PhotoRef, StageTimes } from './peer-protocol.js';
import { evalDir, selectPhotos, type PhotoFile } from './photos.js';
import { dist, printReport, ratios, round, summariseStages, type EngineResult, type Throughput } from './report.js';
import { ANALYZE, loadStages, startPool } from './visage-engine.js';

const ENGINES = ['visage', 'face-api', 'human'] as const;
type EngineName = (typeof ENGINES)[number];
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const log = (s: string) => process.stdout.write(s + '\n');
const now = () => performance.now();

function machine() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  return {
    date: new Date().toISOString(),
    visageVersion: pkg.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    os: `${platform()} ${release()}`,
    node: process.version,
    loadAverageAtStart: loadavg().map((x) => round(x)),
  };
}

/**
 * Keeps `lanes` callers busy on photos 0..n-1, pass after pass, and starts no new pass once
 * minSeconds have passed; the time runs from the first start to the last finish.
 */
async function drive(lanes: number, n: number, minSeconds: number, runOne: (lane: number, index: number) => Promise<number>) {
  let next = 0;
  let faces = 0;
  let done = 0;
  const start = now();
  const take = (): number | undefined => {
    if (next > 0 && next % n === 0 && (now() - start) / 1000 >= minSeconds) return undefined;
    return next++ % n;
  };
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let i = take(); i !== undefined; i = take()) {
        const found = await runOne(lane, i); // (not `faces += await …`: that reads faces before awaiting)
        faces += found;
        done++;
      }
    }),
  );
  const seconds = (now() - start) / 1000;
  return { photos: done, faces, seconds, passes: done / n };
}

function throughput(processes: number, r: Awaited<ReturnType<typeof drive>>, cpuMs: number): Throughput {
  return {
    processes,
    cpuMsPerPhoto: round(cpuMs / r.photos, 1),
    passes: round(r.passes, 2),
    photos: r.photos,
    faces: r.faces,
    seconds: round(r.seconds),
    photosPerSecond: round(r.photos / r.seconds),
    facesPerSecond: round(r.faces / r.seconds),
  };
}

async function benchVisage(images: RgbImage[], workers: number, minSeconds: number, stages: boolean): Promise<EngineResult> {
  log(`\n[visage] starting a pool of ${workers} worker threads…`);
  const pool = await startPool(workers);
  const result: EngineResult = {
    engine: 'visage',
    version: machine().visageVersion,
    config: `worker pool of ${workers} (onnxruntime, 1 intra-op thread each); analyze minFaceSize ${ANALYZE.minFaceSize}, maxFaces ${ANALYZE.maxFaces}, templates, no attributes (head pose is always estimated)`,
  };
  try {
    // Warm-up, as for the peers: as many untimed passes over the set as there are workers, so
    // every worker has likely met every photo (first runs of a size allocate and plan).
    for (let k = 0; k < workers; k++) await drive(2 * workers, images.length, 0, async (_, i) => (await pool.analyze(images[i]!, ANALYZE)).faces.length);
    log(`[visage] throughput, ${workers} workers, ≥ ${minSeconds} s…`);
    // Two requests per worker in flight: the pool hands each worker its next photo while it runs one.
    const cpu0 = process.cpuUsage(); // every thread of this process: the workers and onnxruntime's
    const r = await drive(2 * workers, images.length, minSeconds, async (_, i) => (await pool.analyze(images[i]!, ANALYZE)).faces.length);
    const cpu = process.cpuUsage(cpu0);
    result.throughput = throughput(workers, r, (cpu.user + cpu.system) / 1000);
  } finally {
    await pool.close();
  }
  if (stages) {
    log('[visage] stages, one thread…');
    const s = await loadStages();
    result.config += `; stages: ${s.info}`;
    for (const img of images) await s.run(img); // warm-up pass (first runs of a size allocate and plan)
    const times: StageTimes[] = [];
    for (const img of images) times.push(await s.run(img));
    result.stages = summariseStages(times);
  }
  return result;
}

async function benchPeer(engine: PeerName, refs: PhotoRef[], processes: number, minSeconds: number, stages: boolean): Promise<EngineResult> {
  log(`\n[${engine}] starting ${processes} processes…`);
  const procs: PeerProcess[] = [];
  try {
    // Started one at a time: loading is CPU-heavy and each warms up on a few photos.
    for (let i = 0; i < processes; i++) procs.push(await PeerProcess.start(engine, refs, 2));
    const p0 = procs[0]!;
    const result: EngineResult = { engine, version: p0.version, config: `${processes} child processes; ${p0.config}` };
    // Warm-up, as for Visage: as many untimed passes over the set as there are processes. tfjs
    // runs a photo size's first inference slower, and Human's first pass over the set was its
    // slowest (2 photos of warm-up left its figure moving between 5.9 and 8.5 photos/s).
    log(`[${engine}] ${p0.version} on ${p0.backend}; warm-up, ${processes} untimed passes…`);
    for (let k = 0; k < processes; k++) await drive(processes, refs.length, 0, async (lane, i) => (await procs[lane]!.run(i)).faces);
    log(`[${engine}] throughput, ${processes} processes, ≥ ${minSeconds} s…`);
    const cpu0 = await Promise.all(procs.map((p) => p.cpuMs()));
    const r = await drive(processes, refs.length, minSeconds, async (lane, i) => (await procs[lane]!.run(i)).faces);
    const cpu1 = await Promise.all(procs.map((p) => p.cpuMs()));
    result.throughput = throughput(processes, r, cpu1.reduce((a, c, i) => a + c - cpu0[i]!, 0));
    if (stages) {
      log(`[${engine}] stages, one process…`);
      result.stages = summariseStages(await p0.stages(refs.map((_, i) => i)));
    }
    return result;
  } finally {
    await Promise.all(procs.map((p) => p.close()));
  }
}

async function runPhotos(opts: { photos: number; workers: number; minSeconds: number; engines: EngineName[]; stages: boolean; out: string }) {
  const info = machine();
  const files: PhotoFile[] = selectPhotos(opts.photos);
  const counts = new Map<string, number>();
  for (const f of files) counts.set(f.source, (counts.get(f.source) ?? 0) + 1);
  const bySource = [...counts].map(([s, n]) => `${n} ${s}`);
  log(`Visage benchmark: ${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, ${info.node}; load average ${info.loadAverageAtStart.join(' ')}`);
  log(`Photos: ${files.length} from ${evalDir()} (${bySource.join(', ')})`);
  if (info.loadAverageAtStart[0]! > 0.5 * info.cores) {
    log(`WARNING: the machine is busy (load average ${info.loadAverageAtStart[0]} on ${info.cores} cores): timings will be slow and noisy.`);
  }

  // Decode once, one libvips thread, timed: the same pixels go to every engine.
  const decoder = new SharpDecoder({ maxPixels: 40_000_000 });
  const threads = sharp.concurrency();
  sharp.concurrency(1);
  const images: RgbImage[] = [];
  const decodeMs: number[] = [];
  for (const f of files) {
    const bytes = readFileSync(f.path);
    const s = now();
    images.push(await decoder.decode(bytes));
    decodeMs.push(now() - s);
  }
  sharp.concurrency(threads);
  const decode = dist(decodeMs);
  const megapixels = images.reduce((a, im) => a + (im.width * im.height) / 1e6, 0);
  log(`Decoded ${images.length} photos, ${megapixels.toFixed(1)} Mpx in all; decode p50 ${decode.p50} ms, p99 ${decode.p99} ms`);

  const results: EngineResult[] = [];
  if (opts.engines.includes('visage')) results.push(await benchVisage(images, opts.workers, opts.minSeconds, opts.stages));

  const peers = opts.engines.filter((e): e is PeerName => e !== 'visage');
  if (peers.length && !peersInstalled()) {
    log('\nPeers are not installed: run `npm run bench:setup` first (skipping face-api and Human).');
  } else if (peers.length) {
    // The peers read the decoded pixels from raw files (one copy per process, loaded before timing).
    const tmp = mkdtempSync(join(tmpdir(), 'visage-bench-'));
    try {
      const refs: PhotoRef[] = images.map((im, i) => {
        const rawPath = join(tmp, `${i}.rgb`);
        writeFileSync(rawPath, im.data);
        return { rawPath, width: im.width, height: im.height };
      });
      for (const p of peers) results.push(await benchPeer(p, refs, opts.workers, opts.minSeconds, opts.stages));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }

  printReport(results, decode, log);
  const loadAverageAtEnd = loadavg().map((x) => round(x));
  log(`\nLoad average at start ${info.loadAverageAtStart.join(' ')}, at end ${loadAverageAtEnd.join(' ')}.`);
  const out = {
    kind: 'photos',
    machine: { ...info, loadAverageAtEnd },
    photoSet: { count: files.length, bySource, megapixels: round(megapixels, 1), files: files.map((f, i) => ({ name: f.name, width: images[i]!.width, height: images[i]!.height })) },
    method: {
      throughput: `each engine alone; Visage: worker pool of ${opts.workers}; peers: ${opts.workers} child processes each; pixels decoded beforehand; whole passes until ≥ ${opts.minSeconds} s`,
      warmUp: `Visage: ${opts.workers} untimed passes through the pool, and one untimed pass before the stages; peers: 2 photos in each process as it starts, then ${opts.workers} untimed passes through the processes; the stages run after the throughput in the same process`,
      stages: 'one thread, one timed pass over the set; per-face stages pooled over all faces of all photos',
    },
    decodeMs: decode,
    results,
    ratios: ratios(results),
  };
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, JSON.stringify(out, null, 2) + '\n');
  log(`\nWrote ${opts.out}`);
}

async function main(argv: string[]) {
  if (!hasNodeFlags()) console.warn(`warning: Visage runs here without ${NODE_FLAGS.join(' ')} (npm run bench passes it; see src/main/node-flags.ts): expect fewer photos/s than the server makes`);
  if (argv[0] === 'search') return (await import('./search/run-search.js')).runSearchBench(argv.slice(1)); // bench/search/, own options
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      photos: { type: 'string' },
      workers: { type: 'string' },
      'min-seconds': { type: 'string' },
      engines: { type: 'string' },
      'no-stages': { type: 'boolean' },
      out: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      photo: { type: 'string' },
      query: { type: 'string' },
      path: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]!.replace(/^\/\*\*?|^ \* ?/gm, ''));
    return;
  }
  const int = (s: string | undefined, d: number, min = 0) => {
    const n = s === undefined ? d : Number(s);
    if (!Number.isFinite(n) || n < min) throw new Error(`expected a number ≥ ${min}, got ${s}`);
    return n;
  };
  const mode = positionals[0] ?? 'photos';
  const resultsDir = join(ROOT, 'bench', 'results');
  if (mode === 'http') {
    await runHttpBench({
      root: ROOT,
      durationSeconds: int(values.duration, 20, 1),
      connections: int(values.connections, 32, 1),
      photo: values.photo,
      query: values.query,
      path: values.path,
      out: values.out ?? join(resultsDir, 'http-latest.json'),
      log,
      machine: machine(),
    });
  } else if (mode === 'photos') {
    const engines = (values.engines ?? ENGINES.join(',')).split(',').map((e) => e.trim()) as EngineName[];
    for (const e of engines) if (!ENGINES.includes(e)) throw new Error(`unknown engine ${e} (choose from ${ENGINES.join(', ')})`);
    await runPhotos({
      photos: int(values.photos, 36, 1),
      workers: int(values.workers, availableParallelism(), 1),
      minSeconds: int(values['min-seconds'], 10, 0),
      engines,
      stages: !values['no-stages'],
      out: values.out ?? join(resultsDir, 'latest.json'),
    });
  } else {
    throw new Error(`unknown mode ${mode}: use "photos" (default) or "http"`);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
