// FindFace contract, part two (findface.txt, FACTS.md "FindFace"), on a real server on loopback
// with the real models: every method under /v0, each parameter format (form-urlencoded,
// multipart, JSON with a photo URL, query string), the error codes of the one mapping table
// (credits, rate, URL refused, image too large, service unavailable), credits charged per
// detect/verify/identify/created face, several galleries in one identify, the presets against
// /v1/verify, the same boxes as /v1, and the dialect's own listener.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { FINDFACE_ERRORS } from '../../../src/compat/findface/findface.errors.js';
import { startServer } from '../../../src/main/server.compose.js';
import { loadRealAnalyzer } from '../../../src/main/services.compose.js';
import { evalPhoto } from '../../helpers/eval-photos.js';
import { startImageServer, type ImageServer } from '../../helpers/image-server.js';
import { ADMIN_KEY, adminCreateKey, request, startLive, type Live, type LiveResponse } from '../../helpers/live-server.js';
import { multipart } from '../../helpers/test-app.js';

const A1 = evalPhoto('lfw/images/Abel_Pacheco/Abel_Pacheco_0001.jpg');
const A4 = evalPhoto('lfw/images/Abel_Pacheco/Abel_Pacheco_0004.jpg');
const B1 = evalPhoto('lfw/images/Akhmed_Zakayev/Akhmed_Zakayev_0001.jpg');
const GROUP = evalPhoto('compreface_samples/images/000_5.jpg');
const NO_FACE = evalPhoto('compreface_samples/images/017_0.jpg');

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

type Part = { name: string; value: string | Uint8Array; filename?: string };
let live: Live;
let images: ImageServer;
let groupImages: ImageServer;
let ownPort: number;
let token: string;
const auth = () => ({ authorization: `Token ${token}` });
const isInt = (v: unknown) => Number.isInteger(v);
const boxInts = (b: Record<string, unknown>) => ['x1', 'y1', 'x2', 'y2'].every((k) => isInt(b[k]));

before(async () => {
  images = await startImageServer(A4);
  groupImages = await startImageServer(GROUP);
  ownPort = await freePort();
  live = await startLive({ VISAGE_ADMIN_KEY: ADMIN_KEY, VISAGE_URL_ALLOW_PRIVATE: 'true', VISAGE_FINDFACE_PORT: String(ownPort) }, { loadAnalyzer: (_n, engine) => loadRealAnalyzer(1, engine) });
  token = (await adminCreateKey(live, { account: 'ff2', rate_per_second: 1000, burst: 1000 })).secret;
});
after(async () => {
  await live?.close();
  await images?.close();
  await groupImages?.close();
});

function post(path: string, parts: Part[], headers = auth(), port = live.port): Promise<LiveResponse> {
  const m = multipart(parts);
  return request(port, 'POST', path, { headers: { ...headers, ...m.headers }, body: m.payload });
}
const form = (path: string, fields: Record<string, string>, headers = auth()) =>
  live.call('POST', path, { headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
const json = (method: string, path: string, body: unknown, headers = auth()) => live.call(method, path, { headers, body });
const file = (name: string, value: Uint8Array): Part => ({ name, value, filename: `${name}.jpg` });

describe('parameter formats', () => {
  test('detect: form-urlencoded with a photo URL and attribute flags', async () => {
    const r = await form('/findface/v1/detect', { photo: `${images.base}/img.jpg`, age: 'true', gender: 'true' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.faces.length, 1);
    assert.ok(boxInts(r.json.faces[0]));
    assert.equal(typeof r.json.faces[0].age, 'number');
    assert.ok('gender' in r.json.faces[0] && !('emotions' in r.json.faces[0]));
  });

  test('verify: JSON with photo URLs, bbox as an array or a dict; the answer bbox is a dict', async () => {
    const d = await form('/findface/v1/detect', { photo: `${images.base}/img.jpg` });
    const b = d.json.faces[0];
    const r = await json('POST', '/findface/v1/verify', { photo1: `${images.base}/img.jpg`, photo2: `${images.base}/octet`, bbox1: [b.x1, b.y1, b.x2, b.y2], bbox2: { x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2 }, threshold: 'strict' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.verified, true);
    assert.deepEqual(r.json.results[0].bbox1, b);
    assert.equal(typeof r.json.results[0].confidence, 'number');
  });

  test('identify: parameters in the query string; empty strings and empty arrays mean "not given"', async () => {
    const c = await post('/findface/v1/face', [file('photo', A1), { name: 'meta', value: 'q' }, { name: 'galleries', value: '' }]);
    assert.equal(c.status, 200, c.text);
    assert.deepEqual(c.json.results[0].galleries, ['default']);
    const q = new URLSearchParams({ photo: `${images.base}/img.jpg`, n: '2', threshold: 'medium' });
    const r = await live.call('POST', `/findface/v1/identify?${q}`, { headers: auth() });
    assert.equal(r.status, 200, r.text);
    const [key] = Object.keys(r.json.results);
    const parsed = JSON.parse(key!);
    assert.equal(parsed.length, 4);
    assert.ok(parsed.every(isInt));
    assert.equal(r.json.results[key!][0].face.id, c.json.results[0].id);
    const e = await json('POST', '/findface/v1/identify', { photo: `${images.base}/img.jpg`, galleries: [], bbox: '', threshold: '' });
    assert.equal(e.status, 200, e.text);
    await live.call('DELETE', `/findface/v1/face/id/${c.json.results[0].id}`, { headers: auth() });
  });
});

for (const ver of ['v0', 'v1']) {
  test(`every method under /${ver}: galleries, face create (mf_selector all), get, update, person, meta, lists, identify (account, several galleries, one gallery), verify, delete`, async () => {
    const v = `/findface/${ver}`;
    // An account per version, so both runs start from the same empty state.
    const h = { authorization: `Token ${(await adminCreateKey(live, { account: `ff-${ver}`, rate_per_second: 1000, burst: 1000 })).secret}` };
    assert.equal((await json('POST', `${v}/galleries/alpha`, {}, h)).status, 201);
    assert.equal((await json('POST', `${v}/galleries`, { name: 'beta' }, h)).status, 201);
    assert.deepEqual((await live.call('GET', `${v}/galleries/`, { headers: h })).json.results, ['alpha', 'beta', 'default']);

    const d = await post(`${v}/detect/`, [file('photo', GROUP)], h);
    assert.equal(d.status, 200, d.text);
    assert.ok(d.json.faces.length > 1 && d.json.faces.every(boxInts));

    let r = await post(`${v}/face`, [file('photo', A1), { name: 'meta', value: 'Abel' }, { name: 'galleries', value: 'alpha' }], h);
    assert.equal(r.status, 200, r.text);
    const abel = r.json.results[0];
    for (const k of ['id', 'x1', 'y1', 'x2', 'y2']) assert.ok(isInt(abel[k]), k);
    assert.ok(abel.id > 0 && abel.id < 2 ** 31);
    assert.equal(abel.person_id, null);
    r = await post(`${v}/face/`, [file('photo', B1), { name: 'meta', value: 'Akhmed' }, { name: 'galleries', value: '["beta"]' }], h);
    const akhmed = r.json.results[0];
    r = await post(`${v}/face`, [file('photo', GROUP), { name: 'meta', value: 'crowd' }, { name: 'galleries', value: '["default"]' }, { name: 'mf_selector', value: 'all' }], h);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.results.length, d.json.faces.length, 'mf_selector=all enrols every face detect finds');
    assert.ok(r.json.results.every((f: Record<string, unknown>) => boxInts(f) && isInt(f.id)));

    r = await live.call('GET', `${v}/face/id/${abel.id}`, { headers: h });
    assert.deepEqual([r.status, r.json.id, r.json.galleries], [200, abel.id, ['alpha']]);
    r = await json('PUT', `${v}/faces/id/${abel.id}`, { person_id: 7, galleries: { add: ['beta'] } }, h);
    assert.deepEqual([r.status, r.json.person_id, r.json.galleries], [200, 7, ['alpha', 'beta']]);
    r = await live.call('GET', `${v}/person/id/7/`, { headers: h });
    assert.deepEqual(r.json.results.map((f: { id: number }) => f.id), [abel.id]);
    r = await live.call('GET', `${v}/face/meta/Akhmed`, { headers: h });
    assert.deepEqual(r.json.results.map((f: { id: number }) => f.id), [akhmed.id]);
    r = await live.call('GET', `${v}/meta/gallery/beta`, { headers: h });
    assert.deepEqual(r.json.results.map((m: { meta: string; count: number }) => [m.meta, m.count]), [['Abel', 1], ['Akhmed', 1]]);
    assert.ok(r.json.results.every((m: { count: unknown }) => isInt(m.count)));
    r = await live.call('GET', `${v}/meta`, { headers: h });
    assert.ok(r.json.results.some((m: { meta: string; count: number }) => m.meta === 'crowd' && m.count === d.json.faces.length));

    // Paging by id: max_id goes to older faces, min_id back to newer ones.
    r = await live.call('GET', `${v}/faces/gallery/default?limit=2`, { headers: h });
    assert.equal(r.json.results.length, 2);
    const older = await live.call('GET', `${v}${r.json.next_page.slice(r.json.next_page.indexOf('/faces'))}`, { headers: h });
    assert.equal(older.status, 200, older.text);
    assert.ok(older.json.results.every((f: { id: number }) => f.id < r.json.results[1].id));
    const newer = await live.call('GET', `${v}/faces/gallery/default?min_id=${older.json.results[0].id}`, { headers: h });
    assert.ok(newer.json.results.every((f: { id: number }) => f.id > older.json.results[0].id));
    r = await live.call('GET', `${v}/faces/?limit=1000`, { headers: h });
    assert.ok([abel.id, akhmed.id].every((id) => r.json.results.some((f: { id: number }) => f.id === id)));

    // identify: the whole account, several named galleries (all searched), one gallery.
    r = await post(`${v}/identify`, [file('photo', A4), { name: 'threshold', value: 'medium' }], h);
    assert.equal((Object.values(r.json.results)[0] as { face: { id: number } }[])[0]!.face.id, abel.id);
    r = await post(`${v}/identify`, [file('photo', B1), { name: 'galleries', value: '["alpha", "beta"]' }, { name: 'n', value: '5' }, { name: 'threshold', value: 'strict' }], h);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual((Object.values(r.json.results)[0] as { face: { id: number } }[]).map((h) => h.face.id), [akhmed.id], 'Akhmed is found in beta, the second gallery named');
    r = await post(`${v}/identify`, [file('photo', A4), { name: 'galleries', value: '["alpha", "beta"]' }, { name: 'n', value: '5' }, { name: 'threshold', value: 'medium' }], h);
    assert.deepEqual((Object.values(r.json.results)[0] as { face: { id: number } }[]).map((h) => h.face.id), [abel.id], 'a face in both galleries is one result');
    r = await post(`${v}/faces/gallery/alpha/identify/`, [file('photo', B1), { name: 'threshold', value: 'none' }, { name: 'n', value: '3' }], h);
    assert.deepEqual((Object.values(r.json.results)[0] as { face: { id: number } }[]).map((h) => h.face.id), [abel.id]);

    r = await post(`${v}/verify`, [file('photo1', A1), file('photo2', GROUP), { name: 'mf_selector', value: 'all' }, { name: 'threshold', value: 'none' }], h);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.results.length, d.json.faces.length);

    assert.equal((await live.call('DELETE', `${v}/face/id/${akhmed.id}/`, { headers: h })).status, 204);
    assert.equal((await live.call('GET', `${v}/faces/id/${akhmed.id}`, { headers: h })).json.code, 'NOT_FOUND');
    assert.equal((await live.call('DELETE', `${v}/galleries/alpha`, { headers: h })).status, 204);
    r = await live.call('GET', `${v}/face/id/${abel.id}`, { headers: h });
    assert.deepEqual(r.json.galleries, ['beta'], 'deleting a gallery keeps its faces that are in another');
  });
}

describe('decisions and boxes as /v1', () => {
  test('each preset gives /v1/verify decision on a genuine and an impostor LFW pair', async () => {
    for (const [p1, p2, genuine] of [[A1, A4, true], [A1, B1, false]] as const) {
      for (const preset of ['strict', 'medium', 'low', 'none']) {
        const ff = await post('/findface/v1/verify', [file('photo1', p1), file('photo2', p2), { name: 'threshold', value: preset }]);
        const v1 = await live.call('POST', '/v1/verify', { key: token, body: { image_a: Buffer.from(p1).toString('base64'), image_b: Buffer.from(p2).toString('base64'), threshold: preset } });
        assert.equal(v1.status, 200, v1.text);
        assert.equal(ff.json.verified, v1.json.match, `${genuine ? 'genuine' : 'impostor'} at ${preset}`);
        if (preset === 'none') assert.equal(ff.json.verified, true);
      }
    }
  });

  test('a group photo: the same faces and boxes as /v1/detect at 50 px', async () => {
    const ff = await post('/findface/v1/detect', [file('photo', GROUP)]);
    const m = multipart([{ name: 'image', value: GROUP, filename: 'g.jpg' }]);
    const v1 = await live.call('POST', '/v1/detect?min_face_size=50', { headers: { authorization: `Bearer ${token}`, ...m.headers }, body: m.payload });
    assert.equal(v1.status, 200, v1.text);
    // /v1 sends boxes at 0.1 px, the dialect in integers: each coordinate is /v1's, rounded (within half a pixel).
    type B = { x1: number; y1: number; x2: number; y2: number };
    const byX = (a: B, b: B) => a.x1 - b.x1;
    const ffs: B[] = [...ff.json.faces].sort(byX);
    const v1s: B[] = v1.json.faces.map((f: { box: B }) => f.box).sort(byX);
    assert.equal(ffs.length, v1s.length);
    assert.ok(ffs.length > 1);
    ffs.forEach((b, i) => {
      for (const k of ['x1', 'y1', 'x2', 'y2'] as const) assert.ok(isInt(b[k]) && Math.abs(b[k] - v1s[i]![k]) <= 0.5 + 1e-9, `face ${i} ${k}: ${b[k]} vs ${v1s[i]![k]}`);
    });
  });
});

describe('errors from the one table', () => {
  test('no face: 400 NO_FACES naming the photo (verify names its side)', async () => {
    let r = await post('/findface/v1/identify', [file('photo', NO_FACE)]);
    assert.deepEqual([r.status, r.json.code, r.json.param], [400, 'NO_FACES', 'photo']);
    r = await post('/findface/v1/verify', [file('photo1', A1), file('photo2', NO_FACE)]);
    assert.deepEqual([r.status, r.json.code, r.json.param], [400, 'NO_FACES', 'photo2']);
    r = await post('/findface/v1/detect', [file('photo', NO_FACE)]);
    assert.deepEqual([r.status, r.json.faces], [200, []], 'detect finds nothing without an error');
  });

  test('image too large: 413 IMAGE_TOO_LARGE over 10 MB', async () => {
    const r = await post('/findface/v1/detect', [file('photo', Buffer.concat([A1, Buffer.alloc(10 * 1024 * 1024 + 1)]))]);
    assert.equal(r.status, FINDFACE_ERRORS.IMAGE_TOO_LARGE.status);
    assert.equal(r.json.code, FINDFACE_ERRORS.IMAGE_TOO_LARGE.code);
  });

  test('formats as the document lists: JPEG, PNG and WEBP are read; GIF is 400 BAD_IMAGE naming the photo', async () => {
    const jpeg = await post('/findface/v1/detect', [file('photo', A1)]);
    for (const fmt of ['png', 'webp'] as const) {
      const r = await post('/findface/v1/detect', [file('photo', await sharp(A1)[fmt]({ lossless: true }).toBuffer())]);
      assert.equal(r.status, 200, `${fmt}: ${r.text}`);
      assert.equal(r.json.faces.length, jpeg.json.faces.length);
    }
    const gif = await sharp(A1).gif().toBuffer();
    const r = await post('/findface/v1/face', [file('photo', gif)]);
    assert.deepEqual([r.status, r.json.code, r.json.param], [400, 'BAD_IMAGE', 'photo']);
    const v = await post('/findface/v1/verify', [file('photo1', A1), file('photo2', gif)]);
    assert.deepEqual([v.status, v.json.param], [400, 'photo2']);
  });

  test('a URL that fails: URL_FETCH_FAILED (redirects are not followed); not an image: BAD_IMAGE', async () => {
    let r = await json('POST', '/findface/v1/detect', { photo: `${images.base}/redirect` });
    assert.deepEqual([r.status, r.json.code], [FINDFACE_ERRORS.URL_FETCH_FAILED.status, 'URL_FETCH_FAILED']);
    r = await json('POST', '/findface/v1/detect', { photo: `${images.base}/page.html` });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.code, 'BAD_IMAGE');
  });

  test('rate limited: 429 RATE_LIMITED with Retry-After', async () => {
    const k = (await adminCreateKey(live, { account: 'ff-rate', rate_per_second: 1, burst: 1 })).secret;
    assert.equal((await live.call('GET', '/findface/v1/galleries', { headers: { authorization: `Token ${k}` } })).status, 200);
    const r = await live.call('GET', '/findface/v1/galleries', { headers: { authorization: `Token ${k}` } });
    assert.deepEqual([r.status, r.json.code], [FINDFACE_ERRORS.RATE_LIMITED.status, 'RATE_LIMITED']);
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers['retry-after']) >= 1);
  });

  test('credits: one per detect, verify, identify and created face (mf_selector=all pays per face); 402 NO_CREDITS when spent', async () => {
    const k = (await adminCreateKey(live, { account: 'ff-credits', rate_per_second: 1000, burst: 1000 })).secret;
    const h = { authorization: `Token ${k}` };
    const spent = async () => (await live.call('GET', '/v1/account', { key: k })).json.credits.spent as number;
    const put = await live.call('PUT', '/v1/admin/accounts/ff-credits/credits', { key: ADMIN_KEY, body: { monthly_credits: 100 } });
    assert.equal(put.status, 200, put.text);
    assert.equal((await post('/findface/v1/detect', [file('photo', A1)], h)).status, 200);
    assert.equal(await spent(), 1);
    assert.equal((await post('/findface/v1/verify', [file('photo1', A1), file('photo2', A4)], h)).status, 200);
    assert.equal(await spent(), 2);
    assert.equal((await post('/findface/v1/identify', [file('photo', A4)], h)).status, 200);
    assert.equal(await spent(), 3);
    assert.equal((await post('/findface/v1/face', [file('photo', A1)], h)).status, 200);
    assert.equal(await spent(), 4);
    const all = await post('/findface/v1/face', [file('photo', GROUP), { name: 'mf_selector', value: 'all' }], h);
    assert.equal(all.status, 200, all.text);
    const n = all.json.results.length;
    assert.ok(n > 1);
    assert.equal(await spent(), 4 + n, 'one credit per created face');
    assert.equal((await post('/findface/v1/detect', [{ name: 'photo', value: '' }], h)).status, 400);
    assert.equal(await spent(), 4 + n, 'a refused request costs nothing');
    // Fewer credits left than faces in the photo: nothing is created, nothing is kept.
    await live.call('PUT', '/v1/admin/accounts/ff-credits/credits', { key: ADMIN_KEY, body: { monthly_credits: 4 + n + 1 } });
    const before = (await live.call('GET', '/findface/v1/faces?limit=1000', { headers: h })).json.results.length;
    let r = await post('/findface/v1/face', [file('photo', GROUP), { name: 'mf_selector', value: 'all' }], h);
    assert.deepEqual([r.status, r.json.code], [FINDFACE_ERRORS.INSUFFICIENT_CREDITS.status, 'NO_CREDITS']);
    assert.equal((await live.call('GET', '/findface/v1/faces?limit=1000', { headers: h })).json.results.length, before);
    assert.equal(await spent(), 4 + n);
    assert.equal((await post('/findface/v1/detect', [file('photo', A1)], h)).status, 200);
    r = await post('/findface/v1/detect', [file('photo', A1)], h);
    assert.deepEqual([r.status, r.json.code], [402, 'NO_CREDITS']);
    assert.equal(typeof r.json.reason, 'string');
  });
});

test('its own listener (VISAGE_FINDFACE_PORT) serves /v0 and /v1 at the root', async () => {
  for (const v of ['/v0', '/v1']) {
    const g = await request(ownPort, 'GET', `${v}/galleries`, { headers: auth() });
    assert.equal(g.status, 200, g.text);
    assert.ok(g.json.results.includes('default'));
    const d = await post(`${v}/detect/`, [file('photo', A1)], auth(), ownPort);
    assert.equal(d.status, 200, d.text);
    assert.ok(boxInts(d.json.faces[0]));
  }
  const none = await request(ownPort, 'GET', '/v1/galleries');
  assert.deepEqual([none.status, none.json.code], [401, 'AUTH_FAILED']);
});

test('URL refused: a private address on a server that does not allow them is 400 URL_REFUSED', async () => {
  // A second server with the default URL rules (and the fake analyzer: no image is analysed).
  const strict = await startLive({ VISAGE_ADMIN_KEY: ADMIN_KEY });
  try {
    const k = (await adminCreateKey(strict, { account: 'ff-url' })).secret;
    const r = await strict.call('POST', '/findface/v1/detect', { headers: { authorization: `Token ${k}` }, body: { photo: `${images.base}/img.jpg` } });
    assert.deepEqual([r.status, r.json.code], [FINDFACE_ERRORS.URL_FORBIDDEN.status, 'URL_REFUSED']);
    assert.equal(r.status, 400);
  } finally {
    await strict.close();
  }
});

test('SERVICE_UNAVAILABLE (503) while the models load', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'visage-findface-'));
  const server = await startServer({
    env: { VISAGE_PORT: '0', VISAGE_HOST: '127.0.0.1', VISAGE_LOG_LEVEL: 'silent', VISAGE_DATA_DIR: dataDir, VISAGE_ADMIN_KEY: ADMIN_KEY },
    loadAnalyzer: () => new Promise(() => {}),
    print: () => {},
  });
  try {
    const port = (server.app.server.address() as { port: number }).port;
    for (const path of ['/findface/v1/detect', '/findface/v0/identify']) {
      const r = await post(path, [file('photo', A1)], { authorization: `Token ${ADMIN_KEY}` }, port);
      assert.deepEqual([r.status, r.json.code], [503, 'SERVICE_UNAVAILABLE']);
      assert.equal(r.status, FINDFACE_ERRORS.NOT_READY.status);
      assert.equal(typeof r.json.reason, 'string');
    }
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the dialect\'s own OpenAPI document and docs page at /findface/v1/docs; none of it in the native document', async () => {
  const page = await live.call('GET', '/findface/v1/docs');
  assert.equal(page.status, 200, page.text);
  assert.match(String(page.headers['content-type']), /text\/html/);
  const doc = await live.call('GET', '/findface/v1/docs/openapi.json');
  assert.equal(doc.status, 200, doc.text);
  assert.ok(Object.keys(doc.json.paths).some((p) => p.includes('identify')));
  const native = await live.call('GET', '/openapi.json', { key: ADMIN_KEY });
  assert.ok(!Object.keys(native.json.paths).some((p) => p.includes('findface') || p.startsWith('/v0')));
});
