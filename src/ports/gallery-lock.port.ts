/**
 * Serialises the writes to one gallery: commit, index update and answer run under it, so what
 * is acknowledged is searchable, a deleted face is out of the index before the delete returns,
 * and no meta update resurrects a deleted row. One process: a mutex per gallery. Several nodes
 * on one database: a lock the database holds (an advisory lock), so the same code serialises
 * across them.
 */
export interface GalleryWriteLock {
  /** Runs `fn` alone among the writers of `galleryId`, in arrival order. Not re-entrant. */
  run<T>(galleryId: number, fn: () => Promise<T>): Promise<T>;
}
