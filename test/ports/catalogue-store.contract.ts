// The contract every catalogue store passes: SQLite
// (test/adapters/store/sqlite/sqlite-catalogue.store.test.ts) and PostgreSQL
// (test/adapters/store/postgres/pg-catalogue.store.test.ts). `open(dir)` opens the store kept
// at `dir`; opening the same dir again must see the same data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewCatalogueModel, PageQuery } from '../../src/domain/catalogue.model.js';
import type { CatalogueStore } from '../../src/ports/catalogue-store.port.js';

export interface CatalogueStoreFixture {
  open(dir: string): CatalogueStore;
}

const all: PageQuery = { page: 1, perPage: 100, sortDir: 'asc' };
const model = (over: Partial<NewCatalogueModel> = {}): NewCatalogueModel => ({
  agencyId: null, name: 'Ann', gender: 'female', height: 175, bust: 84, waist: 60, hips: 88, shoes: 39, eyes: 'blue', hair: 'blond', externalId: null, ...over,
});

export function catalogueStoreContract(name: string, fx: CatalogueStoreFixture): void {
  const setup = (t: import('node:test').TestContext) => {
    const dir = mkdtempSync(join(tmpdir(), 'visage-catalogue-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };

  test(`${name}: agencies with counted models, every filter, pages and both orders; a reopen keeps them`, async (t) => {
    const dir = setup(t);
    const s1 = fx.open(dir);
    const a = await s1.createAgency('acme', { title: 'North', mother: true, genders: ['female', 'male'], languages: ['en', 'fr'], externalId: 'n1' });
    const b = await s1.createAgency('acme', { title: 'South', mother: false, genders: ['female'], languages: ['es'], externalId: null });
    await s1.createAgency('other', { title: 'North', mother: true, genders: ['male'], languages: ['en'], externalId: 'n1' });
    await s1.createModel('acme', model({ agencyId: a.id }));
    await s1.createModel('acme', model({ agencyId: a.id, gender: 'male', name: 'Bo' }));
    await s1.createModel('acme', model({ agencyId: a.id, gender: 'male', name: 'Cy' }));
    await s1.close();
    const s = fx.open(dir);
    const got = (await s.getAgency('acme', a.id))!;
    assert.deepEqual([got.title, got.mother, got.genders, got.languages, got.maleCount, got.femaleCount, got.externalId], ['North', true, ['female', 'male'], ['en', 'fr'], 2, 1, 'n1']);
    assert.equal(await s.getAgency('other', b.id), null, 'another account does not see it');
    const ids = async (f: Parameters<CatalogueStore['listAgencies']>[1]) => (await s.listAgencies('acme', f, all)).items.map((x) => x.id);
    assert.deepEqual(await ids({}), [a.id, b.id]);
    assert.deepEqual(await ids({ title: 'South' }), [b.id]);
    assert.deepEqual(await ids({ mother: true }), [a.id]);
    assert.deepEqual(await ids({ onlyGender: 'female' }), [b.id]);
    assert.deepEqual(await ids({ onlyGender: 'male' }), []);
    assert.deepEqual(await ids({ language: 'FR' }), [a.id]);
    assert.deepEqual(await ids({ maleCount: 2 }), [a.id]);
    assert.deepEqual(await ids({ femaleCount: 0 }), [b.id]);
    assert.deepEqual(await ids({ externalId: 'n1' }), [a.id]);
    assert.deepEqual(await ids({ title: 'North', language: 'en', maleCount: 2, femaleCount: 1 }), [a.id], 'filters inside and outside the counts together');
    assert.deepEqual(await ids({ title: 'South', maleCount: 2 }), []);
    const desc = await s.listAgencies('acme', {}, { page: 1, perPage: 1, sortDir: 'desc' });
    assert.deepEqual([desc.items.map((x) => x.id), desc.total, desc.page, desc.perPage], [[b.id], 2, 1, 1]);
    assert.deepEqual((await s.listAgencies('acme', {}, { page: 2, perPage: 1, sortDir: 'desc' })).items.map((x) => x.id), [a.id]);
    assert.deepEqual((await s.listAgencies('acme', {}, { page: 3, perPage: 1, sortDir: 'asc' })).items, []);
    const up = (await s.updateAgency('acme', b.id, { title: 'South2', mother: true, genders: ['male'], languages: [], externalId: null }))!;
    assert.deepEqual([up.title, up.mother, up.genders], ['South2', true, ['male']]);
    assert.equal(await s.updateAgency('other', b.id, up), null);
    await assert.rejects(s.createAgency('acme', { title: 'X', mother: false, genders: ['male'], languages: [], externalId: 'n1' }), { code: 'DUPLICATE_ID' });
    assert.equal(await s.deleteAgency('acme', a.id), true);
    assert.equal(await s.deleteAgency('acme', a.id), false);
    assert.deepEqual((await s.listModels('acme', {}, all)).items.map((m) => m.agencyId), [null, null, null], 'its models stay, with no agency');
    await s.close();
  });

  test(`${name}: models by every filter, photos by hash and by face, delete returns the faces`, async (t) => {
    const s = fx.open(setup(t));
    const ag = await s.createAgency('acme', { title: 'A', mother: false, genders: ['female', 'male'], languages: [], externalId: null });
    const m1 = await s.createModel('acme', model({ agencyId: ag.id, externalId: 'x1' }));
    const m2 = await s.createModel('acme', model({ gender: 'male', height: 188, bust: 100, waist: 80, hips: 95, shoes: 44, eyes: 'brown', hair: 'black', name: 'Bo' }));
    const ids = async (f: Parameters<CatalogueStore['listModels']>[1]) => (await s.listModels('acme', f, all)).items.map((x) => x.id);
    assert.deepEqual(await ids({ agencyId: ag.id }), [m1.id]);
    for (const [f, want] of [
      [{ gender: 'male' }, [m2.id]], [{ height: 175 }, [m1.id]], [{ bust: 100 }, [m2.id]], [{ waist: 60 }, [m1.id]], [{ hips: 95 }, [m2.id]],
      [{ shoes: 39 }, [m1.id]], [{ eyes: 'Brown' }, [m2.id]], [{ hair: 'blond' }, [m1.id]], [{ externalId: 'x1' }, [m1.id]], [{ height: 175, gender: 'male' }, []],
    ] as const) assert.deepEqual(await ids(f as never), want, JSON.stringify(f));
    const p1 = await s.addPhoto('acme', m1.id, { faceId: 11, photoHash: 'h1', label: 'a.jpg' });
    await s.addPhoto('acme', m1.id, { faceId: 12, photoHash: 'h2', label: null });
    await s.addPhoto('acme', m2.id, { faceId: 13, photoHash: 'h1', label: null });
    assert.deepEqual((await s.getModel('acme', m1.id))!.photos.map((p) => [p.faceId, p.label]), [[11, 'a.jpg'], [12, null]]);
    assert.equal((await s.findPhoto('acme', m1.id, 'h1'))!.id, p1.id);
    assert.equal(await s.findPhoto('acme', m1.id, 'h3'), null);
    assert.deepEqual((await s.photosByFaceIds('acme', [13, 11, 99])).map((p) => p.modelId).sort(), [m1.id, m2.id].sort());
    assert.deepEqual(await s.photosByFaceIds('other', [13]), []);
    assert.deepEqual(await ids({ faceIds: [13] }), [m2.id]);
    assert.equal(await s.deletePhoto('acme', m1.id, p1.id), 11);
    assert.equal(await s.deletePhoto('acme', m1.id, p1.id), null);
    const up = (await s.updateModel('acme', m1.id, { ...model(), name: 'Ann B', height: 176 }))!;
    assert.deepEqual([up.name, up.height, up.agencyId], ['Ann B', 176, null]);
    const bare = await s.createModel('acme', model({ name: 'No photos', externalId: 'x2' }));
    await assert.rejects(s.updateModel('acme', m2.id, { ...model(), externalId: 'x2' }), { code: 'DUPLICATE_ID' });
    await assert.rejects(s.createModel('acme', model({ externalId: 'x2' })), { code: 'DUPLICATE_ID' });
    assert.equal((await s.createModel('other', model({ externalId: 'x2' }))).externalId, 'x2', 'external ids are per account');
    assert.deepEqual(await s.deleteModel('acme', bare.id), [], 'a model without photos: deleted, no faces');
    assert.equal(await s.deleteModel('other', m2.id), null, "another account's model is not deleted");
    assert.deepEqual(await s.deleteModel('acme', m1.id), [12]);
    assert.equal(await s.deleteModel('acme', m1.id), null);
    assert.equal(await s.getModel('acme', m1.id), null);
    await s.close();
  });

  test(`${name}: reviews by agency, author and type; deleting the agency deletes them`, async (t) => {
    const s = fx.open(setup(t));
    const a = await s.createAgency('acme', { title: 'A', mother: false, genders: ['female'], languages: [], externalId: null });
    const b = await s.createAgency('acme', { title: 'B', mother: false, genders: ['female'], languages: [], externalId: null });
    const date = new Date('2024-05-01T00:00:00Z');
    const r1 = await s.createReview('acme', { agencyId: a.id, author: 'agent', type: 'positive', text: 'Good', date });
    const r2 = await s.createReview('acme', { agencyId: b.id, author: 'model', type: 'negative', text: 'Late pay', date });
    const ids = async (f: Parameters<CatalogueStore['listReviews']>[1]) => (await s.listReviews('acme', f, all)).items.map((x) => x.id);
    assert.deepEqual(await ids({ agencyId: b.id }), [r2.id]);
    assert.deepEqual(await ids({ author: 'agent' }), [r1.id]);
    assert.deepEqual(await ids({ type: 'negative' }), [r2.id]);
    assert.deepEqual((await s.getReview('acme', r1.id))!.date, date);
    assert.equal((await s.updateReview('acme', r1.id, { agencyId: a.id, author: 'agent', type: 'neutral', text: 'Fine', date }))!.type, 'neutral');
    assert.equal(await s.getReview('other', r1.id), null);
    await s.deleteAgency('acme', a.id);
    assert.equal(await s.getReview('acme', r1.id), null);
    assert.equal(await s.deleteReview('acme', r2.id), true);
    assert.equal(await s.deleteReview('acme', r2.id), false);
    await s.close();
  });
}
