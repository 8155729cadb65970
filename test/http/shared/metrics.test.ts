// GET /metrics on a real server: after a few requests it shows them (by route pattern and
// status, with latency), refusals by code, faces per gallery and credits spent; it is protected
// as documented (VISAGE_METRICS=key by default: the metrics or admin scope; open; off), and no
// key, template or query value appears in it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN_KEY, adminCreateKey, facePng, startLive, type Live } from '../../helpers/live-server.js';

/** The value of one sample line, e.g. `visage_http_requests_total{method="POST",route="/v1/detect",status="200"}`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const body = line.slice(name.length).match(/^(?:\{(.*)\})? (\S+)$/);
    if (!body) continue;
    const have = Object.fromEntries([...(body[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(body[2]);
  }
  return undefined;
}

describe('VISAGE_METRICS=key (the default)', () => {
  let live: Live;
  let client: { id: string; secret: string };
  let scraper: { id: string; secret: string };
  let template: string;
  before(async () => {
    live = await startLive({ VISAGE_ADMIN_KEY: ADMIN_KEY });
    client = await adminCreateKey(live, { account: 'acme', name: 'app', scopes: 'all' });
    scraper = await adminCreateKey(live, { account: 'ops', name: 'prometheus', scopes: ['metrics'] });
    const key = client.secret;
    const img = (await facePng(3)).toString('base64');
    assert.equal((await live.call('POST', '/v1/detect', { key, body: { image: img } })).status, 200);
    assert.equal((await live.call('POST', '/v1/detect?app_key=sekrit-in-query', { key, body: { image: img } })).status, 200);
    const t = await live.call('POST', '/v1/templates', { key, body: { image: img } });
    template = t.json.faces[0].template;
    assert.equal((await live.call('POST', '/v1/galleries', { key, body: { name: 'staff' } })).status, 200);
    assert.equal((await live.call('POST', '/v1/galleries/staff/faces', { key, body: { id: 'emp-1', template } })).status, 200);
    assert.equal((await live.call('POST', '/v1/galleries/staff/faces', { key, body: { id: 'emp-2', image: (await facePng(9)).toString('base64') } })).status, 200);
    assert.equal((await live.call('POST', '/v1/detect', { key, body: {} })).json.code, 'IMAGE_MISSING');
    assert.equal((await live.call('POST', '/v1/detect', { key: 'vsg_not-a-key', body: { image: img } })).json.code, 'UNAUTHORIZED');
    assert.equal((await live.call('GET', '/no/such/route?key=another-secret')).status, 404);
  });
  after(async () => live?.close());

  test('without a key 401; a client key, even with scopes=all, 403; the metrics scope and the admin key read it', async () => {
    const none = await live.call('GET', '/metrics');
    assert.equal(none.status, 401);
    assert.equal(none.json.code, 'UNAUTHORIZED');
    const clientRead = await live.call('GET', '/metrics', { key: client.secret });
    assert.equal(clientRead.status, 403);
    assert.equal(clientRead.json.code, 'FORBIDDEN');
    const scraped = await live.call('GET', '/metrics', { headers: { 'x-api-key': scraper.secret } });
    assert.equal(scraped.status, 200);
    assert.match(String(scraped.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.equal((await live.call('GET', '/metrics', { key: ADMIN_KEY })).status, 200);
  });

  test('it shows the requests, refusals by code, latency, faces per gallery and credits spent', async () => {
    const text = (await live.call('GET', '/metrics', { key: scraper.secret })).text;
    assert.equal(sample(text, 'visage_http_requests_total', { method: 'POST', route: '/v1/detect', status: '200' }), 2);
    assert.equal(sample(text, 'visage_http_requests_total', { method: 'POST', route: '/v1/detect', status: '400' }), 1);
    assert.equal(sample(text, 'visage_http_requests_total', { method: 'POST', route: '/v1/galleries/:gallery/faces', status: '200' }), 2);
    assert.equal(sample(text, 'visage_http_requests_total', { route: '(unmatched)', status: '404' }), 1);
    assert.equal(sample(text, 'visage_http_request_duration_seconds_count', { method: 'POST', route: '/v1/detect' }), 4);
    assert.equal(sample(text, 'visage_http_request_duration_seconds_bucket', { method: 'POST', route: '/v1/detect', le: '+Inf' }), 4);
    assert.equal(sample(text, 'visage_refusals_total', { code: 'IMAGE_MISSING', status: '400' }), 1);
    assert.ok((sample(text, 'visage_refusals_total', { code: 'UNAUTHORIZED', status: '401' }) ?? 0) >= 1);
    assert.equal(sample(text, 'visage_refusals_total', { code: 'NOT_FOUND', status: '404' }), 1);
    assert.equal(sample(text, 'visage_gallery_faces', { account: 'acme', gallery: 'staff' }), 2);
    // detect ×2, templates, enrol ×2: one credit each
    assert.equal(sample(text, 'visage_credits_spent', { account: 'acme' }), 5);
    // the pool's gauges are there (the fake analyzer keeps no pool, so they read 0)
    assert.notEqual(sample(text, 'visage_inference_queue_depth'), undefined);
    assert.notEqual(sample(text, 'process_cpu_seconds_total'), undefined);
  });

  test('no key, template or query value appears in the metrics', async () => {
    const text = (await live.call('GET', '/metrics', { key: scraper.secret })).text;
    for (const secret of [client.secret, scraper.secret, ADMIN_KEY, template, template.slice(0, 24), 'sekrit-in-query', 'another-secret', 'vsg_not-a-key', 'emp-1']) {
      assert.ok(!text.includes(secret), `metrics hold ${secret.slice(0, 12)}…`);
    }
    assert.ok(!/\?/.test(text.split('\n').filter((l) => !l.startsWith('#')).join('\n')), 'no query string in a label');
  });
});

describe('VISAGE_METRICS=open and off', () => {
  let open: Live;
  let off: Live;
  before(async () => {
    [open, off] = await Promise.all([startLive({ VISAGE_ADMIN_KEY: ADMIN_KEY, VISAGE_METRICS: 'open' }), startLive({ VISAGE_ADMIN_KEY: ADMIN_KEY, VISAGE_METRICS: 'off' })]);
  });
  after(async () => Promise.all([open?.close(), off?.close()]));

  test('open: served without a key; off: not served at all', async () => {
    await open.call('GET', '/health');
    const r = await open.call('GET', '/metrics');
    assert.equal(r.status, 200);
    assert.equal(sample(r.text, 'visage_http_requests_total', { method: 'GET', route: '/health', status: '200' }), 1);
    const gone = await off.call('GET', '/metrics', { key: ADMIN_KEY });
    assert.equal(gone.status, 404);
  });

  test('a bad VISAGE_METRICS stops start-up, naming it', async () => {
    await assert.rejects(startLive({ VISAGE_METRICS: 'public' }), /VISAGE_METRICS/);
  });
});
