// Sightcorp F.A.C.E. against a real server on loopback with the real models, from the vendor's
// document and FACTS.md: the answer's shape and types, every error code at HTTP 200, keys,
// credits and rate limits, the same faces as /v1, and the dialect's own port.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadRealAnalyzer } from '../../../src/main/services.compose.js';
import { startServer } from '../../../src/main/server.compose.js';
import { evalPhoto } from '../../helpers/eval-photos.js';
import { startImageServer, type ImageServer } from '../../helpers/image-server.js';
import { ADMIN_KEY, adminCreateKey, request, startLive, type Live, type LiveResponse } from '../../helpers/live-server.js';
import { multipart } from '../../helpers/test-app.js';

const GROUP = 'compreface_samples/images/000_5.jpg';
const NO_FACE = 'compreface_samples/images/017_0.jpg';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

let live: Live;
let images: ImageServer;
let ownPort: number;
let key: string;

before(async () => {
  images = await startImageServer(evalPhoto(GROUP));
  ownPort = await freePort();
  live = await startLive(
    { VISAGE_ADMIN_KEY: ADMIN_KEY, VISAGE_URL_ALLOW_PRIVATE: 'true', VISAGE_SIGHTCORP_PORT: String(ownPort) },
    { loadAnalyzer: (_n, engine) => loadRealAnalyzer(1, engine) },
  );
  key = (await adminCreateKey(live, { account: 'sightcorp-app', scopes: ['detect'], rate_per_second: 1000, burst: 1000 })).secret;
});
after(async () => {
  await live?.close();
  await images?.close();
});

type Part = { name: string; value: string | Uint8Array; filename?: string; type?: string };
const img = (file = GROUP): Part => ({ name: 'img', value: evalPhoto(file), filename: 'photo.jpg', type: 'image/jpeg' });
const field = (name: string, value: string): Part => ({ name, value });

function post(parts: Part[], path = '/sightcorp/api/detect/', port?: number): Promise<LiveResponse> {
  const m = multipart(parts);
  return request(port ?? live.port, 'POST', path, { headers: m.headers, body: m.payload });
}
const form = (fields: Record<string, string>, path = '/sightcorp/api/detect/') =>
  live.call('POST', path, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

/** An error as the real service sends it: HTTP 200, the code, a description, no people. */
function assertError(r: LiveResponse, code: number, description?: RegExp) {
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json), ['error_code', 'description', 'people']);
  assert.equal(r.json.error_code, code, r.text);
  assert.equal(typeof r.json.description, 'string');
  assert.ok(r.json.description.length > 0);
  if (description) assert.match(r.json.description, description);
  assert.deepEqual(r.json.people, []);
}

const isInt = (v: unknown, lo = -Infinity, hi = Infinity) => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;

describe('success', () => {
  test('a group photo: every key of the document example (no ethnicity), all integers in their scales', async () => {
    const r = await post([field('app_key', key), img()]);
    assert.equal(r.status, 200, r.text);
    const b = r.json;
    // In the document's order.
    assert.deepEqual(Object.keys(b), ['error_code', 'description', 'img_size', 'people']);
    assert.equal(b.error_code, 0);
    assert.equal(b.description, '');
    assert.ok(isInt(b.img_size.w, 1) && isInt(b.img_size.h, 1));
    assert.equal(b.people.length, 5);
    for (const p of b.people) {
      assert.deepEqual(Object.keys(p), ['age', 'gender', 'mood', 'position', 'rotation', 'landmarks', 'clothingcolors', 'emotions']);
      assert.ok(!('ethnicity' in p));
      assert.ok(isInt(p.age, 1, 100), `age ${p.age}`);
      assert.ok(isInt(p.gender, -100, 100) && p.gender !== 0, `gender ${p.gender}`);
      assert.ok(isInt(p.mood, 0, 100));
      assert.deepEqual(Object.keys(p.position).sort(), ['h', 'w', 'x', 'y']);
      for (const v of Object.values(p.position)) assert.ok(isInt(v));
      assert.ok(p.position.w > 0 && p.position.h > 0);
      assert.deepEqual(Object.keys(p.rotation).sort(), ['pitch', 'roll', 'yaw']);
      for (const v of Object.values(p.rotation)) assert.ok(isInt(v, -180, 180));
      assert.deepEqual(Object.keys(p.landmarks).sort(), ['lefteye', 'maskpoints', 'righteye']);
      // The person's own left eye is on the image's right, as in the document (800 against 562).
      assert.ok(p.landmarks.lefteye.x > p.landmarks.righteye.x);
      assert.equal(p.landmarks.maskpoints.length, 4);
      assert.deepEqual(p.landmarks.maskpoints.slice(0, 2), [p.landmarks.lefteye, p.landmarks.righteye]);
      for (const q of p.landmarks.maskpoints) assert.ok(isInt(q.x) && isInt(q.y));
      assert.ok(p.clothingcolors.length <= 3);
      for (const c of p.clothingcolors) assert.match(c, /^#[0-9a-f]{6}$/);
      assert.deepEqual(Object.keys(p.emotions), ['happiness', 'surprise', 'anger', 'disgust', 'fear', 'sadness']);
      for (const v of Object.values(p.emotions)) assert.ok(isInt(v, 0, 100));
    }
  });

  test('the same photo gives the same faces, boxes and attributes as /v1/detect, in Sightcorp scales', async () => {
    const m = multipart([{ name: 'image', value: evalPhoto(GROUP), filename: 'photo.jpg', type: 'image/jpeg' }]);
    const v1 = await live.call('POST', '/v1/detect?attributes=age,gender,emotion,clothing_colors', { key, headers: m.headers, body: m.payload });
    assert.equal(v1.status, 200, v1.text);
    const sc = (await post([field('app_key', key), img()])).json;
    assert.deepEqual(sc.img_size, { w: v1.json.image.width, h: v1.json.image.height });
    assert.equal(sc.people.length, v1.json.faces.length);
    v1.json.faces.forEach((f: any, i: number) => {
      const p = sc.people[i];
      const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1, `${what}: ${a} vs ${b}`);
      near(p.position.x, f.box.x1, 'x');
      near(p.position.y, f.box.y1, 'y');
      near(p.position.w, f.box.x2 - f.box.x1, 'w');
      near(p.position.h, f.box.y2 - f.box.y1, 'h');
      near(p.landmarks.lefteye.x, f.landmarks.right_eye.x, 'lefteye');
      near(p.landmarks.righteye.x, f.landmarks.left_eye.x, 'righteye');
      assert.equal(p.age, Math.round(f.attributes.age));
      assert.equal(Math.sign(p.gender), f.attributes.gender.label === 'male' ? -1 : 1);
      const pFemale = f.attributes.gender.label === 'female' ? f.attributes.gender.confidence : 1 - f.attributes.gender.confidence;
      near(p.gender, 100 * (2 * pFemale - 1), 'gender');
      near(p.mood, f.attributes.emotion.mood, 'mood');
      near(p.emotions.happiness, 100 * f.attributes.emotion.probabilities.happy, 'happiness');
      near(p.emotions.sadness, 100 * f.attributes.emotion.probabilities.sad, 'sadness');
      near(p.rotation.yaw, f.pose.yaw, 'yaw');
      assert.deepEqual(p.clothingcolors, f.attributes.clothing_colors);
    });
  });

  test('a photo without faces: error_code 0 and an empty people list', async () => {
    const r = await post([field('app_key', key), img(NO_FACE)]);
    assert.equal(r.json.error_code, 0, r.text);
    assert.deepEqual(r.json.people, []);
    assert.ok(r.json.img_size.w > 0);
  });

  test('no trailing slash, app_key in the query, unknown fields ignored', async () => {
    const r = await post([img(), field('client_id', 'x'), field('attribute', 'gender'), field('max_persons', '1'), field('ethnicity', 'true')], `/sightcorp/api/detect?app_key=${key}`);
    assert.equal(r.json.error_code, 0, r.text);
    assert.equal(r.json.people.length, 5);
    assert.ok(!('ethnicity' in r.json.people[0]));
  });

  test('a url in an urlencoded form (the document example 2), and a browser form with the file input left empty', async () => {
    const r = await form({ app_key: key, url: `${images.base}/img.jpg` });
    assert.equal(r.json.error_code, 0, r.text);
    assert.equal(r.json.people.length, 5);
    const emptyFile = await post([field('app_key', key), { name: 'img', value: new Uint8Array(0), filename: '', type: 'application/octet-stream' }, field('url', `${images.base}/img.jpg`)]);
    assert.equal(emptyFile.json.error_code, 0, emptyFile.text);
  });

  test('its own port answers at /api/detect/ (VISAGE_SIGHTCORP_PORT)', async () => {
    const r = await post([field('app_key', key), img()], '/api/detect/', ownPort);
    assert.equal(r.json.error_code, 0, r.text);
    assert.equal(r.json.people.length, 5);
    assert.equal((await post([field('app_key', key), img()], '/api/detect', ownPort)).json.error_code, 0);
  });
});

describe('errors at HTTP 200 with the document codes', () => {
  test('1100: no key, a wrong key, a key without the detect scope', async () => {
    assertError(await post([img()]), 1100);
    assertError(await post([field('app_key', 'wrong-key-0123456789abcdef012345'), img()]), 1100);
    const searchOnly = (await adminCreateKey(live, { account: 'sightcorp-app', scopes: ['search'] })).secret;
    assertError(await post([field('app_key', searchOnly), img()]), 1100, /scope/);
    assertError(await form({ app_key: 'nope', url: `${images.base}/img.jpg` }, '/sightcorp/api/detect'), 1100);
  });

  test('1200: no image, both img and url, not a POST, a bad image', async () => {
    assertError(await post([field('app_key', key)]), 1200, /img/);
    assertError(await post([field('app_key', key), img(), field('url', `${images.base}/img.jpg`)]), 1200, /only one/);
    assertError(await live.call('GET', `/sightcorp/api/detect/?app_key=${key}`), 1200, /POST/);
    assertError(await live.call('PUT', '/sightcorp/api/detect'), 1200, /POST/);
    assertError(await post([field('app_key', key), { name: 'img', value: Buffer.from('not an image at all'), filename: 'x.jpg', type: 'image/jpeg' }]), 1200);
    assertError(await post([field('app_key', key), { name: 'img', value: evalPhoto(GROUP).subarray(0, 2000), filename: 'cut.jpg', type: 'image/jpeg' }]), 1200);
  });

  test('1300: the remote image fails (not image/*, no type, redirect, 404)', async () => {
    for (const path of ['/page.html', '/octet', '/untyped', '/redirect', '/missing']) {
      assertError(await form({ app_key: key, url: `${images.base}${path}` }), 1300);
    }
  });

  test('1300: a download slower than 5 s is aborted at 5 s', async () => {
    const t0 = Date.now();
    assertError(await form({ app_key: key, url: `${images.base}/hang` }), 1300, /5000 ms/);
    const took = Date.now() - t0;
    assert.ok(took >= 4900 && took < 7000, `${took} ms`);
  });

  test('an unknown path under the prefix is a 404 in the same shape', async () => {
    const r = await live.call('POST', '/sightcorp/api/nothing');
    assert.equal(r.status, 404);
    assert.equal(r.json.error_code, 1200);
    assert.deepEqual(r.json.people, []);
  });
});

describe('credits and rate', () => {
  test('one credit per successful analysis (an empty people list counts; errors do not); 1400 once spent', async () => {
    const k = (await adminCreateKey(live, { account: 'sc-credits', scopes: ['detect'] })).secret;
    const put = await live.call('PUT', '/v1/admin/accounts/sc-credits/credits', { key: ADMIN_KEY, body: { monthly_credits: 2 } });
    assert.equal(put.status, 200, put.text);
    assertError(await post([field('app_key', k)]), 1200);
    assertError(await form({ app_key: k, url: `${images.base}/page.html` }), 1300);
    assert.equal((await post([field('app_key', k), img(NO_FACE)])).json.error_code, 0);
    const account = await live.call('GET', '/v1/account', { key: k });
    assert.equal(account.json.credits.spent, 1, account.text);
    assert.equal((await post([field('app_key', k), img()])).json.error_code, 0);
    assertError(await post([field('app_key', k), img()]), 1400);
  });

  test("1401: a key at Sightcorp's free-tier rate (1/s, burst 1) gets one request a second", async () => {
    const k = (await adminCreateKey(live, { account: 'sc-free', scopes: ['detect'], rate_per_second: 1, burst: 1 })).secret;
    assert.equal((await post([field('app_key', k), img(NO_FACE)])).json.error_code, 0);
    const r = await post([field('app_key', k), img(NO_FACE)]);
    assertError(r, 1401);
    assert.ok(Number(r.headers['retry-after']) >= 1);
  });

  test('the native OpenAPI document does not list the dialect', async () => {
    const doc = await live.call('GET', '/openapi.json', { key: ADMIN_KEY });
    assert.equal(doc.status, 200, doc.text);
    assert.ok(Object.keys(doc.json.paths).some((p) => p.startsWith('/v1/')));
    assert.ok(!Object.keys(doc.json.paths).some((p) => p.includes('sightcorp') || p.startsWith('/api/')));
  });
});

test('1000 while the models load, at HTTP 200', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'visage-sightcorp-'));
  const server = await startServer({
    env: { VISAGE_PORT: '0', VISAGE_HOST: '127.0.0.1', VISAGE_LOG_LEVEL: 'silent', VISAGE_DATA_DIR: dataDir, VISAGE_ADMIN_KEY: ADMIN_KEY },
    loadAnalyzer: () => new Promise(() => {}),
    print: () => {},
  });
  try {
    const port = (server.app.server.address() as { port: number }).port;
    const r = await post([field('app_key', ADMIN_KEY), img(NO_FACE)], '/sightcorp/api/detect/', port);
    assertError(r, 1000, /loading/);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
