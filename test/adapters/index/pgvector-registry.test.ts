// The pgvector backend under the real use cases: GalleryService and FaceIndexRegistry over a
// SQLite face store (the store the face data lives in does not matter to the index; PostgreSQL
// stores need a pg pool, which PGlite is not) with the indexes in PGlite + pgvector. Two
// services on one SQLite file and one PGlite are two nodes: one table per gallery serves both.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgvectorIndexProvider } from '../../../src/adapters/index/pgvector-vector.index.js';
import { InProcessGalleryLock } from '../../../src/adapters/lock/in-process-gallery.lock.js';
import { SqliteFaceStore } from '../../../src/adapters/store/sqlite/sqlite-face.store.js';
import { FaceIndexRegistry } from '../../../src/core/face-index.registry.js';
import { GalleryService } from '../../../src/core/gallery.service.js';
import { DIM, templateOnly, tpl } from '../../helpers/gallery-harness.js';
import { randomUnit, rng, sampleOf } from '../../helpers/synthetic-vectors.js';
import { pglite } from './pglite.js';

const dbp = pglite();
after(async () => (await dbp).close());

async function node(dir: string, exactLimit: number) {
  const db = await dbp;
  const logs: string[] = [];
  const log = { info: (_o: unknown, m: string) => void logs.push(m), warn: (_o: unknown, m: string) => void logs.push(m) };
  const store = SqliteFaceStore.open(join(dir, 'visage.db'));
  const indexes = new FaceIndexRegistry(store, store, new PgvectorIndexProvider(db, { exactLimit }), log, { saveDelayMs: 10 });
  const svc = new GalleryService({ store, indexes, lock: new InProcessGalleryLock(), faces: templateOnly });
  return { svc, indexes, logs, close: async () => (await indexes.close(), await store.close()) };
}

test('two nodes on pgvector: enrol on A found on B, delete on B gone on A, a restart loads without rebuilding, deleting the gallery drops its table', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'visage-pgv-reg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = await dbp;
  const a = await node(dir, 20);
  const b = await node(dir, 20);
  await a.svc.createGallery({ name: 'staff' });
  const rand = rng(31);
  const people = Array.from({ length: 40 }, () => randomUnit(DIM, rand));
  for (const [i, c] of people.entries()) await a.svc.enrol('staff', { template: tpl(sampleOf(c, 0.3, rand)) }, { clientId: `p${i}` });
  const who = async (n: typeof a, i: number) => (await n.svc.identify(['staff'], { template: tpl(sampleOf(people[i]!, 0.3, rand)) }, { limit: 1, threshold: 'none' })).probes[0]!.matches[0]?.face.clientId;
  for (const i of [0, 17, 39]) assert.equal(await who(b, i), `p${i}`, `p${i} enrolled on A, found on B`);

  // One table per gallery (and one for the account set), shared: the gallery's is past the exact limit.
  const tables = (await db.query<{ key: string; size: number; hnsw: boolean }>('SELECT key, size::int AS size, hnsw FROM visage_vector_indexes ORDER BY key')).rows;
  assert.equal(tables.length, 2);
  for (const r of tables) assert.deepEqual([r.size, r.hnsw], [40, true]);

  await b.svc.deleteFace('staff', { clientId: 'p17' });
  assert.notEqual(await who(a, 17), 'p17', 'deleted on B, not found on A');
  await new Promise((r) => setTimeout(r, 50)); // the debounced saves write the mark
  await a.close();
  await b.close();

  const c = await node(dir, 20);
  assert.equal(await who(c, 39), 'p39');
  assert.ok(!c.logs.some((m) => /rebuil/.test(m)), `no rebuild: ${c.logs.join('; ')}`);
  const key = `g${(await c.svc.getGallery('staff')).id}`;
  const staff = (await db.query<{ tab: string; size: number }>(`SELECT tab, size::int AS size FROM visage_vector_indexes WHERE key = $1`, [key])).rows[0]!;
  assert.equal(staff.size, 39);
  await c.svc.deleteGallery('staff');
  assert.equal((await db.query<{ r: string | null }>('SELECT to_regclass($1)::text AS r', [staff.tab])).rows[0]!.r, null, 'its table is dropped');
  assert.ok(!(await db.query<{ key: string }>('SELECT key FROM visage_vector_indexes')).rows.some((r) => r.key === key));
  await c.close();
});
