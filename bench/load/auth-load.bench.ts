/**
 * Load run of the account machinery: 200 concurrent clients on 20 keys (10 connections per key)
 * for 60 s (`--seconds n`) against a real server in a child process, on loopback.
 * Keys 0–9 have unlimited credits, so the rate limit (10/s, burst 20) binds: each may pass at
 * most burst + rate × T requests. Keys 10–19 have 300 monthly credits, so exactly 300 of their
 * requests may succeed. The engine is the fake analyzer (decode + a constant-time "face"):
 * this measures auth, limits, credits and the HTTP perimeter, not the models.
 *
 *   node --import tsx bench/load/auth-load.bench.ts [--seconds 60]
 *
 * Checks: no 5xx, no socket errors or timeouts; each metered account's spent credits equal its
 * 200s and its allowance (it runs dry long before the end, so nothing is in flight when the
 * clients stop); each unlimited key's accepted count at most 10 % above burst + rate × T, and its
 * credits spent equal its 200s up to the requests in flight at the stop (≤ 10 per key). Fewer
 * accepted than the limit allows means the server was saturated: reported, not a failure.
 * Prints a markdown section for docs/benchmarks.md.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const ADMIN = 'load-admin-key-0123456789abcdefghij';
const KEYS = 20;
const PER_KEY = 10;
const RATE = 10;
const BURST = 20;

async function serve(dataDir: string): Promise<void> {
  const { startServer } = await import('../../src/main/server.compose.js');
  const { FakeAnalyzer } = await import('../../test/helpers/fake-analyzer.js');
  const server = await startServer({
    env: { VISAGE_PORT: '0', VISAGE_HOST: '127.0.0.1', VISAGE_LOG_LEVEL: 'silent', VISAGE_DATA_DIR: dataDir, VISAGE_ADMIN_KEY: ADMIN, VISAGE_WORKERS: '1' },
    loadAnalyzer: async () => new FakeAnalyzer(),
  });
  await server.loaded;
  process.stdout.write(`${JSON.stringify({ port: (server.app.server.address() as { port: number }).port })}\n`);
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
}

interface CannonResult {
  latency: { p50: number; p99: number; max: number };
  requests: { average: number; total: number };
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
  duration: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, serve: { type: 'string' } } });
  if (values.serve) return serve(values.serve);
  const seconds = Number(values.seconds);
  // Metered keys must run dry well before the end (300 at 60 s), so no success is in flight when
  // the clients stop and the ledger can be compared with the successes exactly.
  const CREDITS = Math.min(300, Math.floor((BURST + RATE * seconds) / 2));
  const dataDir = mkdtempSync(join(tmpdir(), 'visage-load-'));
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--serve', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve((JSON.parse(d.toString().split('\n')[0]!) as { port: number }).port));
    child.once('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }).then(
      async (r) => (r.status === 204 ? null : r.json()) as Promise<Record<string, unknown>>,
    );
  try {
    const keys: { secret: string; account: string; metered: boolean }[] = [];
    for (let i = 0; i < KEYS; i++) {
      const account = `load-${i}`;
      const metered = i >= KEYS / 2;
      const k = await admin('POST', '/v1/admin/keys', { account, name: `load ${i}`, rate_per_second: RATE, burst: BURST });
      if (metered) await admin('PUT', `/v1/admin/accounts/${account}/credits`, { monthly_credits: CREDITS });
      keys.push({ secret: String(k.secret), account, metered });
    }
    const sharp = (await import('sharp')).default;
    const px = Buffer.alloc(64 * 64 * 3);
    for (let i = 0; i < px.length; i++) px[i] = (i * 7) % 256;
    const body = JSON.stringify({ image: (await sharp(px, { raw: { width: 64, height: 64, channels: 3 } }).png().toBuffer()).toString('base64') });

    const autocannon = createRequire(import.meta.url)('autocannon') as (o: Record<string, unknown>) => Promise<CannonResult>;
    console.error(`load: ${KEYS * PER_KEY} connections on ${KEYS} keys for ${seconds} s…`);
    const started = Date.now();
    const results = await Promise.all(
      keys.map((k) =>
        autocannon({
          url: `${base}/v1/detect`,
          method: 'POST',
          connections: PER_KEY,
          duration: seconds,
          headers: { authorization: `Bearer ${k.secret}`, 'content-type': 'application/json' },
          body,
        }),
      ),
    );
    const elapsed = (Date.now() - started) / 1000;

    const problems: string[] = [];
    const rows: string[] = [];
    let total = 0;
    let fivexx = 0;
    for (let i = 0; i < KEYS; i++) {
      const r = results[i]!;
      const k = keys[i]!;
      const n = (code: number) => r.statusCodeStats[String(code)]?.count ?? 0;
      const all = Object.values(r.statusCodeStats).reduce((a, s) => a + s.count, 0);
      total += all;
      const bad = Object.entries(r.statusCodeStats).filter(([c]) => Number(c) >= 500).reduce((a, [, s]) => a + s.count, 0);
      fivexx += bad;
      if (bad > 0) problems.push(`key ${i}: ${bad} 5xx`);
      if (r.errors > 0 || r.timeouts > 0) problems.push(`key ${i}: ${r.errors} errors, ${r.timeouts} timeouts`);
      const report = await admin('GET', `/v1/admin/accounts/${k.account}`);
      const spent = Number(report.spent);
      // Unlimited keys are still succeeding at the stop: requests the server answered after the client stopped counting.
      const inFlight = k.metered ? 0 : PER_KEY;
      if (spent < n(200) || spent > n(200) + inFlight) problems.push(`key ${i}: ${spent} credits spent but ${n(200)} successes`);
      const accepted = n(200) + n(402); // passed the rate limit
      const ceiling = BURST + RATE * elapsed;
      if (k.metered) {
        if (n(200) !== CREDITS) problems.push(`key ${i}: ${n(200)} successes on ${CREDITS} credits`);
      } else if (accepted > ceiling * 1.1) problems.push(`key ${i}: ${accepted} accepted, limit allows ${ceiling.toFixed(0)}`);
      rows.push(
        `| ${i} | ${k.metered ? CREDITS : 'unlimited'} | ${all} | ${n(200)} | ${n(402)} | ${n(429)} | ${spent} | ${((accepted / ceiling) * 100).toFixed(1)} % | ${r.latency.p99} |`,
      );
    }
    const p99s = results.map((r) => r.latency.p99).sort((a, b) => a - b);
    const p50s = results.map((r) => r.latency.p50).sort((a, b) => a - b);
    const md = [
      `Run: ${new Date().toISOString().slice(0, 10)}, ${elapsed.toFixed(1)} s, ${KEYS * PER_KEY} connections on ${KEYS} keys, ${total} requests ` +
        `(${(total / elapsed).toFixed(0)}/s), ${fivexx} 5xx. Latency p50 ${p50s[Math.floor(KEYS / 2)]} ms (median over keys), ` +
        `**p99 ${p99s[KEYS - 1]} ms** (worst key; median key ${p99s[Math.floor(KEYS / 2)]} ms).`,
      '',
      '| key | credits | requests | 200 | 402 | 429 | credits spent | accepted / (burst + rate×T) | p99 ms |',
      '|---|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
      problems.length === 0 ? 'All checks passed: no 5xx, credit totals exact, limits within 10 %.' : `Problems:\n${problems.map((p) => `- ${p}`).join('\n')}`,
    ].join('\n');
    process.stdout.write(`${md}\n`);
    process.exitCode = problems.length === 0 ? 0 : 1;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
