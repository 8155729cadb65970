// Two Visage nodes (two startServer instances, real HTTP, the fake analyzer) on one PostgreSQL,
// with every store there (the default with DATABASE_URL): a face enrolled through node A is
// found through node B at once, and a face deleted through B is gone on A; a reverse face search
// uploaded through A is started and polled to its result through B; a catalogue model made on A
// is found on B by filter and by look-alike. Each node keeps its own index (a cache in its data
// dir), kept in step by NOTIFY and, before every search, by the gallery's mark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { adminCreateKey, ADMIN_KEY, facePng, startLive, type Live } from '../helpers/live-server.js';
import { freshSchema, PG_URL, poolOn, withPostgres } from '../helpers/postgres.js';

const idsOf = (json: unknown): string[] => {
  const out: string[] = [];
  JSON.stringify(json, (k, v) => (k === 'client_id' && typeof v === 'string' && out.push(v), v));
  return out;
};

/**
 * A photo whose mean colour is `rgb` (a checkerboard ±24 around it, so it is not flat): the fake
 * analyzer's embedding is that mean, so photos of one colour are one "person", far from others.
 */
async function personPng(rgb: [number, number, number], size = 64): Promise<string> {
  const data = Buffer.alloc(size * size * 3);
  for (let i = 0; i < size * size; i++) {
    const d = ((i % size) + Math.floor(i / size)) % 2 ? 24 : -24;
    for (let c = 0; c < 3; c++) data[i * 3 + c] = rgb[c]! + d;
  }
  return (await sharp(data, { raw: { width: size, height: size, channels: 3 } }).png().toBuffer()).toString('base64');
}
const PEOPLE: [number, number, number][] = [
  [200, 40, 40],
  [40, 200, 40],
  [40, 40, 200],
  [200, 200, 40],
  [40, 200, 200],
];

withPostgres('two nodes share galleries, searches and the catalogue on one PostgreSQL', () => {
  // Nodes start and stop inside the test: the schema is dropped by a file-level hook that runs
  // before any other after() of this file.
  const startNodes = async (extra: Record<string, string> = {}): Promise<[Live, Live]> => {
    const schema = freshSchema();
    await poolOn(schema);
    const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const env = { DATABASE_URL: url, VISAGE_ADMIN_KEY: ADMIN_KEY, VISAGE_LOG_LEVEL: process.env.DEBUG_LOG ?? 'silent', ...extra };
    return [await startLive({ ...env, VISAGE_NODE_NAME: 'node-a' }), await startLive({ ...env, VISAGE_NODE_NAME: 'node-b' })];
  };

  test('enrol on A, found on B in the first search; delete on B, gone on A; galleries listed on both', async () => {
    const [a, b] = await startNodes();
    try {
    const k = await adminCreateKey(a, { account: 'crew', rate_per_second: 100000, burst: 100000 });
    assert.equal((await a.call('POST', '/v1/galleries', { key: k.secret, body: { name: 'staff' } })).status, 200);
    assert.deepEqual((await b.call('GET', '/v1/galleries', { key: k.secret })).json.galleries.map((g: { name: string }) => g.name), ['staff']);
    const delays: number[] = [];
    for (let i = 0; i < 20; i++) {
      const img = (await facePng(100 + i)).toString('base64');
      const enrol = await a.call('POST', '/v1/galleries/staff/faces', { key: k.secret, body: { image: img, id: `p${i}` } });
      assert.equal(enrol.status, 200, JSON.stringify(enrol.json));
      const t0 = performance.now();
      const hit = await b.call('POST', '/v1/galleries/staff/search', { key: k.secret, body: { image: img, limit: 100, threshold: 'none' } });
      delays.push(performance.now() - t0);
      assert.equal(hit.status, 200, JSON.stringify(hit.json));
      assert.ok(idsOf(hit.json).includes(`p${i}`), `p${i} found through node B: ${JSON.stringify(hit.json).slice(0, 300)}`);
    }
    assert.equal((await b.call('GET', '/v1/galleries/staff', { key: k.secret })).json.face_count, 20);

    const img = (await facePng(100)).toString('base64');
    assert.equal((await b.call('DELETE', '/v1/galleries/staff/faces/p0?id_type=client', { key: k.secret })).status, 204);
    const after = await a.call('POST', '/v1/galleries/staff/search', { key: k.secret, body: { image: img, limit: 100, threshold: 'none' } });
    assert.equal(after.status, 200);
    assert.ok(!idsOf(after.json).includes('p0'), 'deleted through B, gone on A');
    assert.equal((await a.call('GET', '/v1/galleries/staff/faces/p0?id_type=client', { key: k.secret })).status, 404);
    delays.sort((x, y) => x - y);
    if (process.env.DEBUG_LOG) console.log(`search on B right after A's enrol: p50 ${delays[10]!.toFixed(1)} ms, max ${delays[19]!.toFixed(1)} ms`);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('reverse face search: indexed on A, uploaded through A, started and polled to its result through B, deleted through B', async () => {
    const [a, b] = await startNodes();
    try {
      const k = await adminCreateKey(a, { account: 'finder', rate_per_second: 100000, burst: 100000 });
      const onA = (m: string, p: string, body?: unknown) => a.call(m, p, { key: k.secret, body });
      const onB = (m: string, p: string, body?: unknown) => b.call(m, p, { key: k.secret, body });
      assert.equal((await onA('POST', '/v1/search-indexes', { name: 'web', default: true })).status, 201);
      for (const [i, rgb] of PEOPLE.entries()) {
        const r = await onA('POST', '/v1/search-indexes/web/photos', { image: await personPng(rgb), source_url: `https://example.test/person-${i}.jpg`, group: i });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.json.faces, 1);
      }
      assert.deepEqual((await onB('GET', '/v1/search-indexes')).json.indexes, [{ name: 'web', faces: PEOPLE.length, default: true }], 'the index and its default, seen on B');
      const again = await onB('POST', '/v1/search-indexes/web/photos', { image: await personPng(PEOPLE[0]!), source_url: 'https://example.test/person-0.jpg' });
      assert.equal(again.json.already_indexed, true, "A's source URLs are known on B");

      const up = await onA('POST', '/v1/face-searches', { image: await personPng(PEOPLE[3]!) });
      assert.equal(up.status, 201, up.text);
      const id = up.json.id as string;
      const seen = await onB('GET', `/v1/face-searches/${id}`);
      assert.equal(seen.status, 200, `the upload on A is readable on B: ${seen.text.slice(0, 200)}`);
      assert.equal(seen.json.status, 'uploaded');
      assert.deepEqual(seen.json.previews, up.json.previews, 'the same preview bytes');
      assert.equal((await onB('POST', `/v1/face-searches/${id}/start`, {})).status, 202);
      let done = await onB('GET', `/v1/face-searches/${id}?wait=20`);
      for (let i = 0; i < 5 && done.json.status !== 'succeeded' && done.json.status !== 'failed'; i++) done = await onB('GET', `/v1/face-searches/${id}?wait=20`);
      assert.equal(done.json.status, 'succeeded', done.text.slice(0, 300));
      assert.equal(done.json.result.items[0].url, 'https://example.test/person-3.jpg', 'the indexed photo of the same person first');
      assert.equal(done.json.result.items[0].group, 3);
      assert.match(done.json.result.items[0].thumbnail, /^data:image\/webp;base64,/, "the thumbnail A's indexing kept");
      assert.equal(done.json.result.searched_faces, PEOPLE.length);
      assert.deepEqual((await onA('GET', `/v1/face-searches/${id}`)).json.result, done.json.result, 'the same result read on A');

      assert.equal((await onB('DELETE', `/v1/face-searches/${id}`)).status, 204);
      assert.equal((await onA('GET', `/v1/face-searches/${id}`)).status, 404, 'deleted through B, gone on A');
      for (const node of [a, b]) assert.equal(existsSync(join(node.server.config.dataDir, 'searches')), false, 'no search was kept in a data dir');
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('catalogue: a model made on A, with a photo, is found on B by filter and by look-alike search', async () => {
    const [a, b] = await startNodes();
    try {
      const k = await adminCreateKey(a, { account: 'agency', rate_per_second: 100000, burst: 100000 });
      const onA = (m: string, p: string, body?: unknown) => a.call(m, p, { key: k.secret, body });
      const onB = (m: string, p: string, body?: unknown) => b.call(m, p, { key: k.secret, body });
      const agency = await onA('POST', '/v1/catalogue/agencies', { title: 'North', genders: ['female'], languages: ['en'] });
      assert.equal(agency.status, 201, agency.text);
      const ids: number[] = [];
      for (const [i, rgb] of PEOPLE.slice(0, 3).entries()) {
        const m = await onA('POST', '/v1/catalogue/models', { name: `Model ${i}`, gender: 'female', height: 170 + i, agency_id: agency.json.id });
        assert.equal(m.status, 201, m.text);
        ids.push(m.json.id);
        const photo = await onA('POST', `/v1/catalogue/models/${m.json.id}/photos`, { image: await personPng(rgb), label: `m${i}.png` });
        assert.equal(photo.status, 201, photo.text);
      }
      const byHeight = await onB('GET', '/v1/catalogue/models?height=171');
      assert.equal(byHeight.status, 200, byHeight.text);
      assert.deepEqual(byHeight.json.items.map((m: { id: number }) => m.id), [ids[1]], 'found on B by filter');
      assert.equal(byHeight.json.items[0].photos[0].label, 'm1.png');
      assert.equal((await onB('GET', `/v1/catalogue/agencies/${agency.json.id}`)).json.female_count, 3, "the agency's counts on B");

      const like = await onB('POST', '/v1/catalogue/similar', { image: await personPng(PEOPLE[2]!) });
      assert.equal(like.status, 200, like.text);
      assert.equal(like.json.matches[0].model.id, ids[2], 'the model whose photo is that person, first, on B');
      assert.equal(like.json.matches.length, 3);

      assert.equal((await onB('DELETE', `/v1/catalogue/models/${ids[2]}`)).status, 204);
      const after = await onA('POST', '/v1/catalogue/similar', { image: await personPng(PEOPLE[2]!) });
      assert.ok(!after.json.matches.some((m: { model: { id: number } }) => m.model.id === ids[2]), 'deleted on B, not a look-alike on A');
      assert.equal((await onA('GET', `/v1/catalogue/models/${ids[2]}`)).status, 404);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('VISAGE_GALLERIES_ON_POSTGRES=false: keys shared, galleries and search indexes per node (each data dir\'s SQLite)', async () => {
    const [a, b] = await startNodes({ VISAGE_GALLERIES_ON_POSTGRES: 'false' });
    try {
      const k = await adminCreateKey(a, { account: 'local', rate_per_second: 100000, burst: 100000 });
      assert.equal((await a.call('POST', '/v1/search-indexes', { key: k.secret, body: { name: 'web' } })).status, 201);
      assert.equal((await b.call('GET', '/v1/search-indexes', { key: k.secret })).json.indexes.length, 0, "B's own, empty");
      assert.equal((await b.call('POST', '/v1/search-indexes', { key: k.secret, body: { name: 'web' } })).status, 201, 'the same name again on B');
      for (const node of [a, b]) assert.ok(existsSync(join(node.server.config.dataDir, 'visage.db')));
    } finally {
      await a.close();
      await b.close();
    }
  });
});
