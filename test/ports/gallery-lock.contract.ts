// The contract every gallery write lock passes: in-process
// (test/adapters/lock/in-process-gallery.lock.test.ts) and the PostgreSQL advisory lock
// (test/adapters/store/postgres/pg-gallery.lock.test.ts, which also races two nodes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GalleryWriteLock } from '../../src/ports/gallery-lock.port.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function galleryLockContract(name: string, make: () => GalleryWriteLock | Promise<GalleryWriteLock>): void {
  test(`${name}: writers of one gallery run one at a time, in arrival order`, async () => {
    const lock = await make();
    const log: string[] = [];
    const writer = (id: string, ms: number) =>
      lock.run(1, async () => {
        log.push(`${id}+`);
        await tick(ms);
        log.push(`${id}-`);
        return id;
      });
    const results = await Promise.all([writer('a', 20), writer('b', 1), writer('c', 5)]);
    assert.deepEqual(results, ['a', 'b', 'c']);
    assert.deepEqual(log, ['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
  });

  test(`${name}: other galleries are not held up`, async () => {
    const lock = await make();
    let otherRan = false;
    const slow = lock.run(1, async () => {
      await tick(30);
      return otherRan;
    });
    await lock.run(2, async () => {
      otherRan = true;
    });
    assert.equal(await slow, true, 'gallery 2 ran while gallery 1 was held');
  });

  test(`${name}: a failed writer passes the lock on and keeps its own error`, async () => {
    const lock = await make();
    await assert.rejects(lock.run(3, async () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await lock.run(3, async () => 'next'), 'next');
  });
}
