// Two Visage nodes (two startServer instances, real HTTP, the fake analyzer) on one PostgreSQL
// with galleries there: a face enrolled through node A is found through node B at once, and a
// face deleted through B is gone on A. Each node keeps its own index (a cache in its data dir),
// kept in step by NOTIFY and, before every search, by the gallery's mark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminCreateKey, ADMIN_KEY, facePng, startLive, type Live } from '../helpers/live-server.js';
import { freshSchema, PG_URL, poolOn, withPostgres } from '../helpers/postgres.js';

const idsOf = (json: unknown): string[] => {
  const out: string[] = [];
  JSON.stringify(json, (k, v) => (k === 'client_id' && typeof v === 'string' && out.push(v), v));
  return out;
};

withPostgres('two nodes share galleries on one PostgreSQL', () => {
  // Nodes start and stop inside the test: the schema is dropped by a file-level hook that runs
  // before any other after() of this file.
  const startNodes = async (): Promise<[Live, Live]> => {
    const schema = freshSchema();
    await poolOn(schema);
    const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const env = { DATABASE_URL: url, VISAGE_GALLERIES_ON_POSTGRES: 'true', VISAGE_ADMIN_KEY: ADMIN_KEY, VISAGE_LOG_LEVEL: process.env.DEBUG_LOG ?? 'silent' };
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
});
