import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PgGalleryLock } from '../../../../src/adapters/store/postgres/pg-gallery.lock.js';
import { galleryLockContract } from '../../../ports/gallery-lock.contract.js';
import { freshSchema, poolOn, withPostgres } from '../../../helpers/postgres.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

withPostgres('gallery lock', () => {
  galleryLockContract('PostgreSQL advisory lock', async () => new PgGalleryLock(await poolOn(freshSchema())));

  test('two nodes (two pools) never write one gallery at once; other galleries and schemas run on', async () => {
    const schema = freshSchema();
    const nodes = [new PgGalleryLock(await poolOn(schema)), new PgGalleryLock(await poolOn(schema))];
    let inside = 0;
    let most = 0;
    const writer = (lock: PgGalleryLock, gallery: number) =>
      lock.run(gallery, async () => {
        inside++;
        most = Math.max(most, inside);
        await tick(5);
        inside--;
      });
    await Promise.all(Array.from({ length: 20 }, (_, i) => writer(nodes[i % 2]!, 7)));
    assert.equal(most, 1, 'one writer of gallery 7 at a time across both nodes');

    // Held on node A: node B's other gallery, and the same id in another schema, do not wait.
    const otherSchema = new PgGalleryLock(await poolOn(freshSchema()));
    let release!: () => void;
    const held = nodes[0]!.run(9, () => new Promise<void>((r) => (release = r)));
    await tick(20);
    const t0 = Date.now();
    await nodes[1]!.run(10, async () => undefined);
    await otherSchema.run(9, async () => undefined);
    assert.ok(Date.now() - t0 < 1000, 'not held up by gallery 9 of this schema');
    let bGot = false;
    const waiting = nodes[1]!.run(9, async () => void (bGot = true));
    await tick(50);
    assert.equal(bGot, false, 'node B waits for node A');
    release();
    await held;
    await waiting;
    assert.equal(bGot, true);
  });
});
