// `visage bans list|lift` on the data dir of a running server: what the admin API shows, without
// the admin API, and a lift takes effect at the blocked address's next request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { ADMIN_KEY, adminCreateKey, startLive } from '../helpers/live-server.js';

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const o = { out: '', err: '' };
  const code = await main(args, { stdout: (s) => void (o.out += s), stderr: (s) => void (o.err += s), env });
  process.exitCode = 0;
  return { code, ...o };
}

test('bans list and lift against a running server’s database', async () => {
  const live = await startLive({ VISAGE_ADMIN_KEY: ADMIN_KEY, VISAGE_ABUSE_FAILURES_TO_BLOCK: '3', VISAGE_ABUSE_BLOCK_MS: '600000' });
  try {
    live.clock.t = Date.now(); // the CLI runs on the system clock
    const dataDir = live.server.config.dataDir;
    const ip = '127.0.0.44';
    const good = await adminCreateKey(live, { account: 'cli-bans' });
    assert.equal((await run(['bans', 'list', '--data-dir', dataDir])).out, 'no blocks or bans in force\n');

    for (let i = 0; i < 3; i++) await live.call('GET', '/v1/account', { key: `vsg_bad${i}`, from: ip });
    assert.equal((await live.call('GET', '/v1/account', { key: good.secret, from: ip })).json.code, 'IP_BLOCKED');

    const list = await run(['bans', 'list'], { VISAGE_DATA_DIR: dataDir });
    assert.equal(list.code, 0, list.err);
    assert.match(list.err, /^database: .*visage\.db\n$/);
    assert.match(list.out, new RegExp(`^${ip.replace(/\./g, '\\.')}  block  until \\S+Z  strikes 1  3 invalid keys`));
    const json = await run(['bans', 'list', '--json', '--data-dir', dataDir]);
    assert.deepEqual(JSON.parse(json.out).map((b: { ip: string; kind: string }) => [b.ip, b.kind]), [[ip, 'block']]);

    const lift = await run(['bans', 'lift', ip, '--data-dir', dataDir]);
    assert.equal(lift.code, 0, lift.err);
    assert.equal(lift.out, `lifted ${ip}\n`);
    assert.equal((await live.call('GET', '/v1/account', { key: good.secret, from: ip })).status, 200, 'the running server lets the address in at once');

    const again = await run(['bans', 'lift', ip, '--data-dir', dataDir]);
    assert.equal(again.code, 1);
    assert.match(again.err, /error NOT_FOUND: No block or ban for 127\.0\.0\.44/);
    const typo = await run(['bans', 'lift', '127.0.0.444', '--data-dir', dataDir]);
    assert.equal(typo.code, 1);
    assert.match(typo.err, /BAD_PARAM: 127\.0\.0\.444 is not an IP address/);
  } finally {
    await live.close();
  }
});

test('bans: usage, help, and a data dir without a database is refused (none is created)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'visage-bans-'));
  try {
    assert.equal((await run(['bans'])).code, 2);
    const help = await run(['bans', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /visage bans list[\s\S]*visage bans lift <ip>/);
    assert.equal((await run(['bans', 'lift'])).code, 2);
    const missing = await run(['bans', 'list', '--data-dir', join(dir, 'nothing')]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /no Visage database at .*nothing\/visage\.db/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
