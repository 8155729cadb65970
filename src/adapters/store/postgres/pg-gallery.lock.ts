/**
 * The gallery write lock across nodes: a PostgreSQL session advisory lock per gallery, held on
 * one pooled connection while the writer runs (released if that connection dies, so a killed
 * node never leaves a gallery locked). Writers within this process first queue on an
 * in-process mutex: that keeps the port's arrival order here, and a node never ties up more
 * than one connection per gallery waiting on itself.
 *
 * The key is (hashtext('visage.gallery:' || schema), gallery id): two int4 halves, so ids up
 * to 2^31 map one to one and deployments in different schemas of one database never contend.
 */
import type pg from 'pg';
import type { GalleryWriteLock } from '../../../ports/gallery-lock.port.js';
import { KeyedMutex } from '../../lock/keyed-mutex.js';

const KEY = `hashtext('visage.gallery:' || current_schema()), $1::int4`;

export class PgGalleryLock implements GalleryWriteLock {
  private readonly mutex = new KeyedMutex<number>();

  constructor(private readonly pool: pg.Pool) {}

  run<T>(galleryId: number, fn: () => Promise<T>): Promise<T> {
    if (!Number.isInteger(galleryId) || galleryId < -(2 ** 31) || galleryId >= 2 ** 31) throw new RangeError(`gallery id ${galleryId} is outside int4`);
    return this.mutex.run(galleryId, async () => {
      const c = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await c.query(`SELECT pg_advisory_lock(${KEY})`, [galleryId]);
        try {
          return await fn();
        } finally {
          await c.query(`SELECT pg_advisory_unlock(${KEY})`, [galleryId]).catch((e: Error) => {
            broken = e; // the connection is gone, and the lock with it
          });
        }
      } finally {
        // A connection whose unlock failed is destroyed rather than reused holding the lock.
        c.release(broken);
      }
    });
  }
}
