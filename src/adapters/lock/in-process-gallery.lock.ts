/** The gallery write lock of one process: a mutex per gallery id (one node on its own database). */
import type { GalleryWriteLock } from '../../ports/gallery-lock.port.js';
import { KeyedMutex } from './keyed-mutex.js';

export class InProcessGalleryLock implements GalleryWriteLock {
  private readonly mutex = new KeyedMutex<number>();

  run<T>(galleryId: number, fn: () => Promise<T>): Promise<T> {
    return this.mutex.run(galleryId, fn);
  }
}
