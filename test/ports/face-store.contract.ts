// The contract every face store (and its change feed) passes: SQLite today
// (test/adapters/store/sqlite/sqlite-face.store.test.ts), PostgreSQL later. `open(dir)` opens
// the store kept at `dir` (a folder for SQLite; a database or schema named after it elsewhere);
// opening the same dir again must see the same data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VisageError } from '../../src/domain/error.registry.js';
import type { JsonValue } from '../../src/domain/gallery.rules.js';
import type { ChangeFeed } from '../../src/ports/change-feed.port.js';
import { DEFAULT_ACCOUNT, type FaceStore, type NewGallery } from '../../src/ports/face-store.port.js';
import { randomUnit, rng } from '../helpers/synthetic-vectors.js';

export interface FaceStoreFixture {
  open(dir: string): FaceStore & ChangeFeed;
}

const DIM = 16;
const tmp = () => mkdtempSync(join(tmpdir(), 'visage-store-'));
const gal = (name: string): NewGallery => ({ account: DEFAULT_ACCOUNT, name, description: '', modelKey: 'm@1', dimensions: DIM, thumbnails: false });
const code = (c: string) => (e: unknown) => e instanceof VisageError && e.code === c;
const rand = rng(7);
const vec = () => randomUnit(DIM, rand);

export function faceStoreContract(name: string, fx: FaceStoreFixture): void {
  test(`${name}: galleries: create, list, rename, unique names, delete cascades`, async (t) => {
    const dir = tmp();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const s = fx.open(dir);
    const a = await s.createGallery({ ...gal('staff'), description: 'office', thumbnails: true });
    assert.equal(a.name, 'staff');
    assert.equal(a.thumbnails, true);
    assert.equal(a.faceCount, 0);
    await assert.rejects(s.createGallery(gal('staff')), code('GALLERY_EXISTS'));
    // Names are unique per account only.
    await s.createGallery({ ...gal('staff'), account: 'other' });
    const b = await s.createGallery(gal('visitors'));
    assert.deepEqual((await s.listGalleries(DEFAULT_ACCOUNT)).map((g) => g.name), ['staff', 'visitors']);
    await assert.rejects(s.updateGallery(b.id, { name: 'staff' }), code('GALLERY_EXISTS'));
    const renamed = await s.updateGallery(b.id, { name: 'guests', description: 'lobby' });
    assert.equal(renamed.name, 'guests');
    assert.equal(renamed.description, 'lobby');
    assert.equal(renamed.modelKey, 'm@1');

    await s.addFaces(a.id, [{ vector: vec() }, { vector: vec() }]);
    assert.equal((await s.getGalleryById(a.id))!.faceCount, 2);
    assert.equal(await s.deleteGallery(a.id), true);
    assert.equal(await s.getGallery(DEFAULT_ACCOUNT, 'staff'), null);
    await assert.rejects(s.addFaces(a.id, [{ vector: vec() }]), code('GALLERY_NOT_FOUND'));
    await s.close();
  });

  test(`${name}: faces survive a reopen with every field, and vectors come back bit for bit`, async (t) => {
    const dir = tmp();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const s1 = fx.open(dir);
    const g = await s1.createGallery(gal('g'));
    const v = vec();
    const box = { x1: 1.5, y1: 2, x2: 30, y2: 40.25 };
    const landmarks = [{ x: 1, y: 2 }, { x: 3, y: 4 }];
    const { results, seq } = await s1.addFaces(g.id, [
      { clientId: 'image_01', meta: { name: 'Ann', n: 5 }, box, landmarks, photoHash: 'ab'.repeat(32), vector: v },
      { clientId: '42', meta: 'plain text', vector: vec() },
    ]);
    assert.ok(results.every((r) => r.ok));
    assert.equal(seq, 1);
    await s1.close();

    const s2 = fx.open(dir);
    const f = await s2.getFace(g.id, { clientId: 'image_01' });
    assert.ok(f);
    assert.deepEqual(f.meta, { name: 'Ann', n: 5 });
    assert.deepEqual(f.box, box);
    assert.deepEqual(f.landmarks, landmarks);
    assert.equal(f.photoHash, 'ab'.repeat(32));
    assert.ok(f.createdAt instanceof Date);
    assert.equal((await s2.getFace(g.id, { clientId: '42' }))!.meta, 'plain text');
    const rows = [];
    for await (const batch of s2.iterateVectors(g.id, { batchSize: 1 })) rows.push(...batch);
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[0]!.vector, v);
    assert.deepEqual(await s2.vectorState(g.id), { count: 2, seq: 1 });
    await s2.close();
  });

  test(`${name}: bulk add is one transaction with an answer per item; duplicates fail alone`, async (t) => {
    const dir = tmp();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const s = fx.open(dir);
    const g = await s.createGallery(gal('g'));
    await s.addFaces(g.id, [{ clientId: 'a', vector: vec() }]);
    const { results, seq } = await s.addFaces(g.id, [
      { clientId: 'b', vector: vec() },
      { clientId: 'a', vector: vec() },
      { clientId: 'b', vector: vec() },
      { vector: vec() },
    ]);
    assert.deepEqual(
      results.map((r) => (r.ok ? 'ok' : r.code)),
      ['ok', 'DUPLICATE_ID', 'DUPLICATE_ID', 'ok'],
    );
    assert.equal(seq, 2);
    assert.equal((await s.getGalleryById(g.id))!.faceCount, 3);
    // A batch of only duplicates changes nothing, not even the high-water mark.
    const again = await s.addFaces(g.id, [{ clientId: 'a', vector: vec() }]);
    assert.equal(again.seq, 2);
    // A programming error mid-batch rolls the whole batch back.
    await assert.rejects(s.addFaces(g.id, [{ clientId: 'c', vector: vec() }, { vector: new Float32Array(3) }]));
    assert.equal(await s.getFace(g.id, { clientId: 'c' }), null);
    await s.close();
  });

  test(`${name}: listing: newest first, cursor and offset paging, meta and id filters`, async (t) => {
    const dir = tmp();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const s = fx.open(dir);
    const g = await s.createGallery(gal('g'));
    const metas: (JsonValue | null)[] = [{ team: 'red', name: 'Ann' }, { team: 'blue', name: 'Bob "B"' }, 'red shirt', { team: 'red', n: 7 }, null];
    const { results } = await s.addFaces(g.id, metas.map((m) => ({ meta: m ?? undefined, vector: vec() })));
    const ids = results.map((r) => (r.ok ? r.face.id : 0));

    const p1 = await s.listFaces(g.id, { limit: 2 });
    assert.deepEqual(p1.faces.map((f) => f.id), [ids[4], ids[3]]);
    const p2 = await s.listFaces(g.id, { limit: 2, cursor: p1.nextCursor! });
    assert.deepEqual(p2.faces.map((f) => f.id), [ids[2], ids[1]]);
    const p3 = await s.listFaces(g.id, { limit: 2, cursor: p2.nextCursor! });
    assert.deepEqual(p3.faces.map((f) => f.id), [ids[0]]);
    assert.equal(p3.nextCursor, null);
    assert.deepEqual((await s.listFaces(g.id, { limit: 2, offset: 3 })).faces.map((f) => f.id), [ids[1], ids[0]]);

    assert.deepEqual((await s.listFaces(g.id, { limit: 10, metaContains: 'red' })).faces.map((f) => f.id), [ids[3], ids[2], ids[0]]);
    assert.deepEqual((await s.listFaces(g.id, { limit: 10, metaContains: 'Bob "B"' })).faces.map((f) => f.id), [ids[1]]);
    assert.deepEqual((await s.listFaces(g.id, { limit: 10, metaField: { path: 'team', value: 'red' } })).faces.map((f) => f.id), [ids[3], ids[0]]);
    assert.deepEqual((await s.listFaces(g.id, { limit: 10, metaField: { path: 'n', value: '7' } })).faces.map((f) => f.id), [ids[3]]);
    assert.deepEqual((await s.listFaces(g.id, { limit: 10, idFrom: ids[1], idTo: ids[2] })).faces.map((f) => f.id), [ids[2], ids[1]]);
    await s.close();
  });

  test(`${name}: deletes: per-ref answers and the removal log`, async (t) => {
    const dir = tmp();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const s = fx.open(dir);
    const g = await s.createGallery(gal('g'));
    const secret = vec();
    const { results } = await s.addFaces(g.id, [{ clientId: 'x', vector: secret }, { vector: vec() }, { vector: vec() }]);
    const ids = results.map((r) => (r.ok ? r.face.id : 0));
    const { deleted, seq } = await s.deleteFaces(g.id, [{ clientId: 'x' }, { id: ids[1]! }, { id: 999 }, { clientId: 'nope' }]);
    assert.deepEqual(deleted, [ids[0], ids[1], null, null]);
    assert.equal(seq, 2);
    assert.equal(await s.getFace(g.id, { id: ids[0]! }), null);
    assert.deepEqual(await s.vectorState(g.id), { count: 1, seq: 2 });
    assert.deepEqual((await s.removedSince(g.id, 1))!.sort(), [ids[0], ids[1]].sort());
    assert.deepEqual(await s.removedSince(g.id, 2), []);
    await s.pruneRemovedLog(g.id, 2);
    assert.equal(await s.removedSince(g.id, 1), null, 'a pruned log cannot answer for older marks');
    assert.deepEqual(await s.removedSince(g.id, 2), []);

    const updated = await s.updateFaceMeta(g.id, { id: ids[2]! }, { note: 'x' });
    assert.deepEqual(updated!.meta, { note: 'x' });
    assert.equal(await s.updateFaceMeta(g.id, { id: ids[0]! }, 'gone'), null);
    await s.close();
  });

  test(`${name}: listAllGalleries lists every account's galleries`, async (t) => {
    const dir = tmp();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const s = fx.open(dir);
    await s.createGallery(gal('a'));
    await s.createGallery({ ...gal('b'), account: 'acme' });
    assert.deepEqual((await s.listAllGalleries()).map((g) => `${g.account}/${g.name}`).sort(), ['acme/b', 'default/a']);
    await s.close();
  });

  test(`${name}: the change feed replays adds and removes since a mark, and says when it cannot`, async (t) => {
    const dir = tmp();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const s = fx.open(dir);
    const g = await s.createGallery(gal('g'));
    const heard: number[] = [];
    const off = s.subscribe((id, seq) => id === g.id && heard.push(seq));
    const first = await s.addFaces(g.id, [{ vector: vec() }, { vector: vec() }]);
    const ids = first.results.map((r) => (r.ok ? r.face.id : 0));
    const mark = first.seq;
    await s.addFaces(g.id, [{ clientId: 'late', vector: vec() }]);
    await s.deleteFaces(g.id, [{ id: ids[0]! }]);
    const c = await s.changesSince(g.id, mark);
    assert.ok(c);
    assert.equal(c.seq, mark + 2);
    assert.equal(c.count, 2);
    assert.deepEqual(c.removed, [ids[0]]);
    const added = [];
    for await (const rows of c.added) added.push(...rows.map((r) => r.id));
    assert.equal(added.length, 1, 'only what came after the mark');
    const none = await s.changesSince(g.id, c.seq);
    assert.deepEqual(none?.removed, []);
    await s.pruneRemovedLog(g.id, c.seq);
    assert.equal(await s.changesSince(g.id, mark), null, 'a pruned log asks for a rebuild');
    off();
    await s.addFaces(g.id, [{ vector: vec() }]);
    assert.ok(heard.length === 0 || heard.length === 3, 'a feed that pushes tells each change until unsubscribed');
    await s.close();
  });

  test(`${name}: membership: a face in several galleries, each index's feed sees it, the account set holds every face`, async (t) => {
    const dir = tmp();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const s = fx.open(dir);
    const a = await s.createGallery(gal('a'));
    const b = await s.createGallery(gal('b'));
    const set = await s.accountSet(DEFAULT_ACCOUNT, 'm@1', DIM);
    assert.equal((await s.accountSet(DEFAULT_ACCOUNT, 'm@1', DIM)).id, set.id, 'get-or-create');
    assert.deepEqual((await s.listGalleries(DEFAULT_ACCOUNT)).map((g) => g.name), ['a', 'b'], 'the account set is hidden');
    assert.equal(await s.getGallery(DEFAULT_ACCOUNT, set.name), null);
    const v = vec();
    const added = await s.addFaces(a.id, [{ clientId: 'x', meta: 'Sam', vector: v }, { meta: 'Sam', vector: vec() }]);
    assert.deepEqual(added.marks.map((m) => m.galleryId).sort(), [a.id, set.id].sort());
    const [f1, f2] = added.results.map((r) => (r.ok ? r.face : assert.fail()));
    assert.equal((await s.vectorState(set.id)).count, 2);

    const bMark = (await s.vectorState(b.id)).seq;
    const { marks } = await s.changeFaceGalleries(f1!.id, { add: [b.id], remove: [] });
    assert.deepEqual(marks.map((m) => m.galleryId), [b.id]);
    assert.deepEqual((await s.faceGalleryIds([f1!.id])).get(f1!.id), [a.id, b.id]);
    assert.equal((await s.getFace(b.id, { clientId: 'x' }))?.id, f1!.id);
    assert.equal((await s.getFacesByIds(b.id, [f1!.id, f2!.id])).size, 1);
    assert.deepEqual((await s.listFaces(b.id, { limit: 10 })).faces.map((f) => f.id), [f1!.id]);
    const cb = await s.changesSince(b.id, bMark);
    const inB = [];
    for await (const rows of cb!.added) inB.push(...rows);
    assert.deepEqual(inB.map((r) => r.id), [f1!.id]);
    assert.deepEqual([...inB[0]!.vector], [...(await (async () => { const out = []; for await (const r of s.iterateVectors(a.id)) out.push(...r); return out; })()).find((r) => r.id === f1!.id)!.vector]);
    // A second face with the same client id cannot enter b.
    const other = await s.addFaces(b.id, [{ vector: vec() }]);
    const o = other.results[0]!.ok ? other.results[0]!.face : assert.fail();
    await s.updateFace(o.id, { meta: 'other' });
    await assert.rejects(s.changeFaceGalleries(o.id, { add: [a.id, 999_999], remove: [] }), code('GALLERY_NOT_FOUND'));

    // Deleting from a: f1 stays (it is in b), f2 is deleted (it was only in a) and leaves the set.
    const setMark = (await s.vectorState(set.id)).seq;
    const del = await s.deleteFaces(a.id, [{ id: f1!.id }, { id: f2!.id }]);
    assert.deepEqual(del.deleted, [f1!.id, f2!.id]);
    assert.ok(await s.getFace(b.id, { id: f1!.id }));
    assert.equal(await s.getAccountFace(DEFAULT_ACCOUNT, f2!.id), null);
    assert.deepEqual((await s.changesSince(set.id, setMark))!.removed, [f2!.id]);
    assert.equal((await s.vectorState(set.id)).count, 2);

    // Meta, person, grouping, removal to no gallery, and deletion everywhere.
    const upd = await s.updateFace(f1!.id, { personId: 7 });
    assert.equal(upd?.personId, 7);
    assert.equal(upd?.meta, 'Sam');
    assert.deepEqual((await s.listFaces(set.id, { limit: 10, personId: 7 })).faces.map((f) => f.id), [f1!.id]);
    assert.deepEqual((await s.listFaces(set.id, { limit: 10, metaEquals: 'other' })).faces.map((f) => f.id), [o.id]);
    assert.deepEqual((await s.metaCounts(set.id)).map((m) => [m.meta, m.count]), [['Sam', 1], ['other', 1]]);
    await s.changeFaceGalleries(f1!.id, { add: [], remove: [b.id] });
    assert.deepEqual((await s.faceGalleryIds([f1!.id])).get(f1!.id), []);
    assert.ok(await s.getAccountFace(DEFAULT_ACCOUNT, f1!.id), 'a face in no gallery is still the account\'s');
    assert.equal(await s.getAccountFace('other', f1!.id), null);
    const gone = await s.deleteFace(f1!.id);
    assert.ok(gone?.marks.some((m) => m.galleryId === set.id));
    assert.equal(await s.deleteFace(f1!.id), null);

    // Deleting a gallery keeps faces that are also elsewhere.
    await s.changeFaceGalleries(o.id, { add: [a.id], remove: [] });
    assert.equal(await s.deleteGallery(b.id), true);
    assert.deepEqual((await s.faceGalleryIds([o.id])).get(o.id), [a.id]);
    assert.equal((await s.vectorState(set.id)).count, 1);
    await s.close();
  });
}
