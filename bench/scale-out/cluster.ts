/**
 * What the scale-out benchmarks share: a schema of their own on a PostgreSQL (dropped at the
 * end), Visage nodes started as an operator starts them (`node --single-threaded-gc
 * bin/visage.mjs serve`, one process each, DATABASE_URL naming that schema, galleries on
 * PostgreSQL, warn-level logs), a keep-alive HTTP client (as a load balancer's), an API key of
 * one account with its rate limit lifted, CPU time of the node processes, and the machine's
 * state (os.loadavg(): other people's work shares these cores).
 *
 * The database: --database-url, else DATABASE_URL, else TEST_DATABASE_URL (scripts/test-postgres.sh
 * starts one; note that its cluster runs with fsync=off, so measure writes elsewhere).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { decodeTemplate } from '../../src/domain/template.codec.js';
import { NODE_FLAGS } from '../../src/main/node-flags.js';
import { evalDir, lfwIdentities, round } from '../search/search-common.js';

export { latency, log, round, writeResult } from '../search/search-common.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const RESULTS = join(ROOT, 'bench', 'results');
export const ADMIN_KEY = `bench-admin-${randomBytes(12).toString('hex')}`;

export function databaseUrl(given?: string): string {
  const url = given ?? process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? '';
  if (!url) throw new Error('no PostgreSQL: pass --database-url, or set DATABASE_URL / TEST_DATABASE_URL (eval "$(scripts/test-postgres.sh start)")');
  return url;
}

/** The URL with libpq's options putting `schema` first on the search_path (%20 for the space). */
export function withSchema(url: string, schema: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

export interface BenchSchema {
  schema: string;
  /** DATABASE_URL for the nodes. */
  url: string;
  /** A pool on the schema (after the nodes created its tables). */
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** A fresh schema; the first node to start creates its tables (migrations under the advisory lock). */
export async function benchSchema(base: string, prefix = 'bench'): Promise<BenchSchema> {
  const schema = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = withSchema(base, schema);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  return {
    schema,
    url,
    pool,
    async drop() {
      await pool.end();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

export interface BenchResponse {
  status: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export function call(port: number, method: string, path: string, o: { key?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<BenchResponse> {
  const headers: Record<string, string> = { ...o.headers };
  let payload: Buffer | undefined;
  if (o.body !== undefined) {
    payload = Buffer.isBuffer(o.body) ? o.body : Buffer.from(JSON.stringify(o.body));
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(payload.length);
  }
  if (o.key) headers.authorization = `Bearer ${o.key}`;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch {
          json = null;
        }
        resolve({ status: res.statusCode ?? 0, json, text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

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

export interface BenchNode {
  name: string;
  port: number;
  proc: ChildProcess;
  call(method: string, path: string, o?: { key?: string; body?: unknown; headers?: Record<string, string> }): Promise<BenchResponse>;
  /** CPU time (user + system) of the node process so far, ms (all its threads). */
  cpuMs(): number;
  stop(): Promise<void>;
}

const CLK_TCK = 100; // Linux's USER_HZ

export async function startNode(name: string, url: string, env: Record<string, string> = {}): Promise<BenchNode> {
  const dataDir = mkdtempSync(join(tmpdir(), `visage-scale-${name}-`));
  const port = await freePort();
  const proc = spawn(process.execPath, [...NODE_FLAGS, join(ROOT, 'bin/visage.mjs'), 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: url,
      VISAGE_GALLERIES_ON_POSTGRES: 'true',
      VISAGE_ADMIN_KEY: ADMIN_KEY,
      VISAGE_NODE_NAME: name,
      VISAGE_PORT: String(port),
      VISAGE_HOST: '127.0.0.1',
      VISAGE_DATA_DIR: dataDir,
      VISAGE_LOG_LEVEL: 'warn',
      EVAL_DIR: evalDir(),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const node: BenchNode = {
    name,
    port,
    proc,
    call: (m, p, o) => call(port, m, p, o),
    cpuMs: () => procCpuMs(proc.pid!),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${name} exited at start (${proc.exitCode}): ${err}`);
    const r = await node.call('GET', '/ready').catch(() => null);
    if (r?.status === 200) return node;
    if (Date.now() > deadline) throw new Error(`${name} not ready in 120 s: ${err}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** One node at a time: a start loads the models on every core, and migrations run once. */
export async function startNodes(names: string[], url: string, env: Record<string, string> = {}): Promise<BenchNode[]> {
  const out: BenchNode[] = [];
  try {
    for (const n of names) out.push(await startNode(n, url, env));
  } catch (e) {
    await Promise.all(out.map((n) => n.stop()));
    throw e;
  }
  return out;
}

/** A key of account `bench` with every scope and no practical rate limit. */
export async function benchKey(node: BenchNode): Promise<string> {
  const r = await node.call('POST', '/v1/admin/keys', { key: ADMIN_KEY, body: { account: 'bench', name: 'bench', rate_per_second: 1_000_000, burst: 1_000_000 } });
  if (r.status !== 201) throw new Error(`key: ${r.status} ${r.text}`);
  return r.json.secret as string;
}

export async function createGallery(node: BenchNode, key: string, name: string): Promise<void> {
  const r = await node.call('POST', '/v1/galleries', { key, body: { name } });
  if (r.status !== 200) throw new Error(`gallery ${name}: ${r.status} ${r.text}`);
}

/** The model key of the node's templates (a gallery takes templates of its server's model only), from one real photo. */
export async function modelKeyOf(node: BenchNode, key: string): Promise<string> {
  const r = await node.call('POST', '/v1/templates', { key, body: { image: lfwPhotos(1)[0]!.toString('base64') } });
  if (r.status !== 200) throw new Error(`templates: ${r.status} ${r.text}`);
  return decodeTemplate(r.json.faces[0].template).modelKey;
}

/** A random unit vector of `d` (a Gaussian direction is uniform on the sphere once normalised; Box-Muller). */
export function randomUnit(d = 512): Float32Array {
  const v = new Float32Array(d);
  let s = 0;
  for (let i = 0; i < d; i++) {
    const g = Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
    v[i] = g;
    s += g * g;
  }
  const n = Math.sqrt(s);
  for (let i = 0; i < d; i++) v[i]! /= n;
  return v;
}

/** The first photo of the first `n` LFW identities (real 250x250 JPEGs, one face each). */
export function lfwPhotos(n: number, skip = 0): Buffer[] {
  return lfwIdentities()
    .slice(skip, skip + n)
    .map((i) => readFileSync(i.photos[0]!));
}

export function machine() {
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? '?',
    cores: availableParallelism(),
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    node: process.version,
    loadAverageAtStart: loadavg().map((x) => round(x, 2)),
  };
}

/** The PostgreSQL the run used: version and the settings that move write and read figures. */
export async function pgInfo(pool: pg.Pool) {
  const r = await pool.query<{ name: string; setting: string; unit: string | null }>(
    `SELECT name, setting, unit FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers', 'wal_level', 'max_connections', 'full_page_writes')`,
  );
  const v = await pool.query<{ server_version: string }>('SHOW server_version');
  return { version: v.rows[0]!.server_version, ...Object.fromEntries(r.rows.map((s) => [s.name, s.unit ? `${s.setting} ${s.unit}` : s.setting])) };
}

/** CPU time (user + system) of a Linux process so far, ms: /proc/<pid>/stat fields 14 and 15, after the name in parentheses. */
function procCpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}

/**
 * CPU time a PostgreSQL on this machine spends while it runs, ms: the postmaster (from
 * postmaster.pid in its data directory) and its children, read every 200 ms and summed per
 * process, so backends that the pools open and close meanwhile are counted up to their last
 * reading. Null when the server is elsewhere or the role may not read data_directory.
 */
export async function pgCpuMeter(pool: pg.Pool): Promise<{ stop(): number } | null> {
  let postmaster: number;
  try {
    const dir = (await pool.query<{ data_directory: string }>('SHOW data_directory')).rows[0]!.data_directory;
    postmaster = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    procCpuMs(postmaster);
  } catch {
    return null;
  }
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  const read = () => {
    const pids = [postmaster];
    for (const e of readdirSync('/proc')) {
      if (!/^\d+$/.test(e)) continue;
      try {
        if (Number(readFileSync(`/proc/${e}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) === postmaster) pids.push(Number(e));
      } catch {
        // gone meanwhile
      }
    }
    for (const pid of pids) {
      try {
        const ms = procCpuMs(pid);
        // A process born after the start counts from 0: all of its CPU falls in the interval.
        if (!first.has(pid)) first.set(pid, started ? 0 : ms);
        last.set(pid, ms);
      } catch {
        // exited between the listing and the read
      }
    }
  };
  let started = false;
  read();
  started = true;
  const timer = setInterval(read, 200);
  return {
    stop() {
      clearInterval(timer);
      read();
      let ms = 0;
      for (const [pid, v] of last) ms += v - first.get(pid)!;
      return ms;
    },
  };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
