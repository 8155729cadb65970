import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPgPool } from '../../../../src/adapters/store/postgres/pg-database.js';
import { PgFaceStore } from '../../../../src/adapters/store/postgres/pg-face.store.js';
import { DEFAULT_ACCOUNT, type NewGallery } from '../../../../src/ports/face-store.port.js';
import { randomUnit, rng } from '../../../helpers/synthetic-vectors.js';
import { faceStoreContract } from '../../../ports/face-store.contract.js';
import { PG_URL, freshSchema, poolOn, withPostgres } from '../../../helpers/postgres.js';

const DIM = 16;
const gal = (name: string): NewGallery => ({ account: DEFAULT_ACCOUNT, name, description: '', modelKey: 'm@1', dimensions: DIM, thumbnails: false });
const rand = rng(11);
const vec = () => randomUnit(DIM, rand);

withPostgres('face store', () => {
  // The contract's `dir` names a store: here one schema per dir, so a reopen sees the same data.
  const schemas = new Map<string, string>();
  faceStoreContract('PostgreSQL', {
    open: (dir) => {
      let schema = schemas.get(dir);
      if (!schema) schemas.set(dir, (schema = freshSchema()));
      const pool = createPgPool(PG_URL, { schema, max: 4 });
      return new PgFaceStore(pool, () => pool.end());
    },
  });

  test('two nodes: a commit on one is pushed to the other by NOTIFY, and its feed catches up', async () => {
    const schema = freshSchema();
    const a = new PgFaceStore(await poolOn(schema));
    const b = new PgFaceStore(await poolOn(schema));
    const heard: [number, number][] = [];
    b.subscribe((g, s) => heard.push([g, s]));
    await b.listening();
    const g = await a.createGallery(gal('g'));
    const t0 = Date.now();
    const added = await a.addFaces(g.id, [{ vector: vec() }, { vector: vec() }]);
    while (!heard.some(([id, s]) => id === g.id && s === added.seq) && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 2));
    assert.ok(heard.some(([id, s]) => id === g.id && s === added.seq), 'node B heard the mark within 2 s');
    // The feed delay: from A's acknowledged commit to B hearing its mark, over 200 commits.
    const delays: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      const r = await a.addFaces(g.id, [{ vector: vec() }]);
      while (!heard.some(([id, s]) => id === g.id && s === r.seq)) await new Promise((res) => setImmediate(res));
      delays.push(performance.now() - t);
    }
    delays.sort((x, y) => x - y);
    const [p50, p99] = [delays[100]!, delays[198]!];
    if (process.env.DEBUG_LOG) console.log(`commit-to-notified (commit included): p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`);
    assert.ok(p99 < 1000, `p99 ${p99} ms under 1 s`);
    await a.deleteFaces(g.id, (await a.listFaces(g.id, { limit: 1000 })).faces.slice(2).map((f) => ({ id: f.id })));
    const ch = await b.changesSince(g.id, 0);
    const ids = [];
    for await (const rows of ch!.added) ids.push(...rows.map((r) => r.id));
    assert.equal(ids.length, 2);
    await a.close();
    await b.close();
  });

  test('concurrent writers on two nodes: marks and counts stay exact (deadlocks retried)', async () => {
    const schema = freshSchema();
    const nodes = [new PgFaceStore(await poolOn(schema)), new PgFaceStore(await poolOn(schema))];
    const gs = [await nodes[0]!.createGallery(gal('a')), await nodes[0]!.createGallery(gal('b'))];
    await Promise.all(Array.from({ length: 40 }, (_, i) => nodes[i % 2]!.addFaces(gs[i % 2 === 0 ? 0 : 1]!.id, [{ vector: vec() }])));
    const set = await nodes[1]!.accountSet(DEFAULT_ACCOUNT, 'm@1', DIM);
    assert.deepEqual(await nodes[1]!.vectorState(set.id), { count: 40, seq: 40 });
    assert.deepEqual(await nodes[1]!.vectorState(gs[0]!.id), { count: 20, seq: 20 });
    for (const n of nodes) await n.close();
  });
});
