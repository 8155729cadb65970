// Face membership use cases (GalleryService: changeFaceGalleries, galleriesOf, deleteFaceById,
// deleteGallery, identifyAccount) over the real SQLite store and usearch index: a change is
// searchable the moment it returns, writes hold the touched galleries' locks in id order, and
// a gallery's deletion keeps the faces that are also elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteFaceStore } from '../../src/adapters/store/sqlite/sqlite-face.store.js';
import { UsearchIndexProvider } from '../../src/adapters/index/usearch-vector.index.js';
import { InProcessGalleryLock } from '../../src/adapters/lock/in-process-gallery.lock.js';
import { FaceIndexRegistry } from '../../src/core/face-index.registry.js';
import { GalleryService } from '../../src/core/gallery.service.js';
import { VisageError } from '../../src/domain/error.registry.js';
import type { GalleryWriteLock } from '../../src/ports/gallery-lock.port.js';
import { DIM, templateOnly, tpl } from '../helpers/gallery-harness.js';
import { randomUnit, rng, sampleOf } from '../helpers/synthetic-vectors.js';

const code = (c: string) => (e: unknown) => e instanceof VisageError && e.code === c;

/** The real in-process lock, recording which gallery ids each write held, in order. */
class RecordingLock implements GalleryWriteLock {
  readonly inner = new InProcessGalleryLock();
  held: number[] = [];
  run<T>(galleryId: number, fn: () => Promise<T>): Promise<T> {
    return this.inner.run(galleryId, async () => {
      this.held.push(galleryId);
      return fn();
    });
  }
}

function open(t: { after(fn: () => void): void }, exactLimit?: number) {
  const dir = mkdtempSync(join(tmpdir(), 'visage-membership-'));
  const store = SqliteFaceStore.open(join(dir, 'visage.db'));
  const log = { info: () => undefined, warn: () => undefined };
  const indexes = new FaceIndexRegistry(store, store, new UsearchIndexProvider(join(dir, 'index'), { exactLimit }), log, { saveDelayMs: 10 });
  const lock = new RecordingLock();
  const svc = new GalleryService({ store, indexes, lock, faces: templateOnly }).scoped('acme');
  t.after(async () => {
    await indexes.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { svc, lock, store };
}

const ids = (r: { probes: { matches: { face: { id: number } }[] }[] }) => r.probes[0]!.matches.map((m) => m.face.id);

test('add, remove, set: each change is searchable in the gallery at once, the account set keeps the face', async (t) => {
  // exactLimit 0: every index is an HNSW graph, so the refresh path of the real index is exercised.
  const { svc } = open(t, 0);
  for (const n of ['a', 'b', 'c']) await svc.createGallery({ name: n });
  const rand = rng(11);
  const alice = randomUnit(DIM, rand);
  const others = Array.from({ length: 30 }, () => randomUnit(DIM, rand));
  for (const o of others) await svc.enrol('b', { template: tpl(o) });
  const [face] = await svc.enrol('a', { template: tpl(alice) });
  const probe = { template: tpl(sampleOf(alice, 0.2, rand)) };
  const opts = { threshold: 'medium', limit: 5 };

  assert.deepEqual(ids(await svc.identify(['b'], probe, opts)), []);
  await svc.changeFaceGalleries(face!.id, { add: ['b', 'c'] });
  assert.deepEqual(ids(await svc.identify(['b'], probe, opts)), [face!.id], 'found in b the moment the add returns');
  assert.deepEqual(ids(await svc.identify(['c'], probe, opts)), [face!.id]);
  assert.deepEqual((await svc.galleriesOf([face!])).get(face!.id), ['a', 'b', 'c']);

  await svc.changeFaceGalleries(face!.id, { remove: ['a', 'b'] });
  assert.deepEqual(ids(await svc.identify(['a'], probe, opts)), [], 'removed: stops matching in a at once');
  assert.deepEqual(ids(await svc.identify(['b'], probe, opts)), []);
  assert.deepEqual(ids(await svc.identify(['c'], probe, opts)), [face!.id]);

  await svc.changeFaceGalleries(face!.id, { set: ['a'] });
  assert.deepEqual((await svc.galleriesOf([face!])).get(face!.id), ['a']);
  assert.deepEqual(ids(await svc.identify(['c'], probe, opts)), []);
  await svc.changeFaceGalleries(face!.id, { set: [] });
  assert.deepEqual((await svc.galleriesOf([face!])).get(face!.id) ?? [], [], 'in no gallery');
  assert.deepEqual(ids(await svc.identifyAccount(probe, opts)), [face!.id], 'still in the account set');
  assert.equal((await svc.faceById(face!.id)).id, face!.id);

  await assert.rejects(svc.changeFaceGalleries(face!.id, { add: ['a'], remove: ['a'] }), code('BAD_PARAM'));
  await assert.rejects(svc.changeFaceGalleries(face!.id, { add: ['nope'] }), code('GALLERY_NOT_FOUND'));
  await assert.rejects(svc.changeFaceGalleries(999_999, { add: ['a'] }), code('FACE_NOT_FOUND'));
});

test('a membership change holds the locks of the galleries it touches, in id order', async (t) => {
  const { svc, lock } = open(t);
  const c = await svc.createGallery({ name: 'c' });
  const a = await svc.createGallery({ name: 'a' });
  const b = await svc.createGallery({ name: 'b' });
  const [face] = await svc.enrol('c', { template: tpl(randomUnit(DIM, rng(2))) });
  lock.held = [];
  await svc.changeFaceGalleries(face!.id, { add: ['b', 'a'], remove: ['c'] });
  assert.deepEqual(lock.held, [c.id, a.id, b.id].sort((x, y) => x - y));
});

test('concurrent membership changes and enrolments: the indexes end up as the store says', async (t) => {
  const { svc } = open(t, 0);
  for (const n of ['x', 'y']) await svc.createGallery({ name: n });
  const rand = rng(3);
  const people = Array.from({ length: 12 }, () => randomUnit(DIM, rand));
  const faces = [];
  for (const p of people) faces.push((await svc.enrol('x', { template: tpl(p) }))[0]!);
  // Even faces move to y, odd ones are added to y; new faces enter x meanwhile.
  await Promise.all([
    ...faces.map((f, i) => svc.changeFaceGalleries(f.id, i % 2 === 0 ? { set: ['y'] } : { add: ['y'] })),
    ...Array.from({ length: 6 }, () => svc.enrol('x', { template: tpl(randomUnit(DIM, rand)) })),
  ]);
  for (const [i, p] of people.entries()) {
    const probe = { template: tpl(p) };
    const inX = ids(await svc.identify(['x'], probe, { threshold: 'strict', limit: 3 }));
    const inY = ids(await svc.identify(['y'], probe, { threshold: 'strict', limit: 3 }));
    assert.deepEqual(inY, [faces[i]!.id], `face ${i} in y`);
    assert.deepEqual(inX, i % 2 === 0 ? [] : [faces[i]!.id], `face ${i} in x`);
  }
});

test('deleting a gallery keeps its faces that are in other galleries; deleting a face removes it everywhere at once', async (t) => {
  const { svc } = open(t, 0);
  for (const n of ['home', 'other']) await svc.createGallery({ name: n });
  const rand = rng(7);
  const shared = randomUnit(DIM, rand);
  const only = randomUnit(DIM, rand);
  const [s] = await svc.enrol('home', { template: tpl(shared) });
  const [o] = await svc.enrol('home', { template: tpl(only) });
  await svc.changeFaceGalleries(s!.id, { add: ['other'] });
  await svc.deleteGallery('home');
  assert.equal((await svc.faceById(s!.id)).id, s!.id, 'a face also in other survives');
  assert.deepEqual((await svc.galleriesOf([s!])).get(s!.id), ['other']);
  assert.deepEqual(ids(await svc.identify(['other'], { template: tpl(shared) }, { threshold: 'strict' })), [s!.id]);
  assert.deepEqual(ids(await svc.identifyAccount({ template: tpl(shared) }, { threshold: 'strict' })), [s!.id]);
  await assert.rejects(svc.faceById(o!.id), code('FACE_NOT_FOUND'), 'a face only in the deleted gallery goes with it');
  assert.deepEqual(ids(await svc.identifyAccount({ template: tpl(only) }, { threshold: 'strict' })), []);

  await svc.deleteFaceById(s!.id);
  assert.deepEqual(ids(await svc.identify(['other'], { template: tpl(shared) }, { threshold: 'none' })), []);
  assert.deepEqual(ids(await svc.identifyAccount({ template: tpl(shared) }, { threshold: 'none' })), []);
  await assert.rejects(svc.faceById(s!.id), code('FACE_NOT_FOUND'));
});
