// The Face.Match.Expert dialect against its document (../shared/vendor-apis/facematch-expert.txt)
// and FACTS.md, on a real server on loopback with the real models and real LFW photos: every
// endpoint, every error status, auth failures, strict types, the dialect's own port, and a large
// add that survives a restart of the server mid-job.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { decodeTemplate, encodeTemplate } from '../../../src/domain/template.codec.js';
import { startServer, type RunningServer } from '../../../src/main/server.compose.js';
import { evalPhoto, someLfwPhoto } from '../../helpers/eval-photos.js';
import { ADMIN_KEY, request, type LiveResponse } from '../../helpers/live-server.js';

const b64 = (buf: Buffer) => buf.toString('base64');
const MENEM = (n: number) => evalPhoto(`lfw/images/Carlos_Menem/Carlos_Menem_${String(n).padStart(4, '0')}.jpg`);
const BECKHAM = (n: number) => evalPhoto(`lfw/images/David_Beckham/David_Beckham_${String(n).padStart(4, '0')}.jpg`);
const GROUP = 'compreface_samples/images/000_5.jpg';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let dataDir: string;
let sidePort: number;
let server: RunningServer;
let port: number;
let auth: string; // LOGIN:PASSWORD of a login key of account "fm"

async function start(): Promise<void> {
  server = await startServer({
    env: {
      VISAGE_PORT: '0',
      VISAGE_HOST: '127.0.0.1',
      VISAGE_LOG_LEVEL: 'silent',
      VISAGE_DATA_DIR: dataDir,
      VISAGE_WORKERS: '1',
      VISAGE_ADMIN_KEY: ADMIN_KEY,
      VISAGE_FACEMATCH_PORT: String(sidePort),
    },
    print: () => undefined,
  });
  await server.loaded;
  port = (server.app.server.address() as { port: number }).port;
}

/** JSON with a Content-Length, as curl sends it (Node's client would send a DELETE body chunked). */
function fm(method: string, path: string, body?: unknown, headers: Record<string, string> = { authorization: auth }): Promise<LiveResponse> {
  const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const h = payload ? { 'content-type': 'application/json', 'content-length': String(payload.length), ...headers } : headers;
  return request(port, method, `/facematch/v1${path}`, { body: payload, headers: h });
}
const admin = (method: string, path: string, body?: unknown) => request(port, method, path, { key: ADMIN_KEY, body });

function assertError(r: LiveResponse, status: number, name: string): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.error, name, r.text);
  assert.equal(typeof r.json.message, 'string');
  assert.ok(r.json.message.length > 0);
}

async function loginKey(account: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await admin('POST', '/v1/admin/keys', { account, login: `${account}-user`, ...extra });
  assert.equal(r.status, 201, r.text);
  return r.json.secret as string;
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'visage-fm-'));
  sidePort = await freePort();
  await start();
  auth = await loginKey('fm');
  assert.match(auth, /^fm-user:[^:\s]+$/);
  // Collections are galleries made in the native API (a token key of the same account).
  const token = await admin('POST', '/v1/admin/keys', { account: 'fm', name: 'native' });
  for (const name of ['people', 'big']) {
    const g = await request(port, 'POST', '/v1/galleries', { key: token.json.secret, body: { name } });
    assert.equal(g.status, 200, g.text);
  }
});

after(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Face.Match.Expert contract', () => {
  let menemData: string;

  test('detect: faceData, a JPEG crop and five points per face; the same faces and boxes as /v1/detect', async () => {
    const photo = evalPhoto(GROUP);
    const r = await fm('POST', '/detect', { image: b64(photo) });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.faces.length, 5);
    const native = await request(port, 'POST', '/v1/detect', { key: ADMIN_KEY, body: { image: b64(photo) } });
    assert.equal(native.status, 200, native.text);
    for (const [i, f] of r.json.faces.entries()) {
      assert.equal(typeof f.faceData, 'string');
      assert.ok(Buffer.from(f.faceImage, 'base64').subarray(0, 2).equals(Buffer.from([0xff, 0xd8])), 'faceImage is a base64 JPEG');
      for (const k of ['leftEye', 'rightEye', 'leftMouth', 'rightMouth', 'nose']) assert.deepEqual(Object.keys(f[k]).sort(), ['x', 'y'], k);
      const n = native.json.faces[i];
      assert.deepEqual(f.box, n.box, 'the same box as /v1');
      assert.deepEqual(f.leftEye, n.landmarks.left_eye);
      assert.deepEqual(f.rightMouth, n.landmarks.mouth_right);
      assert.deepEqual(f.nose, n.landmarks.nose);
      assert.ok(f.leftEye.x < f.rightEye.x && f.nose.y < f.leftMouth.y, 'points in their places');
    }
    const one = await fm('POST', '/detect', { image: b64(MENEM(1)) });
    assert.equal(one.json.faces.length, 1);
    menemData = one.json.faces[0].faceData;
  });

  test('add (JSON array of {id, image}, \\/-escaped base64) enrols a small batch before answering, with per-image results', async () => {
    const items = [
      { id: 'menem_2', image: b64(MENEM(2)) },
      { id: 'beckham_1', image: b64(BECKHAM(1)) },
      { id: 'menem_3', image: b64(MENEM(3)) },
      { id: 'not_a_photo', image: b64(Buffer.from('not an image at all')) },
      { id: 'bad_base64', image: '***' },
    ];
    const escaped = JSON.stringify(items).replace(/\//g, '\\/'); // as the vendor's examples send it
    const r = await fm('POST', '/collection/people/add', escaped);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'done');
    assert.equal(r.json.enrolled, 3);
    assert.equal(r.json.failed, 2);
    assert.equal(r.json.items[3].status, 'failed');
    assert.equal(r.json.items[3].error, 'UNPROCESSABLE ENTITY');
    assert.ok(['IMAGE_DECODE_FAILED', 'UNSUPPORTED_MEDIA_TYPE'].includes(r.json.items[3].code), r.json.items[3].code);
    assert.equal(r.json.items[4].code, 'IMAGE_DECODE_FAILED');
    const dup = await fm('POST', '/collection/people/add', [{ id: 'menem_2', image: b64(MENEM(4)) }]);
    assertError(dup, 422, 'UNPROCESSABLE ENTITY');
    assert.equal(dup.json.items[0].code, 'DUPLICATE_ID');
  });

  test('search/face-data: a faceData from detect finds its own face first; search/image too; matches best first', async () => {
    assert.equal((await fm('POST', '/collection/people/add', [{ id: 'menem_1', image: b64(MENEM(1)) }])).status, 200);
    const r = await fm('POST', '/collection/people/search/face-data', { faceData: menemData });
    assert.equal(r.status, 200, r.text);
    const m = r.json.matches;
    assert.equal(m[0].id, 'menem_1', 'its own face first');
    assert.ok(m[0].similarity > 0.95 && m[0].similarity <= 1);
    assert.ok(m.every((x: { id: string }) => x.id.startsWith('menem')), 'only the same person at the default threshold');
    for (let i = 1; i < m.length; i++) assert.ok(m[i - 1].similarity >= m[i].similarity);
    for (const k of ['leftEye', 'rightEye', 'leftMouth', 'rightMouth', 'nose']) assert.equal(typeof m[0][k].x, 'number');
    const byImage = await fm('POST', '/collection/people/search/image', { image: b64(BECKHAM(2)) });
    assert.equal(byImage.status, 200, byImage.text);
    assert.equal(byImage.json.matches[0].id, 'beckham_1');
    const none = await fm('POST', '/collection/people/search/image', { image: b64(someLfwPhoto(0)), limit: 5 });
    assert.deepEqual(none.json.matches, [], 'a stranger matches nobody');
  });

  test('compare/face-data and compare/image: one similarity', async () => {
    const d2 = (await fm('POST', '/detect', { image: b64(MENEM(2)) })).json.faces[0].faceData;
    const same = await fm('POST', '/compare/face-data', { faceData1: menemData, faceData2: d2 });
    assert.equal(same.status, 200, same.text);
    assert.deepEqual(Object.keys(same.json), ['similarity']);
    const diff = await fm('POST', '/compare/image', { image1: b64(MENEM(1)), image2: b64(BECKHAM(1)) });
    assert.equal(diff.status, 200, diff.text);
    assert.ok(same.json.similarity > diff.json.similarity + 0.3, `${same.json.similarity} vs ${diff.json.similarity}`);
    const self = await fm('POST', '/compare/image', { image1: b64(MENEM(1)), image2: b64(MENEM(1)) });
    assert.ok(self.json.similarity > 0.99);
  });

  test('faceData is a Visage template: /v1/verify takes it; another model version is refused', async () => {
    const v = await request(port, 'POST', '/v1/verify', { key: ADMIN_KEY, body: { template_a: menemData, template_b: menemData } });
    assert.equal(v.status, 200, v.text);
    const t = decodeTemplate(menemData);
    const other = encodeTemplate({ modelKey: `${t.modelKey}-next`, vector: t.vector });
    const mismatch = await fm('POST', '/compare/face-data', { faceData1: other, faceData2: menemData });
    assertError(mismatch, 422, 'UNPROCESSABLE ENTITY');
    assert.match(mismatch.json.message, /model/);
    assertError(await fm('POST', '/compare/face-data', { faceData1: 'not-a-template', faceData2: menemData }), 422, 'UNPROCESSABLE ENTITY');
    assertError(await fm('POST', '/collection/people/search/face-data', { faceData: 'AAAA' }), 422, 'UNPROCESSABLE ENTITY');
  });

  test('delete (JSON body {id}): the image is gone from search; an unknown id is 404', async () => {
    const r = await fm('DELETE', '/collection/people/delete', { id: 'menem_3' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, { id: 'menem_3', deleted: true });
    const after = await fm('POST', '/collection/people/search/face-data', { faceData: menemData });
    assert.ok(!after.json.matches.some((m: { id: string }) => m.id === 'menem_3'));
    assertError(await fm('DELETE', '/collection/people/delete', { id: 'menem_3' }), 404, 'NOT FOUND');
  });

  test('404: unknown collection, unknown path, another account\'s collection', async () => {
    assertError(await fm('POST', '/collection/nope/search/face-data', { faceData: menemData }), 404, 'NOT FOUND');
    assertError(await fm('POST', '/collection/nope/add', [{ id: 'x', image: b64(MENEM(1)) }]), 404, 'NOT FOUND');
    assertError(await fm('DELETE', '/collection/nope/delete', { id: 'x' }), 404, 'NOT FOUND');
    assertError(await fm('POST', '/no-such-endpoint', {}), 404, 'NOT FOUND');
    assertError(await fm('GET', '/detect'), 404, 'NOT FOUND');
    const stranger = await loginKey('elsewhere');
    assertError(await fm('POST', '/collection/people/search/face-data', { faceData: menemData }, { authorization: stranger }), 404, 'NOT FOUND');
  });

  test('422: no face, bad image, missing fields, and strict types (no coercion)', async () => {
    const blank = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAEAAAABACAIAAAAlC+aJAAAAQUlEQVR4nO3PQQ0AIBDAsIF/z4cMHj0VLTB3j7cd7vCt3QQ3wQ3wQ3wQ3wQ3wQ3wQ3wQ3wQ3wQ3wQ3wQ3wQ3wQ3wQ3YwG2nAF/Ovv0rAAAAABJRU5ErkJggg==',
      'base64',
    );
    const cases: [string, unknown][] = [
      ['/detect', { image: b64(evalPhoto('lfw/LABELS')) }],
      ['/detect', { image: b64(blank) }],
      ['/detect', {}],
      ['/detect', { image: 42 }],
      ['/detect', [{ image: b64(MENEM(1)) }]],
      ['/compare/image', { image1: b64(MENEM(1)) }],
      ['/compare/face-data', { faceData1: menemData, faceData2: 7 }],
      ['/collection/people/search/image', { image: b64(MENEM(1)), limit: '5' }],
      ['/collection/people/add', { id: 'x', image: b64(MENEM(1)) }],
      ['/collection/people/add', [{ id: 5, image: b64(MENEM(1)) }]],
      ['/collection/people/add', []],
    ];
    for (const [path, body] of cases) assertError(await fm('POST', path, body), 422, 'UNPROCESSABLE ENTITY');
    assertError(await fm('DELETE', '/collection/people/delete', { id: 12 }), 422, 'UNPROCESSABLE ENTITY');
    const noFace = await fm('POST', '/detect', { image: b64(evalPhoto('compreface_samples/images/000_5.jpg').subarray(0, 2000)) });
    assertError(noFace, 422, 'UNPROCESSABLE ENTITY');
  });

  test('401: no header, a Bearer token, a wrong password, an unknown login', async () => {
    const headers: Record<string, string>[] = [{}, { authorization: `Bearer ${ADMIN_KEY}` }, { authorization: `${auth.split(':')[0]}:wrong-password` }, { authorization: 'nobody:secret' }, { authorization: auth.replace(':', ': ') }];
    for (const h of headers) assertError(await fm('POST', '/detect', { image: b64(MENEM(1)) }, h), 401, 'UNAUTHORIZED');
    assert.equal((await fm('POST', '/detect', { image: b64(MENEM(1)) })).status, 200, 'the right one passes');
  });

  test('rate limit and credits refusals come in the same {error, message} shape', async () => {
    const slow = await loginKey('slow', { rate_per_second: 0.01, burst: 1 });
    assert.equal((await fm('POST', '/compare/face-data', { faceData1: menemData, faceData2: menemData }, { authorization: slow })).status, 200);
    const limited = await fm('POST', '/compare/face-data', { faceData1: menemData, faceData2: menemData }, { authorization: slow });
    assertError(limited, 429, 'TOO MANY REQUESTS');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    const poor = await loginKey('poor');
    assert.equal((await admin('PUT', '/v1/admin/accounts/poor/credits', { monthly_credits: 0 })).status, 200);
    assertError(await fm('POST', '/compare/face-data', { faceData1: menemData, faceData2: menemData }, { authorization: poor }), 402, 'PAYMENT REQUIRED');
  });

  test('the dialect\'s own port serves the vendor\'s /v1 paths', async () => {
    const r = await request(sidePort, 'POST', '/v1/collection/people/search/face-data', { body: { faceData: menemData }, headers: { authorization: auth } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.matches[0].id, 'menem_1');
    assertError(await request(sidePort, 'GET', '/v1/account', { headers: { authorization: auth } }), 404, 'NOT FOUND');
  });
});

describe('a large add is a durable job', () => {
  // Enrolment runs at tens of LFW photos a second and a stopping server gives a job 5 s to end: enough work to outlast both.
  const N = 400;
  const ids = Array.from({ length: N }, (_, i) => `img_${i}`);

  test('answers 200 once accepted, is read at its status route, survives a restart mid-job, and keeps no photo once done', async () => {
    const items = ids.map((id, i) => ({ id, image: b64(someLfwPhoto(100 + i)) }));
    const r = await fm('POST', '/collection/big/add', items);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.total, N);
    assert.ok(['queued', 'running'].includes(r.json.status));
    const statusUrl: string = r.json.statusUrl;
    assert.equal(statusUrl, `/facematch/v1/collection/big/add/${r.json.jobId}`);
    // Stop the server while the job runs (some items enrolled, many pending).
    let s: LiveResponse;
    for (;;) {
      s = await request(port, 'GET', statusUrl, { headers: { authorization: auth } });
      assert.equal(s.status, 200, s.text);
      if (s.json.enrolled + s.json.failed >= 4) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(s.json.status, 'running');
    await server.close();
    await start();
    const resumed = await request(port, 'GET', statusUrl, { headers: { authorization: auth } });
    assert.equal(resumed.status, 200, resumed.text);
    assert.ok(resumed.json.pending > 0, 'the job was stopped mid-way');
    for (;;) {
      s = await request(port, 'GET', `/facematch/v1/jobs/${r.json.jobId}`, { headers: { authorization: auth } });
      if (s.json.status === 'succeeded') break;
      assert.ok(['queued', 'running'].includes(s.json.status), s.text);
      await new Promise((res) => setTimeout(res, 200));
    }
    assert.equal(s.json.pending, 0);
    assert.equal(s.json.enrolled + s.json.failed, N);
    assert.ok(s.json.enrolled >= N - 2, `${s.json.enrolled} enrolled`);
    for (const it of s.json.items) if (it.status === 'failed') assert.notEqual(it.code, 'DUPLICATE_ID', 'a resumed item is not a duplicate');
    assert.deepEqual(s.json.items.map((i: { id: string }) => i.id), ids);
    const probe = (await fm('POST', '/detect', { image: b64(someLfwPhoto(100 + 7)) })).json.faces[0].faceData;
    const found = await fm('POST', '/collection/big/search/face-data', { faceData: probe });
    assert.equal(found.json.matches[0].id, 'img_7');
    const db = new Database(join(dataDir, 'visage.db'), { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT payload FROM jobs WHERE id = ?').get(r.json.jobId) as { payload: string };
      assert.ok(!row.payload.includes(items[0]!.image.slice(0, 200)), 'no photo left in the job row');
    } finally {
      db.close();
    }
    assertError(await request(port, 'GET', '/facematch/v1/collection/people/add/' + r.json.jobId, { headers: { authorization: auth } }), 404, 'NOT FOUND');
  });
});

describe('503 and 500 in the vendor shape', () => {
  test('503 SERVICE UNAVAILABLE while the models load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'visage-fm-'));
    const s = await startServer({
      env: { VISAGE_PORT: '0', VISAGE_HOST: '127.0.0.1', VISAGE_LOG_LEVEL: 'silent', VISAGE_DATA_DIR: dir, VISAGE_WORKERS: '1' },
      loadAnalyzer: () => new Promise(() => undefined), // the models never finish loading
      print: () => undefined,
    });
    try {
      const p = (s.app.server.address() as { port: number }).port;
      const r = await request(p, 'POST', '/facematch/v1/detect', { body: { image: b64(MENEM(1)) }, headers: { authorization: 'a-user:pw' } });
      assertError(r, 503, 'SERVICE UNAVAILABLE');
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('500 INTERNAL SYSTEM ERROR names no cause', async () => {
    const { facematchError } = await import('../../../src/compat/facematch/facematch-errors.js');
    const { VisageError } = await import('../../../src/domain/error.registry.js');
    const a = facematchError(new VisageError('INTERNAL', 'disk /var/lib/visage full'));
    assert.deepEqual({ status: a.status, error: a.error }, { status: 500, error: 'INTERNAL SYSTEM ERROR' });
    assert.doesNotMatch(a.message, /disk/);
  });
});
