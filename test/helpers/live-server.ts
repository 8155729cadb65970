/**
 * A real Visage server on loopback (startServer: real auth, real SQLite, real HTTP) with the
 * fake analyzer and a settable clock, plus a small HTTP client that can pick its source address
 * (127.0.0.x) so IP rules can be tested from several "clients".
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { startServer, type RunningServer } from '../../src/main/server.compose.js';
import type { AnalyzerLoader } from '../../src/main/services.compose.js';
import { FakeAnalyzer } from './fake-analyzer.js';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export class TestClock {
  constructor(public t = Date.UTC(2025, 0, 15, 12, 0, 0)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface LiveResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface CallOptions {
  headers?: Record<string, string>;
  /** An object is sent as JSON; a Buffer or string as is. */
  body?: unknown;
  from?: string;
  key?: string;
}

export interface Live {
  server: RunningServer;
  port: number;
  clock: TestClock;
  printed: string[];
  call(method: string, path: string, o?: CallOptions): Promise<LiveResponse>;
  close(): Promise<void>;
}

const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

export function request(port: number, method: string, path: string, o: CallOptions = {}): Promise<LiveResponse> {
  const headers: Record<string, string> = { ...o.headers };
  let payload: Buffer | undefined;
  if (o.body !== undefined) {
    if (Buffer.isBuffer(o.body)) payload = o.body;
    else if (typeof o.body === 'string') payload = Buffer.from(o.body);
    else {
      payload = Buffer.from(JSON.stringify(o.body));
      headers['content-type'] ??= 'application/json';
    }
  }
  if (o.key) headers.authorization ??= `Bearer ${o.key}`;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, localAddress: o.from, agent }, (res) => {
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
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** `loadAnalyzer`: the real engine for contract tests on real photos (the fake one by default). */
export async function startLive(env: Record<string, string> = {}, o: { loadAnalyzer?: AnalyzerLoader } = {}): Promise<Live> {
  const dataDir = mkdtempSync(join(tmpdir(), 'visage-live-'));
  const clock = new TestClock();
  const printed: string[] = [];
  const server = await startServer({
    env: { VISAGE_PORT: '0', VISAGE_HOST: '127.0.0.1', VISAGE_LOG_LEVEL: 'silent', VISAGE_DATA_DIR: dataDir, VISAGE_WORKERS: '1', ...env },
    loadAnalyzer: o.loadAnalyzer ?? (async () => new FakeAnalyzer()),
    clock,
    print: (t) => void printed.push(t),
  });
  await server.loaded;
  const port = (server.app.server.address() as { port: number }).port;
  return {
    server,
    port,
    clock,
    printed,
    call: (method, path, o) => request(port, method, path, o),
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A small non-flat PNG: the fake analyzer finds one face in it, its colour sets the embedding. */
export async function facePng(seed = 0, size = 64): Promise<Buffer> {
  const data = Buffer.alloc(size * size * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + seed * 31 + (i % 3) * seed * 13) % 256;
  return sharp(data, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer();
}

/** Creates a key through the admin API and returns its secret and id. */
export async function adminCreateKey(live: Live, body: Record<string, unknown>, from?: string): Promise<{ id: string; secret: string }> {
  const r = await live.call('POST', '/v1/admin/keys', { key: ADMIN_KEY, body, from });
  if (r.status !== 201) throw new Error(`key create failed: ${r.status} ${r.text}`);
  return { id: r.json.id, secret: r.json.secret };
}
