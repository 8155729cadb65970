import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GalleryService } from '../../src/core/gallery.service.js';
import { VisageError } from '../../src/domain/error.registry.js';
import { DIM, openService, tpl } from '../helpers/gallery-harness.js';
import { randomUnit, rng, sampleOf } from '../helpers/synthetic-vectors.js';

const code = (c: string, param?: string) => (e: unknown) => e instanceof VisageError && e.code === c && (param === undefined || e.details.param === param);

const tmp = () => mkdtempSync(join(tmpdir(), 'visage-gallery-'));

test('galleries: create, list, rename, delete (with their index files)', async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { svc, close } = openService(dir);
  const g = await svc.createGallery({ name: 'staff', description: 'office' });
  assert.equal(g.modelKey, 'synthetic@1');
  assert.equal(g.dimensions, DIM);
  await assert.rejects(svc.createGallery({ name: 'staff' }), code('GALLERY_EXISTS', 'name'));
  await assert.rejects(svc.createGallery({ name: 'bad name!' }), code('BAD_PARAM', 'name'));
  await svc.updateGallery('staff', { name: 'team' });
  await assert.rejects(svc.getGallery('staff'), code('GALLERY_NOT_FOUND'));
  await svc.enrol('team', { template: tpl(randomUnit(DIM, rng(1))) });
  await svc.identify(['team'], { template: tpl(randomUnit(DIM, rng(1))) });
  assert.equal((await svc.getGallery('team')).faceCount, 1);
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(readdirSync(join(dir, 'index')).length > 0);
  await svc.deleteGallery('team');
  assert.deepEqual(await svc.listGalleries(), []);
  assert.deepEqual(readdirSync(join(dir, 'index')), [], 'index files deleted with the gallery');
  await close();
});

test('enrol and identify with templates: best first, thresholds, limits, unknown people get nothing', async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { svc, close } = openService(dir);
  await svc.createGallery({ name: 'g' });
  const rand = rng(5);
  const people = Array.from({ length: 20 }, () => randomUnit(DIM, rand));
  for (const [i, c] of people.entries()) {
    const [f] = await svc.enrol('g', { template: tpl(sampleOf(c, 0.3, rand)) }, { clientId: i === 0 ? 'image_01' : i, meta: { person: i } });
    assert.equal(f!.clientId, i === 0 ? 'image_01' : String(i));
  }
  await assert.rejects(svc.enrol('g', { template: tpl(people[1]!) }, { clientId: 1 }), code('DUPLICATE_ID', 'id'));
  await assert.rejects(svc.enrol('g', { template: tpl(people[1]!, 'other@2') }), code('TEMPLATE_MODEL_MISMATCH'));
  await assert.rejects(svc.enrol('g', { template: 'garbage' }), code('TEMPLATE_INVALID'));
  await assert.rejects(svc.enrol('nope', { template: tpl(people[1]!) }), code('GALLERY_NOT_FOUND'));

  const r = await svc.identify(['g'], { template: tpl(sampleOf(people[3]!, 0.3, rand)) }, { threshold: 'medium' });
  assert.equal(r.model, 'synthetic@1');
  assert.equal(r.probes.length, 1);
  const m = r.probes[0]!.matches;
  assert.equal(m.length, 1, 'only the right person clears the medium threshold');
  assert.equal(m[0]!.face.clientId, '3');
  assert.deepEqual(m[0]!.face.meta, { person: 3 });
  assert.ok(m[0]!.similarity >= r.threshold);

  const stranger = await svc.identify(['g'], { template: tpl(randomUnit(DIM, rand)) });
  assert.deepEqual(stranger.probes[0]!.matches, [], 'an unenrolled person gets an empty list');

  const all = await svc.identify(['g'], { template: tpl(people[3]!) }, { threshold: 'none', limit: 5 });
  const sims = all.probes[0]!.matches.map((x) => x.similarity);
  assert.equal(sims.length, 5);
  assert.deepEqual(sims, [...sims].sort((a, b) => b - a));
  await assert.rejects(svc.identify(['g'], { template: tpl(people[3]!) }, { limit: 0 }), code('BAD_PARAM', 'limit'));
  await assert.rejects(svc.identify(['g'], { template: tpl(people[3]!) }, { limit: 1001 }), code('BAD_PARAM', 'limit'));
  await assert.rejects(svc.identify(['g'], { template: tpl(people[3]!) }, { threshold: 2 }), code('BAD_PARAM', 'threshold'));
  await close();
});

test('search over several galleries merges results best first', async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { svc, close } = openService(dir);
  const rand = rng(9);
  const who = randomUnit(DIM, rand);
  await svc.createGallery({ name: 'a' });
  await svc.createGallery({ name: 'b' });
  await svc.enrol('a', { template: tpl(sampleOf(who, 0.2, rand)) }, { clientId: 'in-a' });
  await svc.enrol('b', { template: tpl(sampleOf(who, 0.1, rand)) }, { clientId: 'in-b' });
  await svc.enrol('b', { template: tpl(randomUnit(DIM, rand)) });
  const r = await svc.identify(['a', 'b'], { template: tpl(who) });
  assert.deepEqual(r.probes[0]!.matches.map((m) => `${m.gallery}/${m.face.clientId}`), ['b/in-b', 'a/in-a']);
  await assert.rejects(svc.identify(['a', 'zzz'], { template: tpl(who) }), code('GALLERY_NOT_FOUND', 'galleries'));
  await close();
});

test('a deleted face is never returned by a later search, even with writes racing', async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { svc, close } = openService(dir);
  await svc.createGallery({ name: 'g' });
  const rand = rng(11);
  const vs = Array.from({ length: 60 }, () => randomUnit(DIM, rand));
  // Enrol, delete and search all at once: the per-gallery lock orders them.
  const enrolled = await Promise.all(vs.map((v, i) => svc.enrol('g', { template: tpl(v) }, { clientId: `p${i}` })));
  const deletes = Promise.all(vs.filter((_, i) => i % 2 === 0).map((_, j) => svc.deleteFace('g', { clientId: `p${j * 2}` })));
  const searches = Promise.all(vs.map((v) => svc.identify(['g'], { template: tpl(v) })));
  await Promise.all([deletes, searches]);
  for (const [i, v] of vs.entries()) {
    const m = (await svc.identify(['g'], { template: tpl(v) }, { threshold: 'none', limit: 100 })).probes[0]!.matches;
    const ids = m.map((x) => x.face.clientId);
    if (i % 2 === 0) assert.ok(!ids.includes(`p${i}`), `p${i} was deleted`);
    else assert.equal(ids[0], `p${i}`);
  }
  assert.equal(enrolled.length, 60);
  assert.equal((await svc.getGallery('g')).faceCount, 30);
  await assert.rejects(svc.getFace('g', { clientId: 'p0' }), code('FACE_NOT_FOUND'));
  await assert.rejects(svc.deleteFace('g', { clientId: 'p0' }), code('FACE_NOT_FOUND'));
  assert.deepEqual(await svc.deleteFaces('g', [{ clientId: 'p1' }, { clientId: 'p0' }]), [enrolled[1]![0]!.id, null]);
  await close();
});

test('bulk enrolment answers per item; bad items never fail the batch', async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { svc, close } = openService(dir);
  await svc.createGallery({ name: 'g' });
  const rand = rng(13);
  await svc.enrol('g', { template: tpl(randomUnit(DIM, rand)) }, { clientId: 'taken' });
  const res = await svc.enrolBulk('g', [
    { template: tpl(randomUnit(DIM, rand)), clientId: 'ok1', meta: 'hello' },
    { template: 'not-a-template', clientId: 'bad-template' },
    { template: tpl(randomUnit(DIM, rand), 'other@1'), clientId: 'other-model' },
    { template: tpl(randomUnit(DIM, rand)), clientId: 'taken' },
    { template: tpl(randomUnit(DIM, rand)), clientId: 'ok2' },
    { template: tpl(randomUnit(DIM, rand)), clientId: 'ok2' },
    { template: tpl(randomUnit(DIM, rand)), meta: 'x'.repeat(20_000) },
    { template: tpl(randomUnit(DIM, rand)), clientId: 7 },
  ]);
  assert.deepEqual(
    res.map((r) => (r.ok ? 'ok' : r.code)),
    ['ok', 'TEMPLATE_INVALID', 'TEMPLATE_MODEL_MISMATCH', 'DUPLICATE_ID', 'ok', 'DUPLICATE_ID', 'BAD_PARAM', 'ok'],
  );
  assert.deepEqual(res.map((r) => r.index), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(res[7]!.clientId, '7');
  assert.equal((await svc.getGallery('g')).faceCount, 4);
  await assert.rejects(svc.enrolBulk('g', []), code('BAD_PARAM', 'items'));
  await close();
});

test('stored faces: get, list with filters, update meta', async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { svc, close } = openService(dir);
  await svc.createGallery({ name: 'g' });
  const rand = rng(17);
  for (let i = 0; i < 5; i++) await svc.enrol('g', { template: tpl(randomUnit(DIM, rand)) }, { clientId: `c${i}`, meta: { team: i % 2 ? 'odd' : 'even' } });
  const page = await svc.listFaces('g', { limit: 2, metaField: { path: 'team', value: 'even' } });
  assert.deepEqual(page.faces.map((f) => f.clientId), ['c4', 'c2']);
  const next = await svc.listFaces('g', { limit: 2, metaField: { path: 'team', value: 'even' }, cursor: page.nextCursor! });
  assert.deepEqual(next.faces.map((f) => f.clientId), ['c0']);
  const f = await svc.updateFaceMeta('g', { clientId: 'c1' }, 'new label');
  assert.equal(f.meta, 'new label');
  assert.equal((await svc.getFace('g', { id: f.id })).meta, 'new label');
  await assert.rejects(svc.updateFaceMeta('g', { clientId: 'nope' }, 'x'), code('FACE_NOT_FOUND'));
  await close();
});

test('restart: everything is there; a missing, corrupt or stale index is repaired from the store', async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rand = rng(23);
  const vs = Array.from({ length: 40 }, () => randomUnit(DIM, rand));
  const s1 = openService(dir);
  await s1.svc.createGallery({ name: 'g' });
  await s1.svc.enrolBulk('g', vs.map((v, i) => ({ template: tpl(v), clientId: `p${i}` })));
  await s1.svc.deleteFace('g', { clientId: 'p0' });
  await s1.close();

  const check = async (svc: GalleryService) => {
    const hit = (await svc.identify(['g'], { template: tpl(vs[5]!) })).probes[0]!.matches[0];
    assert.equal(hit?.face.clientId, 'p5');
    const gone = (await svc.identify(['g'], { template: tpl(vs[0]!) }, { threshold: 'none', limit: 100 })).probes[0]!.matches;
    assert.ok(!gone.some((m) => m.face.clientId === 'p0'));
    assert.equal(gone.length, 39);
  };

  const s2 = openService(dir);
  await s2.indexes.warmUp(await s2.svc.listGalleries());
  assert.deepEqual(s2.logs, [], 'a clean index loads without repair');
  await check(s2.svc);
  await s2.close();

  const peek = openService(dir);
  const g = (await peek.store.getGallery('default', 'g'))!;
  await peek.close();
  rmSync(join(dir, 'index', `g${g.id}.flat`));
  const s3 = openService(dir);
  await check(s3.svc);
  assert.ok(s3.logs.some((l) => /rebuild/.test(l)), s3.logs.join('; '));
  await s3.close();

  writeFileSync(join(dir, 'index', `g${g.id}.flat`), 'garbage');
  const s4 = openService(dir);
  await check(s4.svc);
  assert.ok(s4.logs.some((l) => /rebuild/.test(l)));
  await s4.close();

  // A "crash" after commits but before the index was saved: the saved index is behind.
  const s5 = openService(dir, { saveDelayMs: 60_000 });
  await s5.svc.enrol('g', { template: tpl(vs[0]!) }, { clientId: 'p0-again' });
  await s5.svc.deleteFace('g', { clientId: 'p7' });
  await s5.store.close();
  const s6 = openService(dir);
  await s6.indexes.warmUp(await s6.svc.listGalleries());
  assert.ok(s6.logs.some((l) => /caught up/.test(l)), s6.logs.join('; '));
  const r = (await s6.svc.identify(['g'], { template: tpl(vs[0]!) }, { threshold: 'none', limit: 100 })).probes[0]!.matches;
  assert.equal(r[0]!.face.clientId, 'p0-again');
  assert.ok(!r.some((m) => m.face.clientId === 'p7'));
  await s6.close();

  // Files of a gallery deleted just before a crash are removed at warm-up.
  writeFileSync(join(dir, 'index', 'g999.json'), '{}');
  const s7 = openService(dir);
  await s7.indexes.warmUp(await s7.svc.listGalleries());
  assert.ok(!existsSync(join(dir, 'index', 'g999.json')));
  await s7.close();
});
