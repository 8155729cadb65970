// The contract every search-index store passes: SQLite
// (test/adapters/store/sqlite/sqlite-search-index.store.test.ts) and PostgreSQL
// (test/adapters/store/postgres/pg-search-index.store.test.ts). A search index's rows refer to
// the face store's galleries and faces, so `open(dir)` gives both stores on one database (the
// one kept at `dir`; opening the same dir again must see the same data).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaceStore, NewGallery } from '../../src/ports/face-store.port.js';
import type { IndexFaceSource, SearchIndexStore } from '../../src/ports/search-index-store.port.js';
import { randomUnit, rng } from '../helpers/synthetic-vectors.js';

export interface SearchIndexStores {
  index: SearchIndexStore;
  faces: FaceStore;
  close(): Promise<void>;
}

export interface SearchIndexStoreFixture {
  open(dir: string): SearchIndexStores;
}

const DIM = 8;
const rand = rng(19);
const vec = () => randomUnit(DIM, rand);
const gal = (account: string, name: string): NewGallery => ({ account, name, description: 'search index', modelKey: 'm@1', dimensions: DIM, thumbnails: false });
const source = (faceId: number, url: string, faceIndex = 0, withBox = true): IndexFaceSource & { webp: Uint8Array | null } => ({
  faceId,
  url,
  group: 123_456_789,
  guid: `guid-${url}-${faceIndex}`,
  faceIndex,
  box: withBox ? { x1: 1.5, y1: 2.25, x2: 40.125, y2: 50 } : null,
  webp: withBox ? new Uint8Array([82, 73, 70, 70, faceId & 255, 0, 255]) : null,
});

export function searchIndexStoreContract(name: string, fx: SearchIndexStoreFixture): void {
  const setup = (t: TestContext) => {
    const dir = mkdtempSync(join(tmpdir(), 'visage-search-index-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };
  const facesIn = async (s: SearchIndexStores, galleryId: number, n: number) =>
    (await s.faces.addFaces(galleryId, Array.from({ length: n }, () => ({ vector: vec() })))).results.map((r) => (r.ok ? r.face.id : -1));

  test(`${name}: the first index of an account is its default; set default; a normal gallery is none; a reopen keeps them`, async (t) => {
    const dir = setup(t);
    const s1 = fx.open(dir);
    const web = await s1.faces.createGallery(gal('acme', 'web'));
    const news = await s1.faces.createGallery(gal('acme', 'news'));
    const plain = await s1.faces.createGallery(gal('acme', 'staff'));
    const theirs = await s1.faces.createGallery(gal('other', 'web'));
    await s1.index.markIndex(web.id, 'acme');
    await s1.index.markIndex(news.id, 'acme');
    await s1.index.markIndex(web.id, 'acme'); // again: nothing changes
    await s1.index.markIndex(theirs.id, 'other');
    await s1.close();

    const s = fx.open(dir);
    assert.deepEqual(await s.index.indexIds('acme'), [{ galleryId: web.id, isDefault: true }, { galleryId: news.id, isDefault: false }]);
    assert.deepEqual(await s.index.indexIds('other'), [{ galleryId: theirs.id, isDefault: true }], "another account's first is its own default");
    assert.deepEqual(await s.index.indexIds('nobody'), []);
    assert.equal(await s.index.isIndex(web.id), true);
    assert.equal(await s.index.isIndex(plain.id), false);
    await s.index.setDefault('acme', news.id);
    assert.deepEqual(await s.index.indexIds('acme'), [{ galleryId: news.id, isDefault: true }, { galleryId: web.id, isDefault: false }], 'default first');
    assert.deepEqual(await s.index.indexIds('other'), [{ galleryId: theirs.id, isDefault: true }], 'untouched');
    assert.equal(await s.faces.deleteGallery(news.id), true);
    assert.equal(await s.index.isIndex(news.id), false, 'gone with its gallery');
    assert.deepEqual(await s.index.indexIds('acme'), [{ galleryId: web.id, isDefault: false }]);
    await s.close();
  });

  test(`${name}: indexes marked at once: exactly one is the account's default`, async (t) => {
    const s = fx.open(setup(t));
    const gs = await Promise.all(Array.from({ length: 6 }, (_, i) => s.faces.createGallery(gal('race', `g${i}`))));
    await Promise.all(gs.map((g) => s.index.markIndex(g.id, 'race')));
    const ids = await s.index.indexIds('race');
    assert.equal(ids.length, 6);
    assert.equal(ids.filter((i) => i.isDefault).length, 1);
    await s.close();
  });

  test(`${name}: sources and thumbnails by face, replaced when added again, gone with the face; URLs per gallery; the n-th face`, async (t) => {
    const dir = setup(t);
    const s1 = fx.open(dir);
    const g = await s1.faces.createGallery(gal('acme', 'web'));
    const h = await s1.faces.createGallery(gal('acme', 'news'));
    const ids = await facesIn(s1, g.id, 4);
    const [other] = await facesIn(s1, h.id, 1);
    await s1.index.addSources(g.id, [source(ids[0]!, 'https://a.test/1', 0), source(ids[1]!, 'https://a.test/1', 1, false), source(ids[2]!, 'https://a.test/2', 0)]);
    await s1.index.addSources(h.id, [source(other!, 'https://b.test/1')]);
    await s1.index.addSources(g.id, []);
    await s1.close();

    const s = fx.open(dir);
    const got = await s.index.sources([ids[1]!, ids[0]!, ids[3]!, 999_999]);
    assert.deepEqual([...got.keys()].sort((a, b) => a - b), [ids[0]!, ids[1]!], 'known faces only');
    const { webp: _w, ...first } = source(ids[0]!, 'https://a.test/1', 0);
    assert.deepEqual(got.get(ids[0]!), first);
    assert.equal(got.get(ids[1]!)!.box, null);
    const thumbs = await s.index.thumbnails([ids[0]!, ids[1]!, ids[2]!, 999_999]);
    assert.deepEqual([...thumbs.keys()].sort((a, b) => a - b), [ids[0]!, ids[2]!], 'only faces that kept one');
    assert.deepEqual([...thumbs.get(ids[2]!)!], [...source(ids[2]!, 'x').webp!]);
    assert.deepEqual(await s.index.sources([]), new Map());
    assert.deepEqual(await s.index.thumbnails([]), new Map());

    assert.equal(await s.index.hasUrl(g.id, 'https://a.test/1'), true);
    assert.equal(await s.index.hasUrl(g.id, 'https://b.test/1'), false, 'indexed in the other gallery only');
    assert.equal(await s.index.hasUrl(h.id, 'https://b.test/1'), true);

    assert.equal(await s.index.nthFaceId(g.id, 1), ids[0]);
    assert.equal(await s.index.nthFaceId(g.id, 3), ids[2]);
    assert.equal(await s.index.nthFaceId(g.id, 4), null, 'fewer indexed faces');

    // Indexed again (the same face): its row is replaced, not doubled.
    await s.index.addSources(g.id, [{ ...source(ids[0]!, 'https://a.test/3', 2), webp: null }]);
    assert.equal((await s.index.sources([ids[0]!])).get(ids[0]!)!.url, 'https://a.test/3');
    assert.equal((await s.index.thumbnails([ids[0]!])).size, 0);
    assert.equal(await s.index.hasUrl(g.id, 'https://a.test/1'), true, 'face 1 is still there');
    assert.equal(await s.index.nthFaceId(g.id, 3), ids[2]);

    await s.faces.deleteFaces(g.id, [{ id: ids[1]! }]);
    assert.equal((await s.index.sources([ids[1]!])).size, 0, 'gone with its face');
    assert.equal(await s.index.hasUrl(g.id, 'https://a.test/1'), false);
    await s.faces.deleteGallery(h.id);
    assert.equal((await s.index.sources([other!])).size, 0, 'gone with its gallery');
    await s.close();
  });

  test(`${name}: opt-outs per account and model, in order, templates exact`, async (t) => {
    const dir = setup(t);
    const s1 = fx.open(dir);
    const v1 = vec();
    const v2 = vec();
    const a = await s1.index.addOptOut({ account: 'acme', modelKey: 'm@1', vector: v1, reference: 'ticket-1' });
    assert.ok(a.id > 0);
    assert.ok(a.createdAt instanceof Date && Math.abs(a.createdAt.getTime() - Date.now()) < 60_000);
    // A view into a larger buffer: only its own bytes are kept.
    const wide = new Float32Array(DIM + 3).fill(9);
    wide.set(v2, 2);
    const b = await s1.index.addOptOut({ account: 'acme', modelKey: 'm@1', vector: wide.subarray(2, 2 + DIM), reference: null });
    await s1.index.addOptOut({ account: 'acme', modelKey: 'm@2', vector: vec(), reference: null });
    await s1.index.addOptOut({ account: 'other', modelKey: 'm@1', vector: vec(), reference: null });
    await s1.close();

    const s = fx.open(dir);
    const got = await s.index.optOuts('acme', 'm@1');
    assert.deepEqual(got.map((o) => [o.id, o.account, o.modelKey, o.reference]), [[a.id, 'acme', 'm@1', 'ticket-1'], [b.id, 'acme', 'm@1', null]]);
    assert.ok(got[0]!.vector instanceof Float32Array);
    assert.deepEqual([...got[0]!.vector], [...v1]);
    assert.deepEqual([...got[1]!.vector], [...v2]);
    assert.equal(got[0]!.createdAt.getTime(), a.createdAt.getTime());
    assert.deepEqual(await s.index.optOuts('acme', 'm@3'), []);
    assert.deepEqual(await s.index.optOuts('nobody', 'm@1'), []);
    await s.close();
  });
}
