// The contract every search-session store passes: files under the data dir
// (test/adapters/store/files/file-search-session.store.test.ts) and PostgreSQL
// (test/adapters/store/postgres/pg-search-session.store.test.ts). `open(dir)` opens the store
// kept at `dir`; opening the same dir again must see the same data.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SearchSession, SearchSessionStore } from '../../src/ports/search-session-store.port.js';

export interface SearchSessionFixture {
  open(dir: string): { sessions: SearchSessionStore; close(): Promise<void> };
}

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0, 123);
/** A session as the service makes one (its id: 12 random bytes, base64url). */
const session = (over: Partial<SearchSession> = {}): SearchSession => ({
  id: randomBytes(12).toString('base64url'),
  account: 'acme',
  createdAt: new Date(T0),
  expiresAt: new Date(T0 + 3_600_000),
  jobId: null,
  index: null,
  demo: false,
  photoIds: ['p1', 'p2'],
  ...over,
});
const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 255);
const same = (a: Uint8Array[], b: Uint8Array[]) => assert.deepEqual(a.map((x) => Buffer.from(x).toString('hex')), b.map((x) => Buffer.from(x).toString('hex')));

export function searchSessionStoreContract(name: string, fx: SearchSessionFixture): void {
  const setup = (t: TestContext) => {
    const dir = mkdtempSync(join(tmpdir(), 'visage-sessions-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };

  test(`${name}: a search with its photos and previews, in order and byte for byte; updated; a reopen keeps it`, async (t) => {
    const dir = setup(t);
    const a = fx.open(dir);
    // One photo of about a megabyte (random, so nothing compresses it) beside small ones.
    const photos = [bytes(10, 1), new Uint8Array(randomBytes(1_000_000)), bytes(0, 3)];
    const previews = [bytes(300, 4), bytes(200, 5), bytes(100, 6)];
    const s = session({ photoIds: ['a', 'b', 'c'] });
    await a.sessions.create(s, photos, previews);
    await a.sessions.create(session({ account: 'other' }), [bytes(5, 9)], [bytes(5, 9)]);
    await a.close();

    const b = fx.open(dir);
    assert.deepEqual(await b.sessions.get(s.id), s);
    same(await b.sessions.photos(s.id), photos);
    same(await b.sessions.previews(s.id), previews);
    assert.equal(await b.sessions.result(s.id), null, 'no result before the search ran');
    const started = { ...s, jobId: 'job-1', index: 'web', demo: true };
    await b.sessions.update(started);
    assert.deepEqual(await b.sessions.get(s.id), started);
    same(await b.sessions.photos(s.id), photos);

    for (const id of [randomBytes(12).toString('base64url'), '../../etc/passwd', '']) {
      assert.equal(await b.sessions.get(id), null, `no search ${JSON.stringify(id)}`);
      assert.deepEqual(await b.sessions.photos(id), []);
      assert.deepEqual(await b.sessions.previews(id), []);
      assert.equal(await b.sessions.result(id), null);
      assert.equal(await b.sessions.delete(id), false);
    }
    await b.close();
  });

  test(`${name}: made again under its id (photos added or one removed), the photos and previews are the new ones`, async (t) => {
    const { sessions, close } = fx.open(setup(t));
    const s = session({ photoIds: ['a'] });
    await sessions.create(s, [bytes(10, 1)], [bytes(10, 2)]);
    const more = { ...s, photoIds: ['a', 'b', 'c'] };
    await sessions.create(more, [bytes(10, 1), bytes(20, 3), bytes(30, 5)], [bytes(10, 2), bytes(20, 4), bytes(30, 6)]);
    assert.deepEqual((await sessions.get(s.id))!.photoIds, ['a', 'b', 'c']);
    same(await sessions.photos(s.id), [bytes(10, 1), bytes(20, 3), bytes(30, 5)]);
    // The service removes a photo by deleting the search and making it again with the others.
    assert.equal(await sessions.delete(s.id), true);
    await sessions.create({ ...s, photoIds: ['a', 'c'] }, [bytes(10, 1), bytes(30, 5)], [bytes(10, 2), bytes(30, 6)]);
    same(await sessions.photos(s.id), [bytes(10, 1), bytes(30, 5)]);
    same(await sessions.previews(s.id), [bytes(10, 2), bytes(30, 6)]);
    await close();
  });

  test(`${name}: the result is kept as JSON and replaced when saved again`, async (t) => {
    const { sessions, close } = fx.open(setup(t));
    const s = session();
    await sessions.create(s, [bytes(10, 1)], [bytes(10, 2)]);
    const result = { items: [{ score: 91.5, url: 'https://example.test/ü?a=1&b="2"', thumbnail: null, face_id: 12 }], maxScore: 91.5, demo: false, nested: { list: [1, 'two', true, null] } };
    await sessions.saveResult(s.id, result);
    assert.deepEqual(await sessions.result(s.id), result);
    await sessions.saveResult(s.id, { items: [] });
    assert.deepEqual(await sessions.result(s.id), { items: [] });
    await close();
  });

  test(`${name}: delete removes every byte of that search only; expired lists those due, at or before now`, async (t) => {
    const dir = setup(t);
    const { sessions, close } = fx.open(dir);
    const due = session({ expiresAt: new Date(T0 + 1000) });
    const exact = session({ expiresAt: new Date(T0 + 2000) });
    const later = session({ expiresAt: new Date(T0 + 2001) });
    for (const s of [due, exact, later]) await sessions.create(s, [bytes(10, 1)], [bytes(10, 2)]);
    await sessions.saveResult(due.id, { items: [] });
    assert.deepEqual((await sessions.expired(new Date(T0 + 2000))).sort(), [due.id, exact.id].sort());
    assert.deepEqual(await sessions.expired(new Date(T0)), []);

    assert.equal(await sessions.delete(due.id), true);
    assert.equal(await sessions.get(due.id), null);
    assert.deepEqual(await sessions.photos(due.id), []);
    assert.deepEqual(await sessions.previews(due.id), []);
    assert.equal(await sessions.result(due.id), null);
    assert.equal(await sessions.delete(due.id), false, 'deleted once');
    assert.deepEqual(await sessions.expired(new Date(T0 + 2000)), [exact.id], 'a deleted search is not listed');
    same(await sessions.photos(later.id), [bytes(10, 1)]);
    // Saving a result after the search was deleted (its job ran on) keeps nothing (it may throw).
    await sessions.saveResult(due.id, { items: [] }).catch(() => undefined);
    assert.equal(await sessions.result(due.id), null);
    await close();
  });
}
