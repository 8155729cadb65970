// One photo through every surface that detects: /v1, FindFace, Face.Match.Expert and Sightcorp
// find the same faces in the same order with the same boxes, each in its own scale (FindFace and
// Sightcorp in whole pixels, Sightcorp as x, y, w, h), and FindFace's verify presets decide as
// /v1/verify does. Real models, one server, real photos.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServer, type RunningServer } from '../../src/main/server.compose.js';
import { evalPhoto } from '../helpers/eval-photos.js';
import { ADMIN_KEY, request } from '../helpers/live-server.js';
import { multipart } from '../helpers/test-app.js';

const GROUP = evalPhoto('compreface_samples/images/000_5.jpg');
let server: RunningServer;
let port: number;
let dataDir: string;
let token: string;
let login: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'visage-agree-'));
  server = await startServer({
    env: { VISAGE_PORT: '0', VISAGE_HOST: '127.0.0.1', VISAGE_LOG_LEVEL: 'silent', VISAGE_DATA_DIR: dataDir, VISAGE_WORKERS: '1', VISAGE_ADMIN_KEY: ADMIN_KEY },
    print: () => undefined,
  });
  await server.loaded;
  port = (server.app.server.address() as { port: number }).port;
  const t = await request(port, 'POST', '/v1/admin/keys', { key: ADMIN_KEY, body: { account: 'agree', name: 'token', scopes: ['all'] } });
  assert.equal(t.status, 201, t.text);
  token = t.json.secret;
  const l = await request(port, 'POST', '/v1/admin/keys', { key: ADMIN_KEY, body: { account: 'agree', login: 'agree-user', scopes: ['all'] } });
  assert.equal(l.status, 201, l.text);
  login = l.json.secret; // LOGIN:PASSWORD, shown once
});

after(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

type Box = { x1: number; y1: number; x2: number; y2: number };
const near = (a: Box, b: Box, tol: number, what: string) => {
  for (const k of ['x1', 'y1', 'x2', 'y2'] as const) assert.ok(Math.abs(a[k] - b[k]) <= tol, `${what}: ${k} ${a[k]} vs ${b[k]}`);
};

test('the same photo gives the same faces and boxes through /v1, FindFace, Face.Match.Expert and Sightcorp', async () => {
  const native = await request(port, 'POST', '/v1/detect', { key: token, body: { image: GROUP.toString('base64') } });
  assert.equal(native.status, 200, native.text);
  const boxes: Box[] = native.json.faces.map((f: { box: Box }) => f.box);
  assert.equal(boxes.length, 5);

  const ffForm = multipart([{ name: 'photo', value: GROUP, filename: 'group.jpg', type: 'image/jpeg' }]);
  const ff = await request(port, 'POST', '/findface/v1/detect', { body: ffForm.payload, headers: { ...ffForm.headers, authorization: `Token ${token}` } });
  assert.equal(ff.status, 200, ff.text);
  assert.equal(ff.json.faces.length, 5, 'FindFace (50 px minimum) keeps all five: they are wider than 50 px');
  ff.json.faces.forEach((f: Box, i: number) => {
    for (const k of ['x1', 'y1', 'x2', 'y2'] as const) assert.ok(Number.isInteger(f[k]), 'FindFace coordinates are integers');
    near(f, boxes[i]!, 1, `FindFace face ${i}`);
  });

  const fm = await request(port, 'POST', '/facematch/v1/detect', { body: { image: GROUP.toString('base64') }, headers: { authorization: login } });
  assert.equal(fm.status, 200, fm.text);
  assert.equal(fm.json.faces.length, 5);
  fm.json.faces.forEach((f: { box: Box }, i: number) => near(f.box, boxes[i]!, 0, `Face.Match.Expert face ${i}`));

  const scForm = multipart([
    { name: 'app_key', value: token },
    { name: 'img', value: GROUP, filename: 'group.jpg', type: 'image/jpeg' },
  ]);
  const sc = await request(port, 'POST', '/sightcorp/api/detect/', { body: scForm.payload, headers: scForm.headers });
  assert.equal(sc.status, 200, sc.text);
  assert.equal(sc.json.error_code, 0, sc.text);
  assert.equal(sc.json.people.length, 5);
  sc.json.people.forEach((p: { position: { x: number; y: number; w: number; h: number } }, i: number) =>
    near({ x1: p.position.x, y1: p.position.y, x2: p.position.x + p.position.w, y2: p.position.y + p.position.h }, boxes[i]!, 2, `Sightcorp person ${i}`),
  );
});

test('FindFace verify decides each preset as /v1/verify does, on a genuine and an impostor LFW pair', async () => {
  const a = evalPhoto('lfw/images/Carlos_Menem/Carlos_Menem_0001.jpg');
  const pairs = [
    [a, evalPhoto('lfw/images/Carlos_Menem/Carlos_Menem_0002.jpg')],
    [a, evalPhoto('lfw/images/David_Beckham/David_Beckham_0001.jpg')],
  ] as const;
  for (const [x, y] of pairs) {
    for (const preset of ['strict', 'medium', 'low', 'none']) {
      const n = await request(port, 'POST', `/v1/verify?threshold=${preset}`, { key: token, body: { image_a: x.toString('base64'), image_b: y.toString('base64') } });
      assert.equal(n.status, 200, n.text);
      const form = multipart([
        { name: 'photo1', value: x, filename: 'a.jpg', type: 'image/jpeg' },
        { name: 'photo2', value: y, filename: 'b.jpg', type: 'image/jpeg' },
        { name: 'threshold', value: preset },
      ]);
      const f = await request(port, 'POST', '/findface/v1/verify', { body: form.payload, headers: { ...form.headers, authorization: `Token ${token}` } });
      assert.equal(f.status, 200, f.text);
      assert.equal(f.json.verified, n.json.match, `${preset}: FindFace ${f.json.verified}, /v1 ${n.json.match}`);
    }
  }
});
