// Accounts, keys, scopes, tenancy, credits, rate limits, bans and the audit log, each proved
// against a real server on loopback (real SQLite, real HTTP, no mocked auth).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN_KEY, adminCreateKey, facePng, startLive, type Live } from '../../helpers/live-server.js';

const ABUSE_ENV = {
  VISAGE_ADMIN_KEY: ADMIN_KEY,
  VISAGE_ABUSE_FAILURES_TO_BLOCK: '3',
  VISAGE_ABUSE_BLOCK_MS: '60000',
  VISAGE_ABUSE_BLOCKS_TO_BAN: '2',
  VISAGE_ABUSE_BAN_MS: '86400000',
  VISAGE_CORS_ORIGINS: 'https://app.example',
};

describe('first start without an admin key', () => {
  let live: Live;
  before(async () => (live = await startLive()));
  after(async () => live.close());

  test('prints one key once; it works as Bearer and x-api-key, and on the admin API', async () => {
    assert.equal(live.printed.length, 1);
    const key = live.printed[0]!.match(/vsg_[A-Za-z0-9_-]{43}/)?.[0];
    assert.ok(key, 'a key is printed');
    const img = (await facePng(1)).toString('base64');
    assert.equal((await live.call('POST', '/v1/detect', { key, body: { image: img } })).status, 200);
    assert.equal((await live.call('POST', '/v1/detect', { headers: { 'x-api-key': key }, body: { image: img } })).status, 200);
    const none = await live.call('POST', '/v1/detect', { body: { image: img } });
    assert.equal(none.status, 401);
    assert.equal(none.json.code, 'UNAUTHORIZED');
    assert.equal((await live.call('POST', '/v1/detect', { key: 'vsg_wrong', body: { image: img } })).json.code, 'UNAUTHORIZED');
    // The printed key has the admin scope, so the admin API answers it with no VISAGE_ADMIN_KEY.
    const keys = await live.call('GET', '/v1/admin/keys', { key });
    assert.equal(keys.status, 200, JSON.stringify(keys.json));
    assert.equal(keys.json.keys.length, 1);
    const made = await live.call('POST', '/v1/admin/keys', { key, body: { account: 'app', scopes: ['detect'] } });
    assert.equal(made.status, 201);
    const refused = await live.call('GET', '/v1/admin/keys', { key: made.json.secret });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.code, 'FORBIDDEN');
  });
});

describe('with an admin key', () => {
  let live: Live;
  let img: string;
  before(async () => {
    live = await startLive(ABUSE_ENV);
    img = (await facePng(2)).toString('base64');
  });
  after(async () => live.close());

  test('nothing is printed when the admin key comes from config; the admin API needs it', async () => {
    assert.deepEqual(live.printed, []);
    assert.equal((await live.call('GET', '/v1/admin/keys')).json.code, 'UNAUTHORIZED');
    const k = await adminCreateKey(live, { account: 'plain', scopes: ['detect'] });
    const r = await live.call('GET', '/v1/admin/keys', { key: k.secret });
    assert.equal(r.status, 403);
    assert.equal(r.json.code, 'FORBIDDEN');
  });

  test('create, list (no secrets), rotate and revoke', async () => {
    const k = await adminCreateKey(live, { account: 'acme', name: 'ci', scopes: 'detect,search', rate_per_second: 100, burst: 100 });
    assert.match(k.secret, /^vsg_/);
    const list = await live.call('GET', '/v1/admin/keys?account=acme', { key: ADMIN_KEY });
    assert.equal(list.status, 200);
    assert.equal(list.json.keys.length, 1);
    assert.equal(list.json.keys[0].name, 'ci');
    assert.ok(!list.text.includes(k.secret) && !list.text.includes('secret'), 'no secret or hash is listed');
    assert.equal((await live.call('POST', '/v1/detect', { key: k.secret, body: { image: img } })).status, 200);

    const rot = await live.call('POST', `/v1/admin/keys/${k.id}/rotate`, { key: ADMIN_KEY });
    assert.equal(rot.status, 200);
    assert.notEqual(rot.json.secret, k.secret);
    assert.equal((await live.call('POST', '/v1/detect', { key: k.secret, body: { image: img } })).json.code, 'UNAUTHORIZED');
    assert.equal((await live.call('POST', '/v1/detect', { key: rot.json.secret, body: { image: img } })).status, 200);

    assert.equal((await live.call('DELETE', `/v1/admin/keys/${k.id}`, { key: ADMIN_KEY })).status, 204);
    assert.equal((await live.call('POST', '/v1/detect', { key: rot.json.secret, body: { image: img } })).json.code, 'UNAUTHORIZED');
    assert.equal((await live.call('DELETE', `/v1/admin/keys/${k.id}`, { key: ADMIN_KEY })).json.code, 'KEY_NOT_FOUND');
  });

  test('scopes: a detect-only key may not touch galleries or verify', async () => {
    const k = await adminCreateKey(live, { account: 'scoped', scopes: ['detect'] });
    assert.equal((await live.call('POST', '/v1/detect', { key: k.secret, body: { image: img } })).status, 200);
    for (const [m, p] of [['GET', '/v1/galleries'], ['POST', '/v1/galleries'], ['POST', '/v1/search']] as const) {
      const r = await live.call(m, p, { key: k.secret, body: m === 'POST' ? { name: 'x' } : undefined });
      assert.equal(r.json.code, 'FORBIDDEN', `${m} ${p}`);
    }
    const v = await live.call('POST', '/v1/verify', { key: k.secret, body: { image_a: img, image_b: img } });
    assert.equal(v.json.code, 'FORBIDDEN');
  });

  test('tenancy: another account sees, searches and deletes nothing — answered as "not found"', async () => {
    const a = await adminCreateKey(live, { account: 'tenant-a', rate_per_second: 100, burst: 100 });
    const b = await adminCreateKey(live, { account: 'tenant-b', rate_per_second: 100, burst: 100 });
    assert.equal((await live.call('POST', '/v1/galleries', { key: a.secret, body: { name: 'staff' } })).status, 200);
    const enrol = await live.call('POST', '/v1/galleries/staff/faces', { key: a.secret, body: { image: img, id: 'alice' } });
    assert.equal(enrol.status, 200);

    const missing = await live.call('GET', '/v1/galleries/nothing-here', { key: b.secret });
    const forbidden = await live.call('GET', '/v1/galleries/staff', { key: b.secret });
    assert.equal(forbidden.status, missing.status);
    assert.equal(forbidden.json.code, missing.json.code);
    assert.equal(forbidden.json.code, 'GALLERY_NOT_FOUND');
    assert.deepEqual((await live.call('GET', '/v1/galleries', { key: b.secret })).json.galleries, []);
    assert.equal((await live.call('POST', '/v1/galleries/staff/search', { key: b.secret, body: { image: img } })).json.code, 'GALLERY_NOT_FOUND');
    assert.equal((await live.call('POST', '/v1/search', { key: b.secret, body: { image: img, galleries: ['staff'] } })).json.code, 'GALLERY_NOT_FOUND');
    assert.equal((await live.call('DELETE', '/v1/galleries/staff/faces/alice?id_type=client', { key: b.secret })).json.code, 'GALLERY_NOT_FOUND');
    assert.equal((await live.call('DELETE', '/v1/galleries/staff', { key: b.secret })).json.code, 'GALLERY_NOT_FOUND');
    // B may use the same name for its own gallery; A's is untouched.
    assert.equal((await live.call('POST', '/v1/galleries', { key: b.secret, body: { name: 'staff' } })).status, 200);
    const own = await live.call('GET', '/v1/galleries/staff', { key: a.secret });
    assert.equal(own.json.face_count, 1);
    const hit = await live.call('POST', '/v1/galleries/staff/search', { key: a.secret, body: { image: img } });
    assert.equal(hit.status, 200);
  });

  test('credits: 200 parallel requests on 50 credits succeed exactly 50 times; failures cost nothing; /v1/account reports', async () => {
    const k = await adminCreateKey(live, { account: 'metered', rate_per_second: 100000, burst: 100000 });
    assert.equal((await live.call('PUT', '/v1/admin/accounts/metered/credits', { key: ADMIN_KEY, body: { monthly_credits: 50 } })).status, 200);
    // A failed analysis costs nothing.
    const bad = await live.call('POST', '/v1/detect', { key: k.secret, body: { image: Buffer.from('not an image').toString('base64') } });
    assert.equal(bad.status, 415);
    const results = await Promise.all(Array.from({ length: 200 }, () => live.call('POST', '/v1/detect', { key: k.secret, body: { image: img } })));
    const ok = results.filter((r) => r.status === 200).length;
    const out = results.filter((r) => r.status === 402);
    assert.equal(ok, 50);
    assert.equal(out.length, 150);
    assert.equal(out[0]!.json.code, 'INSUFFICIENT_CREDITS');
    const acct = await live.call('GET', '/v1/account', { key: k.secret });
    assert.equal(acct.status, 200);
    assert.equal(acct.json.account, 'metered');
    assert.equal(acct.json.credits.monthly, 50);
    assert.equal(acct.json.credits.remaining, 0);
    assert.equal(acct.json.credits.resets_at, '2025-02-01T00:00:00.000Z');
    assert.deepEqual(acct.json.usage, { detect: 50 });
    // The month turns: credits are full again.
    live.clock.t = Date.UTC(2025, 1, 1, 0, 0, 1);
    assert.equal((await live.call('POST', '/v1/detect', { key: k.secret, body: { image: img } })).status, 200);
    const next = await live.call('GET', '/v1/account', { key: k.secret });
    assert.equal(next.json.credits.remaining, 49);
    assert.equal(next.json.credits.resets_at, '2025-03-01T00:00:00.000Z');
  });

  test('credits: usage per UTC day and operation on /v1/admin/accounts/{account}/usage/daily', async () => {
    const k = await adminCreateKey(live, { account: 'daily', rate_per_second: 100, burst: 100 });
    for (let i = 0; i < 3; i++) assert.equal((await live.call('POST', '/v1/detect', { key: k.secret, body: { image: img } })).status, 200);
    assert.equal((await live.call('POST', '/v1/detect', { key: k.secret, body: { image: Buffer.from('not an image').toString('base64') } })).status, 415);
    const r = await live.call('GET', '/v1/admin/accounts/daily/usage/daily?days=3', { key: ADMIN_KEY });
    assert.equal(r.status, 200, r.text);
    const today = r.json.to as string; // the server's clock (fixed in this suite)
    assert.equal(r.json.kept, true);
    assert.deepEqual(r.json.days.map((d: { day: string }) => d.day).at(-1), today);
    assert.equal(r.json.days.length, 3);
    assert.equal(r.json.from, r.json.days[0].day);
    assert.deepEqual(r.json.days.at(-1), { day: today, total: 3, usage: { detect: 3 } }, 'the failed request is refunded on its day too');
    assert.deepEqual(r.json.days[0].usage, {});
    const bad = await live.call('GET', '/v1/admin/accounts/daily/usage/daily?days=0', { key: ADMIN_KEY });
    assert.equal(bad.status, 400);
    assert.equal((await live.call('GET', '/v1/admin/accounts/daily/usage/daily', { key: k.secret })).status, 403, 'admins only');
  });

  test('credits: a bulk enrolment pays for the items that were enrolled, not for the bad ones', async () => {
    const k = await adminCreateKey(live, { account: 'bulk-payer', rate_per_second: 100, burst: 100 });
    assert.equal((await live.call('PUT', '/v1/admin/accounts/bulk-payer/credits', { key: ADMIN_KEY, body: { monthly_credits: 10 } })).status, 200);
    await live.call('POST', '/v1/galleries', { key: k.secret, body: { name: 'crew' } });
    const other = (await facePng(7)).toString('base64');
    const items = [
      { id: 'a', image: img },
      { id: 'b', image: Buffer.from('not an image').toString('base64') },
      { id: 'c', image: other },
      { id: 'a', image: other }, // duplicate client id
    ];
    const r = await live.call('POST', '/v1/galleries/crew/faces/bulk', { key: k.secret, body: { items } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.results.map((x: { ok: boolean }) => x.ok), [true, false, true, false]);
    const acct = await live.call('GET', '/v1/account', { key: k.secret });
    assert.equal(acct.json.credits.remaining, 8);
    assert.deepEqual(acct.json.usage, { enrol: 2 });
  });

  test('credits: 5 bulk items with 4 credits left enrol the 4 they cover and refuse the fifth on its own', async () => {
    const k = await adminCreateKey(live, { account: 'bulk-short', rate_per_second: 100, burst: 100 });
    assert.equal((await live.call('PUT', '/v1/admin/accounts/bulk-short/credits', { key: ADMIN_KEY, body: { monthly_credits: 4 } })).status, 200);
    await live.call('POST', '/v1/galleries', { key: k.secret, body: { name: 'crew' } });
    const items = await Promise.all([1, 2, 3, 4, 5].map(async (i) => ({ id: `p${i}`, image: (await facePng(i)).toString('base64') })));
    const r = await live.call('POST', '/v1/galleries/crew/faces/bulk', { key: k.secret, body: { items } });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(
      r.json.results.map((x: { ok: boolean; error?: { code: string } }) => (x.ok ? 'ok' : x.error?.code)),
      ['ok', 'ok', 'ok', 'ok', 'INSUFFICIENT_CREDITS'],
    );
    const acct = await live.call('GET', '/v1/account', { key: k.secret });
    assert.equal(acct.json.credits.remaining, 0);
    const none = await live.call('POST', '/v1/galleries/crew/faces/bulk', { key: k.secret, body: { items: items.slice(4) } });
    assert.equal(none.status, 402, 'nothing left: the whole request is refused');
  });

  test('rate limit per key: burst, then RATE_LIMITED with Retry-After; RateLimit-Policy and RateLimit (IETF draft); refills over time', async () => {
    const k = await adminCreateKey(live, { account: 'slow', rate_per_second: 2, burst: 3 });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await live.call('GET', '/v1/account', { key: k.secret }));
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 429]);
    // The bucket (3, refilling 2/s) as the draft's quota policy: 3 requests per ceil(3/2) = 2 s.
    for (const a of answers) assert.equal(a.headers['ratelimit-policy'], '"key";q=3;w=2');
    // r: whole requests left; t: seconds until the bucket is full again.
    assert.deepEqual(answers.map((a) => a.headers.ratelimit), ['"key";r=2;t=1', '"key";r=1;t=1', '"key";r=0;t=2', '"key";r=0;t=2']);
    const last = answers[3]!;
    assert.equal(last.json.code, 'RATE_LIMITED');
    assert.equal(last.headers['retry-after'], '1', 'one token is back in 0.5 s');
    // The older drafts' fields carry the same q, r and t.
    assert.equal(last.headers['ratelimit-limit'], '3');
    assert.equal(last.headers['ratelimit-remaining'], '0');
    assert.equal(last.headers['ratelimit-reset'], '2');
    live.clock.advance(500); // one token at 2/s
    assert.equal((await live.call('GET', '/v1/account', { key: k.secret })).status, 200);
    assert.equal((await live.call('GET', '/v1/account', { key: k.secret })).status, 429);
    // Another key is not affected.
    const other = await adminCreateKey(live, { account: 'slow' });
    assert.equal((await live.call('GET', '/v1/account', { key: other.secret })).status, 200);
  });

  test('expiry and IP allow-list', async () => {
    const exp = await adminCreateKey(live, { account: 'temp', expires_at: new Date(live.clock.now() + 3_600_000).toISOString() });
    assert.equal((await live.call('GET', '/v1/account', { key: exp.secret })).status, 200);
    live.clock.advance(2 * 3_600_000);
    assert.equal((await live.call('GET', '/v1/account', { key: exp.secret })).json.code, 'KEY_EXPIRED');

    const pinned = await adminCreateKey(live, { account: 'pinned', allow_ips: ['127.0.0.7', '10.0.0.0/8'] });
    assert.equal((await live.call('GET', '/v1/account', { key: pinned.secret, from: '127.0.0.7' })).status, 200);
    const r = await live.call('GET', '/v1/account', { key: pinned.secret, from: '127.0.0.8' });
    assert.equal(r.status, 403);
    assert.equal(r.json.code, 'IP_NOT_ALLOWED');
  });

  test('invalid keys from one IP: block (valid key refused too), then ban; visible and liftable by admins', async () => {
    const ip = '127.0.0.66';
    const good = await adminCreateKey(live, { account: 'victim' });
    for (let i = 0; i < 3; i++) assert.equal((await live.call('GET', '/v1/account', { key: `vsg_guess${i}`, from: ip })).json.code, 'UNAUTHORIZED');
    const blocked = await live.call('GET', '/v1/account', { key: good.secret, from: ip });
    assert.equal(blocked.status, 403);
    assert.equal(blocked.json.code, 'IP_BLOCKED');
    assert.equal(blocked.headers['retry-after'], '60');
    // Other IPs are unaffected.
    assert.equal((await live.call('GET', '/v1/account', { key: good.secret, from: '127.0.0.67' })).status, 200);
    const bans = await live.call('GET', '/v1/admin/bans', { key: ADMIN_KEY });
    assert.deepEqual(bans.json.bans.map((b: { ip: string; kind: string }) => [b.ip, b.kind]), [[ip, 'block']]);

    live.clock.advance(61_000);
    assert.equal((await live.call('GET', '/v1/account', { key: good.secret, from: ip })).status, 200);
    for (let i = 0; i < 3; i++) await live.call('GET', '/v1/account', { key: `vsg_again${i}`, from: ip });
    const banned = await live.call('GET', '/v1/account', { key: good.secret, from: ip });
    assert.equal(banned.json.code, 'IP_BANNED');
    live.clock.advance(61_000);
    assert.equal((await live.call('GET', '/v1/account', { key: good.secret, from: ip })).json.code, 'IP_BANNED', 'a ban outlasts a block');

    assert.equal((await live.call('DELETE', `/v1/admin/bans/${ip}`, { key: ADMIN_KEY })).status, 204);
    assert.equal((await live.call('GET', '/v1/account', { key: good.secret, from: ip })).status, 200);
  });

  test('an IP block never refuses a valid admin key (it lists and lifts the block from there); invalid keys during it still count', async () => {
    const ip = '127.0.0.70';
    const good = await adminCreateKey(live, { account: 'victim2' });
    const adminScoped = await adminCreateKey(live, { account: 'ops', scopes: ['admin'] });
    for (let i = 0; i < 3; i++) await live.call('GET', '/v1/account', { key: `vsg_bad${i}`, from: ip });
    assert.equal((await live.call('GET', '/v1/account', { key: good.secret, from: ip })).json.code, 'IP_BLOCKED');
    const list = await live.call('GET', '/v1/admin/bans', { key: ADMIN_KEY, from: ip });
    assert.equal(list.status, 200, 'the config admin key passes the block');
    assert.ok(list.json.bans.some((b: { ip: string }) => b.ip === ip));
    assert.equal((await live.call('GET', '/v1/admin/bans', { key: adminScoped.secret, from: ip })).status, 200, 'so does a key with the admin scope');
    // Three more invalid keys while blocked: the second block, which this policy makes a ban.
    for (let i = 0; i < 3; i++) assert.equal((await live.call('GET', '/v1/account', { key: `vsg_worse${i}`, from: ip })).status, 403);
    assert.equal((await live.call('GET', '/v1/account', { key: good.secret, from: ip })).json.code, 'IP_BANNED');
    assert.equal((await live.call('DELETE', `/v1/admin/bans/${ip}`, { key: ADMIN_KEY, from: ip })).status, 204, 'lifted from the banned address itself');
    assert.equal((await live.call('GET', '/v1/account', { key: good.secret, from: ip })).status, 200);
  });

  test('audit log: who searched which gallery and who deleted what, with request ids and no secrets', async () => {
    const k = await adminCreateKey(live, { account: 'audited', rate_per_second: 100, burst: 100 });
    await live.call('POST', '/v1/galleries', { key: k.secret, body: { name: 'vip' } });
    await live.call('POST', '/v1/galleries/vip/faces', { key: k.secret, body: { image: img, id: 'bob' } });
    const s = await live.call('POST', '/v1/galleries/vip/search', { key: k.secret, body: { image: img }, headers: { 'x-request-id': 'req-search-1' } });
    assert.equal(s.status, 200);
    await live.call('DELETE', '/v1/galleries/vip/faces/bob?id_type=client', { key: k.secret, headers: { 'x-request-id': 'req-del-1' } });
    const log = await live.call('GET', '/v1/admin/audit?account=audited', { key: ADMIN_KEY });
    assert.equal(log.status, 200);
    const rows = log.json.entries.map((e: Record<string, unknown>) => [e.action, e.target, e.request_id, e.key_id, e.status]);
    assert.deepEqual(rows.slice(0, 2), [
      ['face.delete', 'vip/bob', 'req-del-1', k.id, 204],
      ['search', 'vip', 'req-search-1', k.id, 200],
    ]);
    assert.ok(!log.text.includes(k.secret) && !log.text.includes(img.slice(0, 40)));
    const searches = await live.call('GET', '/v1/admin/audit?action=search', { key: ADMIN_KEY });
    assert.ok(searches.json.entries.every((e: { action: string }) => e.action === 'search'));
  });

  test('security headers and CORS', async () => {
    const r = await live.call('GET', '/health', { headers: { origin: 'https://app.example' } });
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.equal(r.headers['access-control-allow-origin'], 'https://app.example');
    const pre = await live.call('OPTIONS', '/v1/detect', { headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    assert.equal(pre.status, 204);
    assert.match(String(pre.headers['access-control-allow-headers']), /authorization/);
    const evil = await live.call('OPTIONS', '/v1/detect', { headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(evil.status, 403);
    assert.equal(evil.headers['access-control-allow-origin'], undefined);
  });
});

describe('default limits: a first user does not trip over them', () => {
  let live: Live;
  let key: string;
  before(async () => {
    live = await startLive();
    key = live.printed[0]!.match(/vsg_[A-Za-z0-9_-]{43}/)![0];
  });
  after(async () => live.close());

  // A serial curl loop on the reference machine (docs/configuration.md, "Rate limits") made 156
  // requests/s on /v1/account and 59/s on /v1/detect with a small photo. The loops below run at
  // twice those rates on the server's clock and must never be refused.
  test('a serial loop on /v1/account at 2 × the measured curl rate is never refused', async () => {
    const refused: number[] = [];
    for (let i = 0; i < 1500; i++) {
      const r = await live.call('GET', '/v1/account', { key });
      if (r.status !== 200) refused.push(i);
      live.clock.advance(1000 / (2 * 156));
    }
    assert.deepEqual(refused, []);
  });

  test('a serial loop on /v1/detect at 2 × the measured curl rate is never refused; the policy states the default', async () => {
    const img = (await facePng(3)).toString('base64');
    const refused: number[] = [];
    let last;
    for (let i = 0; i < 300; i++) {
      last = await live.call('POST', '/v1/detect', { key, body: { image: img } });
      if (last.status !== 200) refused.push(i);
      live.clock.advance(1000 / (2 * 59));
    }
    assert.deepEqual(refused, []);
    assert.equal(last!.headers['ratelimit-policy'], '"key";q=1000;w=2', 'burst 1000 at 500/s');
    const account = await live.call('GET', '/v1/account', { key });
    assert.deepEqual(account.json.rate_limit, { per_second: 500, burst: 1000 });
  });
});

describe('behind a proxy', () => {
  // Every request arrives from the proxy's address (127.0.0.90); the clients' own addresses are
  // only in X-Forwarded-For, which counts only with VISAGE_TRUST_PROXY.
  const PROXY = '127.0.0.90';
  const env = { VISAGE_ADMIN_KEY: ADMIN_KEY, VISAGE_ABUSE_FAILURES_TO_BLOCK: '3' };
  const viaProxy = (client: string, key: string) => ({ from: PROXY, key, headers: { 'x-forwarded-for': client } });

  test('without VISAGE_TRUST_PROXY one client\'s bad keys block every client behind the proxy', async () => {
    const live = await startLive(env);
    try {
      const good = await adminCreateKey(live, { account: 'behind' });
      for (let i = 0; i < 3; i++) await live.call('GET', '/v1/account', viaProxy('198.51.100.1', `vsg_bad${i}`));
      const other = await live.call('GET', '/v1/account', viaProxy('198.51.100.2', good.secret));
      assert.equal(other.json.code, 'IP_BLOCKED', 'an innocent client is refused');
      const bans = await live.call('GET', '/v1/admin/bans', { key: ADMIN_KEY });
      assert.deepEqual(bans.json.bans.map((b: { ip: string }) => b.ip), [PROXY], 'the block is on the proxy');
    } finally {
      await live.close();
    }
  });

  test('with VISAGE_TRUST_PROXY=true only the client that sent them is blocked', async () => {
    const live = await startLive({ ...env, VISAGE_TRUST_PROXY: 'true' });
    try {
      const good = await adminCreateKey(live, { account: 'behind' });
      for (let i = 0; i < 3; i++) await live.call('GET', '/v1/account', viaProxy('198.51.100.1', `vsg_bad${i}`));
      assert.equal((await live.call('GET', '/v1/account', viaProxy('198.51.100.2', good.secret))).status, 200);
      assert.equal((await live.call('GET', '/v1/account', viaProxy('198.51.100.1', good.secret))).json.code, 'IP_BLOCKED');
    } finally {
      await live.close();
    }
  });
});
