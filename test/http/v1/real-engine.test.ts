// The HTTP API over the real engine (worker pool, ONNX models) on real photos: what a user
// sees on their first requests.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createFaceAnalyzer } from '../../../src/main/face-analyzer.compose.js';
import type { FaceAnalyzer } from '../../../src/ports/face-analyzer.port.js';
import { evalPhoto } from '../../helpers/eval-photos.js';
import { buildTestApp, multipart } from '../../helpers/test-app.js';

let app: FastifyInstance;
let analyzer: FaceAnalyzer;

before(async () => {
  analyzer = await createFaceAnalyzer({ poolSize: 1 });
  ({ app } = await buildTestApp({ analyzer }));
});

after(async () => {
  await app?.close();
  await analyzer?.close();
});

const photo = (name: string, file: string) => multipart([{ name, value: evalPhoto(file), filename: 'photo.jpg', type: 'image/jpeg' }]);

test('a group photo with 5 faces returns 5 faces with plausible attributes', async () => {
  const res = await app.inject({ method: 'POST', url: '/v1/detect?attributes=all&landmarks68=true', ...photo('image', 'compreface_samples/images/000_5.jpg') });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  assert.equal(body.faces.length, 5);
  for (const f of body.faces) {
    assert.ok(f.box.x2 > f.box.x1 && f.box.y2 > f.box.y1);
    assert.ok(f.score > 0 && f.score <= 1);
    assert.equal(f.landmarks68.length, 68);
    const a = f.attributes;
    assert.ok(a.age > 10 && a.age < 80, `age ${a.age}`);
    assert.ok(["male", "female"].includes(a.gender.label));
    const p = Object.values(a.emotion.probabilities as Record<string, number>).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(p - 1) < 0.01);
    assert.ok(a.emotion.mood >= 0 && a.emotion.mood <= 100);
    assert.ok(a.quality.score >= 0 && a.quality.score <= 1);
    assert.ok(a.clothing_colors.length >= 1 && a.clothing_colors.length <= 3);
    for (const c of a.clothing_colors) assert.match(c, /^#[0-9a-f]{6}$/i);
    assert.ok(Math.abs(f.pose.yaw) < 90);
  }
});

test('800-px group photos: every face at the default min_face_size; at 50 px the answer counts the faces it hides', async () => {
  const groups = ['010_2', '011_3', '012_4', '013_4', '014_5', '015_6', '016_8'];
  let hidden = 0;
  for (const name of groups) {
    const expected = Number(name.split('_')[1]);
    const file = `compreface_samples/images/${name}.jpg`;
    const res = (await app.inject({ method: 'POST', url: '/v1/detect', ...photo('image', file) })).json();
    assert.equal(res.faces.length, expected, `${name} at the default`);
    assert.equal(res.dropped.min_face_size, 0, name);
    const at50 = (await app.inject({ method: 'POST', url: '/v1/detect?min_face_size=50', ...photo('image', file) })).json();
    assert.equal(at50.faces.length + at50.dropped.min_face_size, expected, `${name} at 50 px: kept + dropped`);
    hidden += at50.dropped.min_face_size;
  }
  assert.ok(hidden >= 10, `${hidden} faces hidden by 50 px`);
});

test('the same person verifies as a match and two different people do not', async () => {
  const same = multipart([
    { name: 'image_a', value: evalPhoto('lfw/images/Abel_Pacheco/Abel_Pacheco_0001.jpg'), filename: 'a.jpg', type: 'image/jpeg' },
    { name: 'image_b', value: evalPhoto('lfw/images/Abel_Pacheco/Abel_Pacheco_0004.jpg'), filename: 'b.jpg', type: 'image/jpeg' },
  ]);
  const r1 = (await app.inject({ method: 'POST', url: '/v1/verify', ...same })).json();
  assert.equal(r1.match, true, JSON.stringify(r1));
  const other = multipart([
    { name: 'image_a', value: evalPhoto('lfw/images/Abel_Pacheco/Abel_Pacheco_0001.jpg'), filename: 'a.jpg', type: 'image/jpeg' },
    { name: 'image_b', value: evalPhoto('lfw/images/AJ_Cook/AJ_Cook_0001.jpg'), filename: 'b.jpg', type: 'image/jpeg' },
  ]);
  const r2 = (await app.inject({ method: 'POST', url: '/v1/verify', ...other })).json();
  assert.equal(r2.match, false, JSON.stringify(r2));
  assert.ok(r2.similarity < r1.similarity);
});

test('a template sent back verifies against a photo of the same person', async () => {
  const t = await app.inject({ method: 'POST', url: '/v1/templates', ...photo('image', 'lfw/images/Abel_Pacheco/Abel_Pacheco_0001.jpg') });
  assert.equal(t.statusCode, 200, t.body);
  const template = t.json().faces[0].template as string;
  assert.match(template, /^[A-Za-z0-9_-]+$/);
  const b64 = evalPhoto('lfw/images/Abel_Pacheco/Abel_Pacheco_0004.jpg').toString('base64');
  const v = await app.inject({ method: 'POST', url: '/v1/verify', payload: { template_a: template, image_b: b64 } });
  assert.equal(v.statusCode, 200, v.body);
  assert.equal(v.json().match, true);
});

test('a photo without a face: detect answers an empty list, verify answers NO_FACE', async () => {
  const d = await app.inject({ method: 'POST', url: '/v1/detect', ...photo('image', 'compreface_samples/images/017_0.jpg') });
  assert.equal(d.statusCode, 200);
  assert.deepEqual(d.json().faces, []);
  const v = await app.inject({
    method: 'POST',
    url: '/v1/verify',
    payload: {
      image_a: evalPhoto('compreface_samples/images/017_0.jpg').toString('base64'),
      image_b: evalPhoto('lfw/images/AJ_Cook/AJ_Cook_0001.jpg').toString('base64'),
    },
  });
  assert.equal(v.statusCode, 422);
  assert.equal(v.json().code, 'NO_FACE');
});
