// FindFace against a real server on loopback with the real models, from findface.txt and
// FACTS.md "FindFace": methods under /v0 and /v1, parameter formats, error codes, auth, types.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadRealAnalyzer } from '../../../src/main/services.compose.js';
import { evalPhoto } from '../../helpers/eval-photos.js';
import { ADMIN_KEY, adminCreateKey, startLive, type Live } from '../../helpers/live-server.js';
import { multipart } from '../../helpers/test-app.js';

const A1 = evalPhoto('lfw/images/Abel_Pacheco/Abel_Pacheco_0001.jpg');
const A4 = evalPhoto('lfw/images/Abel_Pacheco/Abel_Pacheco_0004.jpg');
const B1 = evalPhoto('lfw/images/Akhmed_Zakayev/Akhmed_Zakayev_0001.jpg');
const GROUP = evalPhoto('compreface_samples/images/000_5.jpg');

let live: Live;
let auth: Record<string, string>;
before(async () => {
  live = await startLive({ VISAGE_ADMIN_KEY: ADMIN_KEY }, { loadAnalyzer: (_n, engine) => loadRealAnalyzer(1, engine) });
  auth = { authorization: `Token ${(await adminCreateKey(live, { account: 'ff', rate_per_second: 1000, burst: 1000 })).secret}` };
});
after(async () => live?.close());

const up = (parts: Array<{ name: string; value: string | Uint8Array; filename?: string }>) => multipart(parts);
const post = (path: string, parts: Array<{ name: string; value: string | Uint8Array; filename?: string }>) => {
  const m = up(parts);
  return live.call('POST', path, { headers: { ...auth, ...m.headers }, body: m.payload });
};
const isInt = (v: unknown) => Number.isInteger(v);

test('auth: no token, a wrong token and a Bearer scheme get 401 AUTH_FAILED', async () => {
  for (const h of [{}, { authorization: 'Token nope' }, { authorization: 'Basic x' }] as Record<string, string>[]) {
    const r = await live.call('GET', '/findface/v1/galleries', { headers: h });
    assert.equal(r.status, 401);
    assert.equal(r.json.code, 'AUTH_FAILED');
    assert.equal(typeof r.json.reason, 'string');
  }
});

test('galleries: default exists; create (path, JSON name, empty JSON body), list, delete; trailing and doubled slashes', async () => {
  let r = await live.call('GET', '/findface/v1/galleries/', { headers: auth });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.results, ['default']);
  r = await live.call('POST', '/findface/v0/galleries/staff', { headers: { ...auth, 'content-type': 'application/json' }, body: '' });
  assert.equal(r.status, 201, r.text);
  r = await live.call('POST', '/findface//v1/galleries', { headers: auth, body: { name: 'visitors' } });
  assert.equal(r.status, 201, r.text);
  r = await live.call('GET', '/findface/v1/galleries', { headers: auth });
  assert.deepEqual(r.json.results, ['default', 'staff', 'visitors']);
  r = await live.call('POST', '/findface/v1/galleries/bad.name', { headers: auth, body: {} });
  assert.equal(r.status, 400);
  assert.equal(r.json.code, 'BAD_PARAM');
  assert.equal(r.json.param, 'name');
  r = await live.call('DELETE', '/findface/v1/galleries/visitors', { headers: auth });
  assert.equal(r.status, 204);
  assert.equal(r.text, '');
});

test('detect: integer boxes, attributes only when asked, same boxes as /v1', async () => {
  let r = await post('/findface/v1/detect/', [{ name: 'photo', value: A1, filename: 'a.jpg' }]);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.orientation, 1);
  assert.equal(r.json.faces.length, 1);
  const f = r.json.faces[0];
  assert.deepEqual(Object.keys(f).sort(), ['x1', 'x2', 'y1', 'y2']);
  assert.ok([f.x1, f.y1, f.x2, f.y2].every(isInt));
  r = await post('/findface/v1/detect', [{ name: 'photo', value: A1, filename: 'a.jpg' }, { name: 'age', value: 'true' }, { name: 'gender', value: 'true' }, { name: 'emotions', value: 'true' }]);
  const g = r.json.faces[0];
  assert.equal(typeof g.age, 'number');
  assert.ok(['male', 'female'].includes(g.gender));
  assert.ok(Array.isArray(g.emotions) && g.emotions.length > 0);
  const m = up([{ name: 'image', value: A1, filename: 'a.jpg' }]);
  const native = await live.call('POST', '/v1/detect', { headers: { authorization: auth.authorization!.replace('Token', 'Bearer'), ...m.headers }, body: m.payload });
  const nb = native.json.faces[0].box;
  assert.deepEqual({ x1: f.x1, y1: f.y1, x2: f.x2, y2: f.y2 }, { x1: Math.round(nb.x1 ?? nb.x), y1: Math.round(nb.y1 ?? nb.y), x2: Math.round(nb.x2 ?? nb.x + nb.width), y2: Math.round(nb.y2 ?? nb.y + nb.height) });
});

test('errors: missing photo BAD_PARAM with param, bad JSON MALFORMED_JSON, no face NO_FACES, reject MULTIPLE_FACES with boxes', async () => {
  let r = await live.call('POST', '/findface/v1/detect', { headers: auth, body: { photo: '' } });
  assert.equal(r.status, 400);
  assert.deepEqual([r.json.code, r.json.param], ['BAD_PARAM', 'photo']);
  r = await live.call('POST', '/findface/v1/detect', { headers: { ...auth, 'content-type': 'application/json' }, body: '{"photo": ' });
  assert.equal(r.json.code, 'MALFORMED_JSON');
  r = await post('/findface/v1/face', [{ name: 'photo', value: GROUP, filename: 'g.jpg' }, { name: 'mf_selector', value: 'reject' }]);
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.code, 'MULTIPLE_FACES');
  assert.ok(r.json.faces.length > 1 && r.json.faces.every((b: Record<string, number>) => isInt(b.x1)));
  r = await live.call('GET', '/findface/v1/face/id/999999', { headers: auth });
  assert.deepEqual([r.status, r.json.code], [404, 'NOT_FOUND']);
});

test('the vendor flow: create faces in galleries, identify (account and gallery), verify, update galleries, list, delete', async () => {
  let r = await post('/findface/v1/face', [{ name: 'photo', value: A1, filename: 'a.jpg' }, { name: 'meta', value: 'Abel' }, { name: 'galleries', value: '["staff", "default"]' }]);
  assert.equal(r.status, 200, r.text);
  const face = r.json.results[0];
  assert.ok(isInt(face.id) && face.id < 2 ** 31);
  assert.match(face.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
  assert.match(face.photo_hash, /^([0-9a-f]{2})+$/);
  assert.deepEqual(face.galleries, ['default', 'staff']);
  assert.equal(face.meta, 'Abel');
  r = await post('/findface/v1/face', [{ name: 'photo', value: B1, filename: 'b.jpg' }, { name: 'meta', value: 'Akhmed' }]);
  const other = r.json.results[0];
  assert.deepEqual(other.galleries, ['default']);

  r = await post('/findface/v1/identify', [{ name: 'photo', value: A4, filename: 'q.jpg' }, { name: 'threshold', value: 'medium' }, { name: 'n', value: '3' }]);
  assert.equal(r.status, 200, r.text);
  const [key] = Object.keys(r.json.results);
  assert.match(key!, /^\[-?\d+, -?\d+, -?\d+, -?\d+\]$/);
  assert.ok(JSON.parse(key!).every(isInt));
  const hits = r.json.results[key!];
  assert.equal(hits[0].face.id, face.id);
  assert.ok(hits[0].confidence > 0.6616 && hits[0].confidence <= 1);
  r = await post('/findface/v0/faces/gallery/staff/identify', [{ name: 'photo', value: B1, filename: 'q.jpg' }, { name: 'threshold', value: 'strict' }]);
  assert.deepEqual(Object.values(r.json.results)[0], [], 'Akhmed is not in staff');

  r = await post('/findface/v1/verify', [{ name: 'photo1', value: A1, filename: '1.jpg' }, { name: 'photo2', value: A4, filename: '2.jpg' }, { name: 'threshold', value: '' }]);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.verified, true);
  assert.ok(isInt(r.json.results[0].bbox1.x1));
  r = await post('/findface/v1/verify', [{ name: 'photo1', value: A1, filename: '1.jpg' }, { name: 'photo2', value: B1, filename: '2.jpg' }, { name: 'threshold', value: 'low' }]);
  assert.equal(r.json.verified, false);

  r = await live.call('PUT', `/findface/v1/face/id/${face.id}/`, { headers: auth, body: { meta: 'Abel P', person_id: 5, galleries: { del: ['staff'] } } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.meta, r.json.person_id, r.json.galleries], ['Abel P', 5, ['default']]);
  r = await live.call('GET', '/findface/v1/person/id/5', { headers: auth });
  assert.deepEqual(r.json.results.map((f: { id: number }) => f.id), [face.id]);
  r = await live.call('GET', '/findface/v1/faces/gallery/staff', { headers: auth });
  assert.deepEqual(r.json.results, []);
  r = await live.call('GET', '/findface/v1/faces?limit=1', { headers: auth });
  assert.equal(r.json.results.length, 1);
  assert.match(r.json.next_page, /max_id=\d+/);
  assert.equal(r.json.prev_page, null);
  r = await live.call('GET', '/findface/v1/meta', { headers: auth });
  assert.deepEqual(r.json.results.map((m: { meta: string; count: number }) => [m.meta, m.count]), [['Abel P', 1], ['Akhmed', 1]]);
  r = await live.call('GET', '/findface/v1/face/meta/Akhmed', { headers: auth });
  assert.deepEqual(r.json.results.map((f: { id: number }) => f.id), [other.id]);
  r = await live.call('DELETE', `/findface/v1/faces/id/${face.id}`, { headers: auth });
  assert.equal(r.status, 204);
  r = await post('/findface/v1/identify', [{ name: 'photo', value: A4, filename: 'q.jpg' }, { name: 'threshold', value: 'none' }, { name: 'n', value: '5' }]);
  assert.ok(!(Object.values(r.json.results)[0] as { face: { id: number } }[]).some((h: { face: { id: number } }) => h.face.id === face.id));
});
