// What a new user hits first on the native API's errors: a wrong method, a non-string image,
// an upload over the limit and an image too small for any face (the fake analyzer stands in
// for the models; none of these reach them).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { evalPhoto } from '../../helpers/eval-photos.js';
import { buildTestApp, multipart } from '../../helpers/test-app.js';

async function setup(t: import('node:test').TestContext, config = {}) {
  const { app } = await buildTestApp({ config });
  t.after(() => app.close());
  return app;
}

const png = (w: number, h: number) =>
  sharp(Buffer.from(Array.from({ length: w * h * 3 }, (_, i) => (i * 37) % 256)), { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();

test('GET /v1/detect is 405 METHOD_NOT_ALLOWED with Allow: POST; an unknown path stays 404', async (t) => {
  const app = await setup(t);
  const r = await app.inject({ method: 'GET', url: '/v1/detect' });
  assert.equal(r.statusCode, 405);
  assert.equal(r.headers.allow, 'POST');
  assert.equal(r.json().code, 'METHOD_NOT_ALLOWED');
  assert.ok(r.json().request_id);
  const g = await app.inject({ method: 'PUT', url: '/v1/galleries' });
  assert.equal(g.statusCode, 405);
  assert.match(String(g.headers.allow), /GET/);
  assert.match(String(g.headers.allow), /POST/);
  const none = await app.inject({ method: 'GET', url: '/v1/detecc' });
  assert.equal(none.statusCode, 404);
  assert.equal(none.json().code, 'NOT_FOUND');
});

test('a JSON image that is not a string is BAD_PARAM naming it, not UNSUPPORTED_MEDIA_TYPE', async (t) => {
  const app = await setup(t);
  for (const [url, body, param] of [
    ['/v1/detect', { image: 42 }, 'image'],
    ['/v1/templates', { image: { data: 'x' } }, 'image'],
    ['/v1/verify', { image_a: true, image_b: 'abc' }, 'image_a'],
  ] as const) {
    const r = await app.inject({ method: 'POST', url, payload: body });
    assert.equal(r.statusCode, 400, `${url} ${r.body}`);
    assert.equal(r.json().code, 'BAD_PARAM');
    assert.equal(r.json().param, param);
    assert.match(r.json().reason, new RegExp(`${param} must be a base64 string`));
  }
});

test('a 413 states the limit, whatever the encoding', async (t) => {
  const limit = 20_000;
  const app = await setup(t, { maxUploadBytes: limit });
  const photo = evalPhoto('compreface_samples/images/000_5.jpg'); // 307 KB
  const answers = [
    await app.inject({ method: 'POST', url: '/v1/detect', ...multipart([{ name: 'image', value: photo, filename: 'a.jpg', type: 'image/jpeg' }]) }),
    await app.inject({ method: 'POST', url: '/v1/detect', headers: { 'content-type': 'image/jpeg' }, payload: photo }),
    await app.inject({ method: 'POST', url: '/v1/detect', payload: { image: Buffer.from(photo.subarray(0, 40_000)).toString('base64') } }),
  ];
  for (const r of answers) {
    assert.equal(r.statusCode, 413, r.body);
    assert.equal(r.json().code, 'IMAGE_TOO_LARGE');
    assert.equal(r.json().max_bytes, limit);
    assert.match(r.json().reason, /20000 bytes/);
  }
  const body = await app.inject({ method: 'POST', url: '/v1/detect', payload: { image: 'A'.repeat(2_000_000) } });
  assert.equal(body.statusCode, 413);
  assert.equal(body.json().code, 'BODY_TOO_LARGE');
  assert.equal(typeof body.json().max_bytes, 'number');
  assert.match(body.json().reason, new RegExp(`${body.json().max_bytes} bytes`));
});

test('an image too small for any face is IMAGE_TOO_SMALL, not 200 with no faces', async (t) => {
  const app = await setup(t);
  const tiny = await app.inject({ method: 'POST', url: '/v1/detect', payload: { image: (await png(10, 10)).toString('base64') } });
  assert.equal(tiny.statusCode, 400, tiny.body);
  assert.equal(tiny.json().code, 'IMAGE_TOO_SMALL');
  assert.equal(tiny.json().param, 'image');
  assert.equal(tiny.json().min_face_size, 12);
  assert.match(tiny.json().reason, /10 px wide, narrower than min_face_size 12/);
  // With a smaller min_face_size the 10x10 image is analysed; under 8 px on a side never.
  const asked = await app.inject({ method: 'POST', url: '/v1/detect?min_face_size=5', payload: { image: (await png(10, 10)).toString('base64') } });
  assert.equal(asked.statusCode, 200, asked.body);
  const seven = await app.inject({ method: 'POST', url: '/v1/detect?min_face_size=1', payload: { image: (await png(7, 40)).toString('base64') } });
  assert.equal(seven.json().code, 'IMAGE_TOO_SMALL');
  assert.equal(seven.json().min_side, 8);
  // A verification names its side.
  const v = await app.inject({ method: 'POST', url: '/v1/verify', payload: { image_a: (await png(40, 40)).toString('base64'), image_b: (await png(10, 10)).toString('base64') } });
  assert.equal(v.json().code, 'IMAGE_TOO_SMALL');
  assert.equal(v.json().param, 'image_b');
});

test('detect and templates answers say what the filters dropped', async (t) => {
  const app = await setup(t);
  const image = (await png(40, 40)).toString('base64');
  for (const url of ['/v1/detect', '/v1/templates']) {
    const r = await app.inject({ method: 'POST', url, payload: { image } });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json().dropped, { min_face_size: 0, score_threshold: 0 });
  }
});
