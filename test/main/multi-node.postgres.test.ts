// Two Visage nodes (two startServer instances on two ports, real HTTP, real auth) on one
// PostgreSQL: credits and rate limits hold across both, as one node's would.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminCreateKey, ADMIN_KEY, facePng, request, startLive, type Live } from '../helpers/live-server.js';
import { freshSchema, PG_URL, poolOn, withPostgres } from '../helpers/postgres.js';

withPostgres('two nodes on one PostgreSQL', () => {
  let a: Live;
  let b: Live;
  let img: string;

  before(async () => {
    const schema = freshSchema();
    await poolOn(schema); // creates the schema (the nodes' URL names it on the search_path)
    // libpq's options parameter; %20, not '+', for the space (pg decodes with decodeURIComponent).
    const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const env = { DATABASE_URL: url, VISAGE_ADMIN_KEY: ADMIN_KEY, VISAGE_LOG_LEVEL: process.env.DEBUG_LOG ?? 'silent' };
    [a, b] = await Promise.all([startLive(env), startLive(env)]);
    img = (await facePng(3)).toString('base64');
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  test('a key made on node A works on node B; its 50 credits buy exactly 50 of 100 parallel requests over both', async () => {
    const k = await adminCreateKey(a, { account: 'shared', rate_per_second: 100000, burst: 100000 });
    assert.equal((await b.call('PUT', '/v1/admin/accounts/shared/credits', { key: ADMIN_KEY, body: { monthly_credits: 50 } })).status, 200);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => request((i % 2 ? a : b).port, 'POST', '/v1/detect', { key: k.secret, body: { image: img } })),
    );
    const ok = results.filter((r) => r.status === 200);
    assert.equal(ok.length, 50, 'never past the allowance, whichever node answers');
    assert.equal(results.filter((r) => r.status === 402).length, 50);
    const acct = (await a.call('GET', '/v1/account', { key: k.secret })).json;
    assert.equal(acct.credits.remaining, 0);
    assert.deepEqual(acct.usage, { detect: 50 });
  });

  test('a rate limit holds across both nodes (within 10 %)', async () => {
    // Both nodes' clocks stand still, so nothing refills: the burst is all there is to share.
    const k = await adminCreateKey(a, { account: 'limited', rate_per_second: 1, burst: 40 });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => request((i % 2 ? a : b).port, 'GET', '/v1/account', { key: k.secret })),
    );
    const allowed = results.filter((r) => r.status === 200).length;
    assert.ok(allowed >= 36 && allowed <= 44, `${allowed} of 100 allowed on a burst of 40 over two nodes`);
    assert.equal(allowed + results.filter((r) => r.status === 429).length, 100);
    const byNode = [0, 1].map((n) => results.filter((r, i) => i % 2 === n && r.status === 200).length);
    assert.ok(byNode.every((x) => x > 0), `both nodes took from the one bucket (${byNode.join(' + ')})`);
  });

  test('invalid keys counted over both nodes block the IP on both', async () => {
    const k = await adminCreateKey(a, { account: 'blocked' });
    // The default: 10 invalid keys within a minute block the address (admin keys pass a block).
    for (let i = 0; i < 10; i++) {
      const r = await request((i % 2 ? a : b).port, 'GET', '/v1/account', { key: `wrong-key-${i}`, from: '127.0.0.9' });
      assert.equal(r.status, 401);
    }
    for (const node of [a, b]) {
      const r = await request(node.port, 'GET', '/v1/account', { key: k.secret, from: '127.0.0.9' });
      assert.ok(r.status === 403 || r.status === 429, `blocked on each node, though each saw only 5 failures (got ${r.status})`);
    }
    assert.equal((await request(b.port, 'GET', '/v1/account', { key: k.secret, from: '127.0.0.10' })).status, 200, 'another address is not');
  });
});
