/**
 * Reverse face search over 1M faces through the FaceCheck.ID dialect, on a real server process
 * (`bin/visage.mjs serve`, real models, loopback) started on a data dir the bulk loader filled
 * (bulk-load.ts, layout `one`: search index `web` of 6,096 real LFW faces and synthetic ones up
 * to --n, its graph and its account set's graph in place, so the server loads them and rebuilds
 * nothing; a rebuild in the server's log fails the bench).
 *
 *   node --import tsx bench/search/facecheck-bulk.bench.ts --n 1000000
 *
 * Each search: POST /facecheck/api/upload_pic (the probe photo) → POST /facecheck/api/search
 * with_progress polled every --poll-ms until `output` is set → delete_pic. Timed from the start
 * of the upload: time to first progress (the first answer with progress above 0), time to the
 * final result; and whether the first item is the probe's person (its URL names the LFW
 * identity). Probes: the last LFW photo of identities with 2+ photos (never indexed; their other
 * photos are), --probes of them one at a time, then --rounds rounds of --concurrent at once.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchSet, cacheDir, lfwSplit, type Probe } from './bulk-data.js';
import { ACCOUNT, loadSqlite } from './bulk-load.js';
import { latency, log, machine, round, writeResult } from './search-common.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

const rssMB = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};

interface FcAnswer {
  error: string | null;
  code: string | null;
  id_search: string | null;
  message: string | null;
  progress: number | null;
  output: { items: { score: number; url: string }[]; tookSeconds: number; tookSecondsQueue: number; searchedFaces: number; face_per_sec: number } | null;
}

interface One {
  ms: number;
  uploadMs: number;
  firstMs: number;
  ok: boolean;
  personFirst: boolean;
  score: number;
  searchedFaces: number;
  tookSeconds: number;
  tookSecondsQueue: number;
  polls: number;
}

export async function runFaceCheckBulkBench(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      n: { type: 'string', default: '1000000' },
      probes: { type: 'string', default: '100' },
      concurrent: { type: 'string', default: '20' },
      rounds: { type: 'string', default: '3' },
      'poll-ms': { type: 'string', default: '10' },
      'poll-ms-concurrent': { type: 'string', default: '50' },
      out: { type: 'string' },
    },
  });
  const started = machine();
  log(`facecheck bulk: load average at start ${started.loadAverageAtStart}`);
  const n = Number(values.n);
  const set = await benchSet(n, 1);
  const dataDir = join(cacheDir(), `sqlite-one-${n}`);
  const loaded = await loadSqlite(set, { kind: 'one' }, dataDir);
  const realFaces = set.real.faces.length;
  // The big arrays are on disk now; the server process holds its own copy of the graphs.
  (set as { vectors: Float32Array }).vectors = new Float32Array(0);

  const port = await freePort();
  const env = {
    ...process.env,
    VISAGE_PORT: String(port),
    VISAGE_HOST: '127.0.0.1',
    VISAGE_DATA_DIR: dataDir,
    VISAGE_LOG_LEVEL: 'info',
    // The per-key rate limit and credits would measure the limiter, not the search.
    VISAGE_RATE_LIMIT_PER_SECOND: '1000000',
    VISAGE_RATE_LIMIT_BURST: '10000000',
    VISAGE_DEFAULT_MONTHLY_CREDITS: '0',
  };
  const key = spawnSync(process.execPath, [join(ROOT, 'bin/visage.mjs'), 'keys', 'create', '--account', ACCOUNT, '--name', `bench-${Date.now()}`, '--scopes', 'all'], { cwd: ROOT, env, encoding: 'utf8' });
  const token = /secret \(shown once\): (\S+)/.exec(key.stdout ?? '')?.[1];
  if (key.status !== 0 || !token) throw new Error(`visage keys create failed (exit ${key.status}): ${key.stdout}${key.stderr}`);

  const logFile = join(cacheDir(), 'facecheck-bulk-server.log');
  const serverLog = createWriteStream(logFile);
  const s0 = performance.now();
  const server: ChildProcess = spawn(process.execPath, ['--single-threaded-gc', join(ROOT, 'bin/visage.mjs'), 'serve'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let logText = '';
  const keep = (b: Buffer) => {
    serverLog.write(b);
    logText += b.toString();
    if (logText.length > 1e6) logText = logText.slice(-5e5);
  };
  server.stdout!.on('data', keep);
  server.stderr!.on('data', keep);
  const base = `http://127.0.0.1:${port}/facecheck/api`;
  const fc = async (path: string, body: FormData | object): Promise<FcAnswer> => {
    const form = body instanceof FormData;
    const r = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: token, ...(form ? {} : { 'content-type': 'application/json' }) },
      body: form ? body : JSON.stringify(body),
    });
    return (await r.json()) as FcAnswer;
  };

  try {
    const deadline = Date.now() + 900_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`the server exited with code ${server.exitCode}: ${logText.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error('the server was not ready after 15 min');
      if (await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const readySeconds = round((performance.now() - s0) / 1000, 1);
    if (/rebuild/i.test(logText)) throw new Error(`the server rebuilt an index: ${logText.split('\n').filter((l) => /rebuild/i.test(l)).join('\n')}`);
    const rssReady = rssMB(server.pid!);
    log(`  server ready in ${readySeconds} s on ${n} faces (RSS ${rssReady} MB)`);
    const info = await fetch(`${base}/info`, { method: 'POST', headers: { authorization: token } }).then((r) => r.json() as Promise<Record<string, unknown>>);
    log(`  info: ${JSON.stringify(info)}`);

    const one = async (p: Probe, pollMs: number): Promise<One> => {
      const t0 = performance.now();
      const f = new FormData();
      f.append('id_search', '');
      f.append('images', new Blob([readFileSync(p.photo)], { type: 'image/jpeg' }), 'probe.jpg');
      const up = await fc('/upload_pic', f);
      const uploadMs = performance.now() - t0;
      if (up.error || !up.id_search) throw new Error(`upload_pic: ${up.code} ${up.error}`);
      let first: number | null = null;
      let polls = 0;
      for (;;) {
        const r = await fc('/search', { id_search: up.id_search, with_progress: true, status_only: false, demo: false });
        polls++;
        if (first === null && (r.progress ?? 0) > 0) first = performance.now() - t0;
        if (r.error || r.output) {
          const ms = performance.now() - t0;
          await fc(`/delete_pic?id_search=${encodeURIComponent(up.id_search)}`, {});
          const top = r.output?.items[0];
          return {
            ms,
            uploadMs,
            firstMs: first ?? ms,
            ok: !r.error,
            personFirst: Boolean(top?.url.includes(`/lfw/${p.identity}/`)),
            score: top?.score ?? 0,
            searchedFaces: r.output?.searchedFaces ?? 0,
            tookSeconds: r.output?.tookSeconds ?? NaN,
            tookSecondsQueue: r.output?.tookSecondsQueue ?? NaN,
            polls,
          };
        }
        await new Promise((res) => setTimeout(res, pollMs));
      }
    };
    const summary = (rs: One[]) => ({
      total: latency(rs.map((r) => r.ms)),
      upload: latency(rs.map((r) => r.uploadMs)),
      firstProgress: latency(rs.map((r) => r.firstMs)),
      jobMs: latency(rs.map((r) => r.tookSeconds * 1000)),
      queueMs: latency(rs.map((r) => r.tookSecondsQueue * 1000)),
      succeeded: rs.filter((r) => r.ok).length,
      personFirst: rs.filter((r) => r.personFirst).length,
      personFirstRate: round(rs.filter((r) => r.personFirst).length / rs.length, 3),
      certainOrConfidentFirst: rs.filter((r) => r.personFirst && r.score >= 83).length,
      topScoreMedian: [...rs.map((r) => r.score)].sort((a, b) => a - b)[Math.floor(rs.length / 2)],
      searchedFaces: rs[0]?.searchedFaces,
    });

    const { probes: all } = lfwSplit();
    const np = Number(values.probes);
    const c = Number(values.concurrent);
    const rounds = Number(values.rounds);
    const pick = (count: number, offset: number) => Array.from({ length: count }, (_, i) => all[Math.floor(((i + offset) * all.length) / (count + offset)) % all.length]!);
    const probes = pick(np, 0);
    for (const p of all.slice(-3)) await one(p, Number(values['poll-ms'])); // warm-up: index pages, engine, JIT
    const seq: One[] = [];
    for (const p of probes) seq.push(await one(p, Number(values['poll-ms'])));
    const sequential = { searches: seq.length, pollMs: Number(values['poll-ms']), loadAverage: loadavg().map((x) => round(x, 2)), ...summary(seq) };
    log(`  one at a time: ${JSON.stringify(sequential)}`);

    const par: One[] = [];
    const walls: number[] = [];
    for (let k = 0; k < rounds; k++) {
      const batch = all.filter((_, i) => i % rounds === k).slice(0, c);
      const t0 = performance.now();
      par.push(...(await Promise.all(batch.map((p) => one(p, Number(values['poll-ms-concurrent']))))));
      walls.push((performance.now() - t0) / 1000);
    }
    const wall = walls.reduce((a, b) => a + b, 0);
    const concurrent = {
      concurrent: c,
      rounds,
      pollMs: Number(values['poll-ms-concurrent']),
      wallSecondsPerRound: walls.map((w) => round(w, 2)),
      perSecond: round(par.length / wall, 2),
      loadAverage: loadavg().map((x) => round(x, 2)),
      ...summary(par),
    };
    log(`  ${c} at once: ${JSON.stringify(concurrent)}`);
    const result = {
      machine: started,
      loadAverageAtEnd: loadavg().map((x) => round(x, 2)),
      index: {
        faces: n,
        realLfwFaces: realFaces,
        synthetic: n - realFaces,
        made: 'bench/search/bulk-data.ts: real LFW faces (every photo but the probes, largest face, engine template, 96 px WEBP) + synthetic identities around them (centre normalise(real + g·0.0675), 10 samples normalise(centre + g·0.036)); bulk-loaded into SQLite with their graphs (bulk-load.ts)',
        sameIdentityCosine: set.sameCos,
        otherIdentityCosine: set.otherCos,
        loadSeconds: loaded.loadSeconds,
        loadCached: loaded.cached,
      },
      server: { readySeconds, rssMBReady: rssReady, rssMBEnd: rssMB(server.pid!), workers: 'default (2)', jobConcurrency: 'default (2)' },
      sequential,
      concurrent,
    };
    writeResult(values.out ?? join(fileURLToPath(new URL('../results', import.meta.url)), `facecheck-bulk-${n}.json`), result);
    return result;
  } finally {
    if (server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    serverLog.end();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runFaceCheckBulkBench(process.argv.slice(2)).then(
    () => process.exit(0),
    (e) => {
      log(`facecheck bulk bench failed: ${(e as Error).stack ?? e}`);
      process.exit(1);
    },
  );
}
