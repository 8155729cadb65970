/**
 * `npm run bench -- http`: the real server under load. Starts `node --single-threaded-gc
 * bin/visage.mjs serve` (as npm start) on a free loopback port in a child process (its own data
 * folder with one API key made by `visage keys create`, the per-key rate limit lifted, warn-level
 * logs), waits until
 * POST /v1/detect answers 2xx, then drives it with autocannon: 32 connections (--connections),
 * 20 s (--duration), each request a multipart upload (field `image`) of one real photo
 * (--photo PATH; default compreface_samples/images/000_5.jpg, 819x546, 5 faces, all found with the
 * server's defaults), with the server's
 * default options unless --query gives some (e.g. `--query min_face_size=20`); --path /v1/templates
 * loads the templates endpoint instead (the same analysis plus a template per face).
 * Reports requests/s, latency p50/p99 and the non-2xx count, and writes bench/results/http-latest.json.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { NODE_FLAGS } from '../src/main/node-flags.js';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { evalDir } from './photos.js';

interface AutocannonStats {
  average: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  total: number;
}

interface AutocannonResult {
  requests: AutocannonStats;
  latency: AutocannonStats;
  throughput: AutocannonStats;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  '4xx': number;
  '5xx': number;
}

type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;

const require = createRequire(import.meta.url);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function multipart(photo: Buffer, name: string): { body: Buffer; contentType: string } {
  const boundary = `----visage-bench-${Date.now().toString(16)}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="${name}"\r\nContent-Type: image/jpeg\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(head), photo, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** An API key in the benchmark's fresh data folder, made with `visage keys create` before the server starts. */
function createKey(root: string, env: NodeJS.ProcessEnv): string {
  const args = [...NODE_FLAGS, join(root, 'bin/visage.mjs'), 'keys', 'create', '--account', 'bench', '--name', 'bench', '--scopes', 'all'];
  const r = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8' });
  const secret = /secret \(shown once\): (\S+)/.exec(r.stdout ?? '')?.[1];
  if (r.status !== 0 || !secret) throw new Error(`visage keys create failed (exit ${r.status}): ${r.stdout}${r.stderr}`);
  return secret;
}

/** Polls GET /ready until 200 (503 while the models load), then checks one real request answers 2xx. */
async function waitReady(
  base: string,
  url: string,
  req: { body: Buffer; contentType: string },
  auth: Record<string, string>,
  server: ChildProcess,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the server exited with code ${server.exitCode} before it was ready`);
    if (Date.now() > deadline) throw new Error(`the server was not ready after ${timeoutMs / 1000} s (last: ${last})`);
    try {
      const r = await fetch(`${base}/ready`);
      last = `GET /ready: HTTP ${r.status} ${(await r.text()).slice(0, 200)}`;
      if (r.ok) break;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const r = await fetch(url, { method: 'POST', body: new Blob([new Uint8Array(req.body)]), headers: { ...auth, 'content-type': req.contentType } });
  const text = await r.text();
  if (!r.ok) throw new Error(`POST ${new URL(url).pathname} answered HTTP ${r.status}: ${text.slice(0, 300)}`);
  return text;
}

export async function runHttpBench(o: {
  root: string;
  durationSeconds: number;
  connections: number;
  photo?: string;
  /** Query string, e.g. `min_face_size=20`; empty: the server's defaults. */
  query?: string;
  /** The endpoint: /v1/detect (default) or /v1/templates, which also computes a template per face. */
  path?: string;
  out: string;
  log: (s: string) => void;
  machine: Record<string, unknown>;
}): Promise<void> {
  const autocannon = require('autocannon') as Autocannon;
  const photoPath = o.photo ?? join(evalDir(), 'compreface_samples/images/000_5.jpg');
  const photo = readFileSync(photoPath);
  const req = multipart(photo, basename(photoPath));
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'visage-bench-data-'));
  const env = {
    ...process.env,
    VISAGE_PORT: String(port),
    VISAGE_HOST: '127.0.0.1',
    VISAGE_DATA_DIR: dataDir,
    VISAGE_LOG_LEVEL: 'warn',
    // The per-key rate limit (default 10/s) would measure the limiter, not the server.
    VISAGE_RATE_LIMIT_PER_SECOND: '1000000',
    VISAGE_RATE_LIMIT_BURST: '10000000',
    VISAGE_DEFAULT_MONTHLY_CREDITS: '0',
  };
  const apiKey = createKey(o.root, env);
  o.log(`Starting the server on 127.0.0.1:${port} (data in ${dataDir})…`);
  // The server's own log goes to a file: it reports the 503s of GET /ready while loading, and
  // the queued requests it refuses when stopped, at error level.
  const serverLog = o.out.replace(/\.json$/, '') + '.server.log';
  mkdirSync(dirname(serverLog), { recursive: true });
  const logFd = openSync(serverLog, 'w');
  const server = spawn(process.execPath, [...NODE_FLAGS, join(o.root, 'bin/visage.mjs'), 'serve'], { cwd: o.root, env, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  o.log(`Server log: ${serverLog}`);
  const auth = { authorization: `Bearer ${apiKey}` };
  const base = `http://127.0.0.1:${port}`;
  const path = o.path ?? '/v1/detect';
  if (!['/v1/detect', '/v1/templates'].includes(path)) throw new Error(`--path must be /v1/detect or /v1/templates, not ${path}`);
  const url = `${base}${path}${o.query ? `?${o.query}` : ''}`;
  try {
    const first = await waitReady(base, url, req, auth, server, 180_000);
    const answer = JSON.parse(first) as { face_count?: number; faces?: unknown[]; templates?: unknown[] };
    const faceCount = answer.face_count ?? answer.faces?.length ?? answer.templates?.length;
    o.log(`Ready; the photo gives ${faceCount} face(s) with ${o.query ? `?${o.query}` : 'the server defaults'}.`);
    // A few untimed requests so every worker has met this photo's sizes.
    await autocannon({ url, method: 'POST', connections: 4, amount: 8, headers: { ...auth, 'content-type': req.contentType }, body: req.body });
    o.log(`autocannon: POST ${path}, ${o.connections} connections, ${o.durationSeconds} s, ${basename(photoPath)} (${photo.length} bytes)…`);
    const r = await autocannon({
      url,
      method: 'POST',
      connections: o.connections,
      duration: o.durationSeconds,
      headers: { ...auth, 'content-type': req.contentType },
      body: req.body,
      // A slow answer is a result, not a failure: allow well beyond the expected queueing.
      timeout: 60,
    });
    const result = {
      kind: 'http',
      machine: o.machine,
      request: { method: 'POST', path, query: o.query ?? '', photo: photoPath.replace(evalDir() + '/', ''), bytes: photo.length, field: 'image', facesPerResponse: faceCount },
      server: 'node --single-threaded-gc bin/visage.mjs serve (as npm start), default VISAGE_* settings except port, host 127.0.0.1, a temporary data folder, log level warn and the per-key rate limit lifted; one API key made with visage keys create',
      connections: o.connections,
      durationSeconds: r.duration,
      requestsPerSecond: r.requests.average,
      requestsTotal: r.requests.total,
      latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, mean: r.latency.mean },
      ok2xx: r['2xx'],
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
    };
    o.log(`\nHTTP, POST ${path}:`);
    o.log(`  requests/s ${result.requestsPerSecond.toFixed(1)} (${result.requestsTotal} in ${result.durationSeconds.toFixed(1)} s)`);
    o.log(`  latency ms p50 ${result.latencyMs.p50}  p90 ${result.latencyMs.p90}  p99 ${result.latencyMs.p99}  max ${result.latencyMs.max}`);
    o.log(`  2xx ${result.ok2xx}, non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`);
    mkdirSync(dirname(o.out), { recursive: true });
    writeFileSync(o.out, JSON.stringify(result, null, 2) + '\n');
    o.log(`\nWrote ${o.out}`);
  } catch (e) {
    const tail = readFileSync(serverLog, 'utf8').split('\n').slice(-15).join('\n');
    o.log(`The server's last log lines:\n${tail}`);
    throw e;
  } finally {
    const gone = new Promise<void>((resolve) => (server.exitCode !== null ? resolve() : server.once('exit', () => resolve())));
    server.kill('SIGTERM');
    const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
