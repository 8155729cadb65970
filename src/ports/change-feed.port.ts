/**
 * What changed in a gallery's set of vectors since a high-water mark. Every commit that adds
 * or removes vectors bumps the gallery's `seq` by one in the same transaction, so an index
 * that holds the vectors up to mark M catches up with `changesSince(M)`, whoever made the
 * changes (this process, another process on the same file, another node on the same database).
 */
import type { VectorRow } from './face-store.port.js';

export interface GalleryChanges {
  /** The gallery's mark these changes bring an index to. */
  seq: number;
  /** The face count at that mark, to check the result. */
  count: number;
  /** Faces removed after the mark (remove these first). */
  removed: number[];
  /** Vectors added after the mark, in batches. */
  added: AsyncIterable<VectorRow[]>;
}

export interface ChangeFeed {
  /** Null when the deletion log no longer reaches back to `afterSeq`: rebuild from the store. */
  changesSince(galleryId: number, afterSeq: number): Promise<GalleryChanges | null>;
  /**
   * Calls `listener` when a gallery's mark moves, where the store can push that (a database
   * with notifications); returns the unsubscribe. Readers do not depend on it: they compare
   * the gallery's mark with their index's before each search.
   */
  subscribe(listener: (galleryId: number, seq: number) => void): () => void;
}
