import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import { ERRORS, type ErrorCode } from '../../src/domain/error.registry.js';
import { encodeTemplate } from '../../src/domain/template.codec.js';
import { buildTestApp, multipart } from '../helpers/test-app.js';
import { someLfwPhoto } from '../helpers/eval-photos.js';

/** Every error: the registry's status, code, reason, request_id, and the x-request-id header. */
function assertError(res: LightMyRequestResponse, code: ErrorCode, param?: string) {
  const body = res.json();
  assert.equal(body.code, code, `expected ${code}, got ${res.statusCode} ${res.body}`);
  assert.equal(res.statusCode, ERRORS[code].status);
  assert.equal(typeof body.reason, 'string');
  assert.ok(body.reason.length > 0);
  assert.equal(typeof body.request_id, 'string');
  assert.equal(res.headers['x-request-id'], body.request_id);
  assert.ok(!/\bat .*\.(ts|js):\d+/.test(res.body), 'no stack traces');
  if (param) assert.equal(body.param, param);
  return body;
}

let app: FastifyInstance;
let photo: Buffer;
let flat: Buffer;

before(async () => {
  ({ app } = await buildTestApp());
  photo = someLfwPhoto(0);
  flat = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#808080' } }).png().toBuffer();
});
after(() => app.close());

const json = (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as object });

describe('detect', () => {
  test('multipart image: faces with box, landmarks, pose, image size and models', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/detect', ...multipart([{ name: 'image', value: photo, filename: 'a.jpg', type: 'image/jpeg' }]) });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.deepEqual(body.image, { width: 250, height: 250 });
    assert.equal(body.face_count, 1);
    const f = body.faces[0];
    assert.deepEqual(Object.keys(f.box), ['x1', 'y1', 'x2', 'y2']);
    assert.deepEqual(Object.keys(f.landmarks), ['left_eye', 'right_eye', 'nose', 'mouth_left', 'mouth_right']);
    assert.deepEqual(f.pose, { yaw: 1.2, pitch: -2.3, roll: 0.5 });
    assert.equal(f.score, 0.9877);
    assert.equal(f.attributes, undefined, 'attributes only when asked');
    assert.equal(f.landmarks68, undefined);
    assert.equal(f.template, undefined);
    assert.deepEqual(body.models[0], { id: 'fake-detector', version: '1' });
  });

  test('JSON base64 with a data-URL prefix, attributes and landmarks68 as JSON fields', async () => {
    const res = await json('/v1/detect', { image: `data:image/jpeg;base64,${photo.toString('base64')}`, attributes: 'age,gender', landmarks68: true });
    assert.equal(res.statusCode, 200, res.body);
    const f = res.json().faces[0];
    assert.equal(f.attributes.age, 33.3);
    assert.deepEqual(f.attributes.gender, { label: 'female', confidence: 0.9 });
    assert.equal(f.landmarks68.length, 68);
  });

  test('raw image body with options as query parameters', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/detect?attributes=all&max_faces=3', headers: { 'content-type': 'image/jpeg' }, payload: photo });
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(res.json().faces[0].attributes);
  });

  test('an image without a face is 200 with an empty list', async () => {
    const res = await json('/v1/detect', { image: flat.toString('base64') });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().faces, []);
    assert.equal(res.json().face_count, 0);
  });

  test('truncated JPEG → IMAGE_DECODE_FAILED', async () => {
    const res = await json('/v1/detect', { image: photo.subarray(0, Math.floor(photo.length / 2)).toString('base64') });
    assertError(res, 'IMAGE_DECODE_FAILED');
  });

  test('zero bytes → IMAGE_DECODE_FAILED', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/detect', ...multipart([{ name: 'image', value: new Uint8Array(), filename: 'empty.jpg', type: 'image/jpeg' }]) });
    assertError(res, 'IMAGE_DECODE_FAILED', 'image');
  });

  test('a text file named .jpg → UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/detect', ...multipart([{ name: 'image', value: 'hello, I am not a photo\n', filename: 'face.jpg', type: 'image/jpeg' }]) });
    assertError(res, 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('a 50-megapixel PNG is refused by the pixel limit', async () => {
    const big = await sharp({ create: { width: 10_000, height: 5_000, channels: 3, background: '#336699' } }).png({ compressionLevel: 9 }).toBuffer();
    assert.ok(big.length < 10 * 1024 * 1024, 'fits under the upload limit');
    const res = await app.inject({ method: 'POST', url: '/v1/detect', headers: { 'content-type': 'image/png' }, payload: big });
    const body = assertError(res, 'IMAGE_TOO_LARGE');
    assert.equal(body.max_pixels, 40_000_000);
  });

  test('invalid base64 → BAD_PARAM param=image', async () => {
    assertError(await json('/v1/detect', { image: 'not base64 at all!!' }), 'BAD_PARAM', 'image');
  });

  test('missing image → IMAGE_MISSING', async () => {
    assertError(await json('/v1/detect', { attributes: 'age' }), 'IMAGE_MISSING');
    assertError(await app.inject({ method: 'POST', url: '/v1/detect', ...multipart([{ name: 'attributes', value: 'age' }]) }), 'IMAGE_MISSING');
  });

  test('unknown attribute → BAD_PARAM param=attributes', async () => {
    const body = assertError(await json('/v1/detect?attributes=age,shoe_size', { image: photo.toString('base64') }), 'BAD_PARAM', 'attributes');
    assert.match(body.reason, /shoe_size/);
  });

  test('a schema violation names the parameter', async () => {
    assertError(await json('/v1/detect?max_faces=lots', { image: photo.toString('base64') }), 'BAD_PARAM', 'max_faces');
    assertError(await json('/v1/detect', { image: photo.toString('base64'), min_face_size: -3 }), 'BAD_PARAM', 'min_face_size');
  });

  test('unsupported content type → UNSUPPORTED_MEDIA_TYPE', async () => {
    assertError(await app.inject({ method: 'POST', url: '/v1/detect', headers: { 'content-type': 'text/plain' }, payload: 'hi' }), 'UNSUPPORTED_MEDIA_TYPE');
  });

  test('invalid JSON → BAD_REQUEST', async () => {
    assertError(await app.inject({ method: 'POST', url: '/v1/detect', headers: { 'content-type': 'application/json' }, payload: '{"image":' }), 'BAD_REQUEST');
  });

  for (const url of ['http://127.0.0.1/a.jpg', 'http://[::1]/a.jpg', 'http://2130706433/a.jpg', 'http://0177.0.0.1/', 'http://[::ffff:127.0.0.1]/', 'http://169.254.169.254/latest/meta-data']) {
    test(`URL ${url} → URL_FORBIDDEN`, async () => {
      assertError(await json('/v1/detect', { url }), 'URL_FORBIDDEN', 'url');
    });
  }

  test('a non-http URL → URL_FORBIDDEN', async () => {
    assertError(await json('/v1/detect', { url: 'file:///etc/passwd' }), 'URL_FORBIDDEN');
  });

  test('max_faces with on_too_many=error → TOO_MANY_FACES; default keeps the largest', async () => {
    const { FakeAnalyzer } = await import('../helpers/fake-analyzer.js');
    const { app: crowd } = await buildTestApp({ analyzer: new FakeAnalyzer(3) });
    try {
      const b64 = photo.toString('base64');
      const kept = await crowd.inject({ method: 'POST', url: '/v1/detect', payload: { image: b64, max_faces: 2 } });
      assert.equal(kept.json().face_count, 2);
      assertError(await crowd.inject({ method: 'POST', url: '/v1/detect', payload: { image: b64, max_faces: 2, on_too_many: 'error' } }), 'TOO_MANY_FACES');
    } finally {
      await crowd.close();
    }
  });
});

describe('templates and verify', () => {
  test('templates → verify template vs image of the same photo matches', async () => {
    const t = await json('/v1/templates', { image: photo.toString('base64') });
    assert.equal(t.statusCode, 200, t.body);
    const body = t.json();
    assert.equal(body.template_model, 'fake-embedder@1');
    const template = body.faces[0].template;
    assert.equal(typeof template, 'string');
    const v = await app.inject({ method: 'POST', url: '/v1/verify', ...multipart([{ name: 'image_a', value: photo, filename: 'a.jpg' }, { name: 'template_b', value: template }]) });
    assert.equal(v.statusCode, 200, v.body);
    const r = v.json();
    assert.equal(r.match, true);
    assert.equal(r.preset, 'medium');
    assert.ok(r.similarity > 0.9);
    assert.deepEqual(Object.keys(r.faces.a), ['x1', 'y1', 'x2', 'y2']);
    assert.equal(r.faces.b, null);
  });

  test('two images; threshold as a number', async () => {
    const other = someLfwPhoto(1);
    const v = await json('/v1/verify', { image_a: photo.toString('base64'), image_b: other.toString('base64'), threshold: 0.99999 });
    assert.equal(v.statusCode, 200, v.body);
    assert.equal(v.json().threshold, 1);
    assert.equal(v.json().preset, undefined);
  });

  test('templates of an image without a face → NO_FACE', async () => {
    assertError(await json('/v1/templates', { image: flat.toString('base64') }), 'NO_FACE');
  });

  test('verify with a faceless image → NO_FACE naming the side', async () => {
    assertError(await json('/v1/verify', { image_a: photo.toString('base64'), image_b: flat.toString('base64') }), 'NO_FACE', 'image_b');
  });

  test('a template from another model → TEMPLATE_MODEL_MISMATCH', async () => {
    const foreign = encodeTemplate({ modelKey: 'other-model@7', vector: new Float32Array(8).fill(0.3) });
    const body = assertError(await json('/v1/verify', { template_a: foreign, image_b: photo.toString('base64') }), 'TEMPLATE_MODEL_MISMATCH', 'template_a');
    assert.equal(body.template_model, 'other-model@7');
  });

  test('a corrupt template → TEMPLATE_INVALID', async () => {
    const good = encodeTemplate({ modelKey: 'fake-embedder@1', vector: new Float32Array(8).fill(0.3) });
    const corrupt = good.slice(0, -6) + (good.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA');
    assertError(await json('/v1/verify', { template_a: corrupt, template_b: good }), 'TEMPLATE_INVALID', 'template_a');
    assertError(await json('/v1/verify', { template_a: 'garbage!', template_b: good }), 'TEMPLATE_INVALID');
  });

  test('a missing side → IMAGE_MISSING; a bad threshold → BAD_PARAM', async () => {
    assertError(await json('/v1/verify', { image_a: photo.toString('base64') }), 'IMAGE_MISSING', 'image_b');
    const b64 = photo.toString('base64');
    assertError(await json('/v1/verify', { image_a: b64, image_b: b64, threshold: 'loose' }), 'BAD_PARAM', 'threshold');
  });
});

describe('service routes', () => {
  test('unknown route → NOT_FOUND', async () => {
    assertError(await app.inject({ method: 'GET', url: '/v1/nope' }), 'NOT_FOUND');
  });

  test('/health and /ready', async () => {
    assert.deepEqual((await app.inject({ url: '/health' })).json(), { status: 'ok' });
    assert.deepEqual((await app.inject({ url: '/ready' })).json(), { status: 'ready' });
    const { app: loading } = await buildTestApp({ ready: () => false });
    try {
      assert.equal((await loading.inject({ url: '/health' })).statusCode, 200);
      assertError(await loading.inject({ url: '/ready' }), 'NOT_READY');
      assertError(await loading.inject({ method: 'POST', url: '/v1/detect', payload: { image: 'x' } }), 'NOT_READY');
    } finally {
      await loading.close();
    }
  });

  test('/openapi.json lists the routes; /docs serves the UI', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    assert.match(doc.openapi, /^3\./);
    for (const p of ['/v1/detect', '/v1/templates', '/v1/verify', '/health', '/ready']) assert.ok(doc.paths[p], `${p} documented`);
    assert.ok(doc.paths['/v1/detect'].post.parameters.some((x: { name: string }) => x.name === 'attributes'));
    assert.ok(doc.paths['/v1/verify'].post.requestBody.content['multipart/form-data'].schema.properties.image_a, 'multipart documented');
    assert.ok(doc.components.schemas.Error);
    const ui = await app.inject({ url: '/docs/' });
    assert.equal(ui.statusCode, 200);
  });

  test('a client x-request-id is echoed', async () => {
    const res = await app.inject({ url: '/v1/nope', headers: { 'x-request-id': 'abc-123' } });
    assert.equal(res.json().request_id, 'abc-123');
  });
});
