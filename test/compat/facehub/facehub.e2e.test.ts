// The catalogue end to end on a real server on loopback with the real models: the demo catalogue
// imported through /v1 (agencies, models, photos enrolled), found by filters through /v1 and the
// FaceHub dialect, a portrait scored above its blurred copy, the right model found first from
// another photo of the same person, and the dialect's error codes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { demoCatalogue } from '../../../src/domain/catalogue-demo.rules.js';
import type { Gender } from '../../../src/domain/catalogue.model.js';
import { loadRealAnalyzer } from '../../../src/main/services.compose.js';
import { EVAL_DIR, evalPhoto } from '../../helpers/eval-photos.js';
import { ADMIN_KEY, adminCreateKey, request, startLive, type Live } from '../../helpers/live-server.js';
import { multipart } from '../../helpers/test-app.js';

const SIDE_PORT = 38000 + (process.pid % 1000);
let live: Live;
let key: string;
const demo = (() => {
  const rows = readFileSync(join(EVAL_DIR, 'lfw', 'LABELS'), 'utf8').trim().split('\n').slice(1).map((l) => ({ path: `lfw/${l.split(',')[0]}`, identity: l.split(',')[1]! }));
  const g = new Map(readFileSync(join(EVAL_DIR, 'lfw', 'gender.csv'), 'utf8').trim().split('\n').slice(1).map((l) => [`lfw/${l.split(',')[0]}`, (l.split(',')[1] === 'M' ? 'male' : 'female') as Gender]));
  return demoCatalogue(rows, g, 8);
})();
const ids = new Map<string, number>();

const form = (files: Buffer[], fields: Record<string, string> = {}, name = 'images[]') =>
  multipart([...Object.entries(fields).map(([n, value]) => ({ name: n, value })), ...files.map((f, i) => ({ name, value: f, filename: `p${i}.jpg`, type: 'image/jpeg' }))]);

before(async () => {
  live = await startLive({ VISAGE_ADMIN_KEY: ADMIN_KEY, VISAGE_FACEHUB_PORT: String(SIDE_PORT) }, { loadAnalyzer: (_n, engine) => loadRealAnalyzer(1, engine) });
  key = (await adminCreateKey(live, { account: 'agency', name: 'hub', scopes: 'all' })).secret;
  const A = new Map<string, number>();
  for (const a of demo.agencies) {
    const r = await live.call('POST', '/v1/catalogue/agencies', { key, body: a });
    assert.equal(r.status, 201, r.text);
    A.set(a.external_id, r.json.id);
  }
  for (const m of demo.models) {
    const { agency, photos, ...fields } = m;
    const r = await live.call('POST', '/v1/catalogue/models', { key, body: { ...fields, agency_id: A.get(agency) } });
    assert.equal(r.status, 201, r.text);
    ids.set(m.external_id, r.json.id);
    const mp = multipart([{ name: 'image', value: evalPhoto(photos[0]!), filename: 'a.jpg', type: 'image/jpeg' }, { name: 'label', value: photos[0]! }]);
    const p = await live.call('POST', `/v1/catalogue/models/${r.json.id}/photos`, { key, headers: mp.headers, body: mp.payload });
    assert.equal(p.status, 201, p.text);
  }
  for (const rv of demo.reviews) {
    const { agency, ...fields } = rv;
    assert.equal((await live.call('POST', '/v1/catalogue/reviews', { key, body: { ...fields, agency_id: A.get(agency) } })).status, 201);
  }
});
after(async () => live?.close());

test('native: filters, pages, sort, read, update, delete, and the same photo twice is not enrolled twice', async () => {
  const m = demo.models[2]!;
  const r = await live.call('GET', `/v1/catalogue/models?height=${m.height}&gender=${m.gender}&eyes=${m.eyes}&hair=${m.hair}&shoes=${m.shoes}`, { key });
  assert.equal(r.status, 200);
  assert.ok(r.json.items.some((x: { id: number }) => x.id === ids.get(m.external_id)));
  assert.ok(r.json.items.every((x: { height: number }) => x.height === m.height));
  const page = await live.call('GET', '/v1/catalogue/models?per_page=3&page=2&sort_dir=desc', { key });
  assert.deepEqual([page.json.items.length, page.json.total, page.json.total_pages, page.json.page], [3, 8, 3, 2]);
  assert.ok(page.json.items[0].id > page.json.items[2].id);
  const ag = await live.call('GET', '/v1/catalogue/agencies?mother=true', { key });
  assert.deepEqual(ag.json.items.map((a: { title: string }) => a.title), ['Northwind Models (made-up demo agency)']);
  assert.equal(ag.json.items[0].male_count + ag.json.items[0].female_count, 3);
  assert.equal((await live.call('GET', '/v1/catalogue/reviews?type=positive&author=model', { key })).json.total, 3);
  assert.equal((await live.call('GET', '/v1/catalogue/models?height=99999999999', { key })).json.param, 'height');
  const id = ids.get(m.external_id)!;
  assert.equal((await live.call('PATCH', `/v1/catalogue/models/${id}`, { key, body: { hair: 'Red' } })).json.hair, 'red');
  const again = multipart([{ name: 'image', value: evalPhoto(m.photos[0]!), filename: 'a.jpg', type: 'image/jpeg' }]);
  const p = await live.call('POST', `/v1/catalogue/models/${id}/photos`, { key, headers: again.headers, body: again.payload });
  assert.equal(p.status, 200, 'the photo added before');
  assert.equal((await live.call('GET', '/v1/catalogue/models/999999', { key })).status, 404);
  assert.equal((await live.call('POST', '/v1/catalogue/reviews', { key, body: { agency_id: 999, author: 'agent', type: 'positive', text: 'x' } })).json.param, 'agency_id');
  const other = (await adminCreateKey(live, { account: 'other', name: 'o', scopes: 'all' })).secret;
  assert.equal((await live.call('GET', `/v1/catalogue/models/${id}`, { key: other })).status, 404, 'another account does not see it');
  const tmp = await live.call('POST', '/v1/catalogue/agencies', { key, body: { title: 'Temp (made up)' } });
  assert.equal((await live.call('DELETE', `/v1/catalogue/agencies/${tmp.json.id}`, { key })).status, 204);
  assert.equal((await live.call('GET', `/v1/catalogue/agencies/${tmp.json.id}`, { key })).status, 404);
});

test('scoring: a portrait scores above its blurred, dark, small and cut copies; age, gender and parts come with it', async () => {
  const photo = evalPhoto(demo.models[0]!.photos[0]!);
  const blurred = await sharp(photo).blur(4).jpeg().toBuffer();
  const dark = await sharp(photo).linear(0.2, 0).jpeg().toBuffer();
  const small = await sharp(photo).resize(80, 80).extend({ top: 85, bottom: 85, left: 85, right: 85, background: '#808080' }).jpeg().toBuffer();
  const mp = form([photo, blurred, dark, small]);
  const r = await live.call('POST', '/facehub/api/data/tools/scoring', { headers: mp.headers, body: mp.payload, key });
  assert.equal(r.status, 200, r.text);
  const [orig, ...worse] = r.json.results;
  assert.equal(orig.status, 1);
  assert.equal(orig.faces, 1);
  assert.ok(orig.age > 0 && [0, 1].includes(orig.gender));
  for (const w of worse) assert.ok(w.score < orig.score, `${w.score} < ${orig.score}`);
  assert.equal(r.json.score, orig.score, 'the first image at the top level');
  assert.deepEqual(Object.keys(orig.parts).sort(), ['exposure', 'expression', 'eyes_open', 'face_size', 'framing', 'head_pose', 'one_face', 'sharpness', 'visibility']);
  const native = multipart([{ name: 'images', value: photo, filename: 'a.jpg', type: 'image/jpeg' }]);
  const n = await live.call('POST', '/v1/catalogue/score', { key, headers: native.headers, body: native.payload });
  assert.equal(n.json.photos[0].score, orig.score);
});

test('look-alike: another photo of the same person finds that model first, natively and through FaceHub', async () => {
  let first = 0;
  for (const p of demo.probes) {
    const mp = form([evalPhoto(p.photo)], { key });
    const r = await live.call('POST', '/facehub/api/data/tools/similar', { headers: mp.headers, body: mp.payload });
    assert.equal(r.status, 200, r.text);
    if (r.json.results[0]?.model.id === ids.get(p.model)) first++;
  }
  assert.ok(first >= demo.probes.length - 1, `${first}/${demo.probes.length} first`);
  const p = demo.probes[0]!;
  const mp = multipart([{ name: 'image', value: evalPhoto(p.photo), filename: 'a.jpg', type: 'image/jpeg' }]);
  const r = await live.call('POST', '/v1/catalogue/similar?limit=3', { key, headers: mp.headers, body: mp.payload });
  assert.equal(r.json.matches[0].model.id, ids.get(p.model));
  assert.ok(r.json.matches.length <= 3 && r.json.matches[0].similarity >= r.json.matches[1].similarity);
});

test('FaceHub lists: every filter, perPage, page, sortDir, trailing slash, unknown parameters, /faces, own port', async () => {
  const m = demo.models[1]!;
  const q = (path: string) => live.call('GET', `/facehub${path}${path.includes('?') ? '&' : '?'}key=${key}`);
  const models = await q(`/api/data/models/?gender=${m.gender === 'male' ? 1 : 0}&height=${m.height}&bust=${m.bust}&waist=${m.waist}&hips=${m.hips}&shoes=${m.shoes}&eyes=${m.eyes}&hair=${m.hair}&whatever=1`);
  assert.equal(models.status, 200, models.text);
  assert.ok(models.json.results.some((x: { id: number }) => x.id === ids.get(m.external_id)));
  const agencyId = models.json.results[0].agency_id;
  assert.ok((await q(`/api/data/faces?agency_id=${agencyId}`)).json.results.every((x: { agency_id: number }) => x.agency_id === agencyId));
  const paged = await q('/api/data/models?perPage=2&page=2&sortDir=desc');
  assert.deepEqual([paged.json.perPage, paged.json.page, paged.json.totalResults, paged.json.totalPages, paged.json.results.length], [2, 2, 8, 4, 2]);
  assert.equal((await q('/api/data/agencies?type=1')).json.totalResults, 1);
  assert.equal((await q('/api/data/agencies?genders=0')).json.totalResults, 0);
  assert.equal((await q('/api/data/agencies?language=de')).json.results[0].title, 'Harbour Faces (made-up demo agency)');
  const a1 = (await q('/api/data/agencies?title=Northwind%20Models%20(made-up%20demo%20agency)')).json.results[0];
  assert.equal((await q(`/api/data/agencies?male_count=${a1.male_count}&female_count=${a1.female_count}`)).json.results.some((x: { id: number }) => x.id === a1.id), true);
  assert.equal((await q(`/api/data/reviews?agency_id=${a1.id}`)).json.totalResults, 2);
  assert.equal((await q(`/api/data/reviews?agency_id=${encodeURIComponent(a1.title)}&author=agent&type=positive`)).json.totalResults, 1);
  assert.equal((await q('/api/data/models?height=2147483648')).status, 400, 'beyond signed 32 bits');
  assert.equal((await q('/api/data/Models')).json.errorCode, '2S290/1', 'paths are case-sensitive');
  const side = await request(SIDE_PORT, 'GET', `/api/data/agencies?key=${key}`);
  assert.equal(side.json.totalResults, 3, 'the own port serves /api/... at the root');
});

test('FaceHub error codes, each with its status', async () => {
  const code = async (r: Promise<{ status: number; json: { errorCode: string } }>) => {
    const x = await r;
    return `${x.status} ${x.json.errorCode}`;
  };
  const get = (path: string, o: Parameters<Live['call']>[2] = {}) => live.call('GET', `/facehub${path}`, o);
  assert.equal(await code(get('/api/data/models')), '401 2S290/6');
  assert.equal(await code(get('/api/data/models?key=nope', { from: '127.0.0.9' })), '401 2S290/9');
  assert.equal(await code(get('/api/data/models', { headers: { authorization: 'Bearer nope' }, from: '127.0.0.9' })), '401 3S290/9');
  const ipOnly = (await adminCreateKey(live, { account: 'agency', name: 'ip', scopes: 'all', allow_ips: ['10.0.0.0/8'] })).secret;
  assert.equal(await code(get(`/api/data/models?key=${ipOnly}`)), '403 2S290/8');
  const headerOnly = (await adminCreateKey(live, { account: 'agency', name: 'h', scopes: 'all', header_only: true })).secret;
  assert.equal(await code(get(`/api/data/models?key=${headerOnly}`)), '403 2S290/B');
  const mp = form([evalPhoto(demo.probes[0]!.photo)], { key: headerOnly });
  assert.equal(await code(live.call('POST', '/facehub/api/data/tools/similar', { headers: mp.headers, body: mp.payload })), '403 3S290/7');
  assert.equal((await get('/api/data/models', { headers: { authorization: `Bearer ${headerOnly}` } })).status, 200);
  const metricsOnly = (await adminCreateKey(live, { account: 'agency', name: 'm', scopes: 'metrics' })).secret;
  assert.equal(await code(get(`/api/data/models?key=${metricsOnly}`)), '403 3S290/B');
  const detectOnly = (await adminCreateKey(live, { account: 'agency', name: 'd', scopes: 'detect' })).secret;
  assert.equal(await code(get(`/api/data/models?key=${detectOnly}`)), '403 2S291/3');
  const expiring = await adminCreateKey(live, { account: 'agency', name: 'e', scopes: 'all', expires_at: new Date(live.clock.now() + 60_000).toISOString() });
  live.clock.advance(120_000);
  assert.equal(await code(get(`/api/data/models?key=${expiring.secret}`)), '401 1S290/E');
  assert.equal(await code(get(`/api/data/models?key=${key}`, { headers: { 'x-ips-language': 'xx' } })), '400 3S290/3');
  assert.equal((await get(`/api/data/models?key=${key}`, { headers: { 'x-ips-language': '1' } })).status, 200);
  assert.equal(await code(get(`/api/da-ta/models?key=${key}`)), '404 3S290/4');
  assert.equal(await code(get(`/api/data/models/extra/level?key=${key}`)), '404 2S291/1');
  assert.equal(await code(get(`/api/nothing?key=${key}`)), '404 2S290/1');
  assert.equal(await code(live.call('POST', `/facehub/api/data/models?key=${key}`)), '405 3S291/2');
  assert.equal(await code(get(`/api/data/tools/scoring?key=${key}`)), '405 3S291/2');
  // Invalid keys from one address: blocked for minutes (1S290/D), then banned (1S290/A).
  let last = '';
  for (let i = 0; i < 40 && !last.endsWith('1S290/D'); i++) last = await code(get('/api/data/models?key=bad', { from: '127.0.0.7' }));
  assert.equal(last, '429 1S290/D');
  // Invalid keys while blocked count on: enough blocks become a ban.
  for (let i = 0; i < 400 && !last.endsWith('1S290/A'); i++) {
    if (i % 10 === 9) live.clock.advance(16 * 60_000); // past each block
    last = await code(get('/api/data/models?key=bad', { from: '127.0.0.7' }));
  }
  assert.equal(last, '403 1S290/A');
});
