/**
 * Keeps one open vector index per gallery, consistent with the face store. The store is the
 * system of record: on first use an index is loaded and checked against the store's face count
 * and high-water mark, caught up through the change feed when it is only behind, and rebuilt
 * when it is missing, corrupt or inconsistent. Changes reach the index right after each commit
 * (the caller holds the gallery's write lock); before a search, an index behind its gallery's
 * mark (another process or node wrote) is caught up first. Saving is debounced, since a crash
 * before a save is repaired by the same check at the next start.
 */
import type { ChangeFeed } from '../ports/change-feed.port.js';
import type { FaceStore, Gallery, VectorRow } from '../ports/face-store.port.js';
import type { ProgressLog, VectorIndex, VectorIndexProvider } from '../ports/vector-index.port.js';

export interface FaceIndexRegistryOptions {
  /** Wait this long after the last change before saving a gallery's index. */
  saveDelayMs?: number;
  /** Log rebuild progress every this many vectors. */
  progressEvery?: number;
}

const indexKey = (galleryId: number) => `g${galleryId}`;

export class FaceIndexRegistry {
  private readonly indexes = new Map<number, Promise<VectorIndex>>();
  private readonly timers = new Map<number, NodeJS.Timeout>();
  /** One catch-up at a time per gallery; concurrent searches wait for the same one. */
  private readonly catching = new Map<number, Promise<void>>();
  private readonly saveDelayMs: number;
  private readonly progressEvery: number;

  constructor(
    private readonly store: FaceStore,
    private readonly feed: ChangeFeed,
    private readonly provider: VectorIndexProvider,
    private readonly log: ProgressLog,
    opts: FaceIndexRegistryOptions = {},
  ) {
    this.saveDelayMs = opts.saveDelayMs ?? 2000;
    this.progressEvery = opts.progressEvery ?? 50_000;
  }

  /**
   * The gallery's index, opened and checked on first use. Writers await this before they commit,
   * so no commit can slip between the check and the index it is applied to.
   */
  get(gallery: Gallery): Promise<VectorIndex> {
    let p = this.indexes.get(gallery.id);
    if (!p) {
      p = this.openChecked(gallery);
      this.indexes.set(gallery.id, p);
      p.catch(() => this.indexes.delete(gallery.id));
    }
    return p;
  }

  /**
   * The index for a search: when the gallery (as just read from the store) is past the index's
   * mark, someone else committed, and the index catches up before it answers.
   */
  async current(gallery: Gallery): Promise<VectorIndex> {
    const index = await this.get(gallery);
    if (index.highWaterMark >= gallery.seq) return index;
    let c = this.catching.get(gallery.id);
    if (!c) {
      c = this.catchUpOrForget(gallery, index).finally(() => this.catching.delete(gallery.id));
      this.catching.set(gallery.id, c);
    }
    await c;
    return this.get(gallery);
  }

  /** Opens the index of every gallery of every account (at start-up) and deletes files of galleries that are gone. */
  async warmUp(galleries: Gallery[]): Promise<void> {
    // Live is what the store holds (account sets included), not only the galleries opened here.
    const live = new Set([...galleries, ...(await this.store.listAllGalleries())].map((g) => indexKey(g.id)));
    for (const key of await this.provider.keys()) {
      if (!live.has(key)) {
        this.log.info({ index: key }, 'deleting the index of a gallery that no longer exists');
        await this.provider.destroy(key);
      }
    }
    for (const g of galleries) await this.get(g);
  }

  /** Applies committed additions; call under the gallery's write lock. */
  async applyAdded(gallery: Gallery, index: VectorIndex, rows: VectorRow[], seq: number): Promise<void> {
    await this.apply(gallery, index, seq, async () => {
      for (const r of rows) await index.add(r.id, r.vector);
    });
  }

  /** Applies committed deletions; call under the gallery's write lock, before acknowledging. */
  async applyRemoved(gallery: Gallery, index: VectorIndex, ids: number[], seq: number): Promise<void> {
    await this.apply(gallery, index, seq, async () => {
      for (const id of ids) await index.remove(id);
    });
  }

  private async apply(gallery: Gallery, index: VectorIndex, seq: number, change: () => Promise<void>): Promise<void> {
    try {
      // Each commit moves the mark by one: a gap means another writer committed in between,
      // and the feed replays both its changes and ours.
      if (index.highWaterMark === seq - 1) {
        await change();
        index.highWaterMark = seq;
      } else if (!(await this.catchUp(gallery.id, index))) {
        throw new Error('the change feed no longer reaches the index');
      }
      this.scheduleSave(gallery.id, index);
    } catch (e) {
      // The commit stands; the index is now suspect, so the next use reloads and repairs it.
      this.log.warn({ galleryId: gallery.id, err: (e as Error).message }, 'index update failed; it will be repaired on next use');
      this.forget(gallery.id);
    }
  }

  /**
   * Brings the index up to the store through the change feed after a commit whose vectors the
   * caller does not hold (membership changes, deletions across galleries); call under the
   * gallery's write lock. An index that cannot catch up is dropped and rebuilt on next use.
   */
  async refresh(gallery: Gallery): Promise<void> {
    const index = await this.get(gallery);
    try {
      if (await this.catchUp(gallery.id, index)) {
        this.scheduleSave(gallery.id, index);
        return;
      }
      this.log.warn({ galleryId: gallery.id }, 'index disagrees with the store after a change; rebuilding on next use');
    } catch (e) {
      this.log.warn({ galleryId: gallery.id, err: (e as Error).message }, 'index refresh failed; it will be repaired on next use');
    }
    this.forget(gallery.id);
    index.close();
  }

  /** Closes a deleted gallery's index and deletes its files. */
  async drop(galleryId: number): Promise<void> {
    const p = this.indexes.get(galleryId);
    this.forget(galleryId);
    if (p) (await p.catch(() => null))?.close();
    await this.provider.destroy(indexKey(galleryId));
  }

  /** Saves every index with unsaved changes now. */
  async flush(): Promise<void> {
    for (const [galleryId, p] of this.indexes) {
      const t = this.timers.get(galleryId);
      if (t) clearTimeout(t);
      this.timers.delete(galleryId);
      const index = await p.catch(() => null);
      if (index?.dirty) await this.save(galleryId, index);
    }
  }

  async close(): Promise<void> {
    await this.flush();
    for (const p of this.indexes.values()) (await p.catch(() => null))?.close();
    this.indexes.clear();
  }

  private forget(galleryId: number): void {
    const t = this.timers.get(galleryId);
    if (t) clearTimeout(t);
    this.timers.delete(galleryId);
    this.indexes.delete(galleryId);
  }

  private scheduleSave(galleryId: number, index: VectorIndex): void {
    const old = this.timers.get(galleryId);
    if (old) clearTimeout(old);
    const t = setTimeout(() => {
      this.timers.delete(galleryId);
      // Only the index still registered is saved: a dropped gallery's must not come back.
      if (this.indexes.has(galleryId)) {
        this.save(galleryId, index).catch((e) => this.log.warn({ galleryId, err: (e as Error).message }, 'index save failed'));
      }
    }, this.saveDelayMs);
    t.unref();
    this.timers.set(galleryId, t);
  }

  private async save(galleryId: number, index: VectorIndex): Promise<void> {
    const mark = index.highWaterMark;
    await index.save();
    // Deletions at or below the saved mark are in the file; their log is no longer needed.
    await this.store.pruneRemovedLog(galleryId, mark);
  }

  /** A search found the index behind: catch it up, or drop it so the next use rebuilds it. */
  private async catchUpOrForget(g: Gallery, index: VectorIndex): Promise<void> {
    const from = index.highWaterMark;
    if (await this.catchUp(g.id, index)) {
      this.log.info({ gallery: g.name, galleryId: g.id, from, to: index.highWaterMark }, 'index caught up with changes made elsewhere');
      this.scheduleSave(g.id, index);
      return;
    }
    this.log.warn({ gallery: g.name, galleryId: g.id }, 'index too far behind the store; rebuilding');
    this.forget(g.id);
    index.close();
  }

  private async openChecked(g: Gallery): Promise<VectorIndex> {
    const state = await this.store.vectorState(g.id);
    const { index, status, reason } = await this.provider.open(indexKey(g.id), g.dimensions, state.count);
    const ctx = { gallery: g.name, galleryId: g.id, faces: state.count, seq: state.seq };
    if (status === 'loaded') {
      if (index.highWaterMark === state.seq && index.size === state.count) return index;
      const from = index.highWaterMark;
      if (from < state.seq && (await this.catchUp(g.id, index))) {
        this.log.info({ ...ctx, from }, 'index caught up with the store');
        await this.save(g.id, index);
        return index;
      }
      this.log.warn({ ...ctx, indexSize: index.size, indexSeq: index.highWaterMark }, 'index disagrees with the store; rebuilding');
    } else if (status !== 'missing' || state.count > 0) {
      this.log.warn({ ...ctx, status, reason }, 'index not usable; rebuilding from the store');
    }
    await this.rebuild(g, index, state, ctx);
    return index;
  }

  /** Replays what changed after the index's mark; false when that is not possible or not enough. */
  private async catchUp(galleryId: number, index: VectorIndex): Promise<boolean> {
    const changes = await this.feed.changesSince(galleryId, index.highWaterMark);
    if (!changes) return false;
    for (const id of changes.removed) await index.remove(id);
    for await (const rows of changes.added) for (const r of rows) await index.add(r.id, r.vector);
    // A writer may have committed while we read; the mark only moves forward.
    index.highWaterMark = Math.max(index.highWaterMark, changes.seq);
    return index.size === changes.count;
  }

  private async rebuild(g: Gallery, index: VectorIndex, state: { count: number; seq: number }, ctx: Record<string, unknown>): Promise<void> {
    const started = Date.now();
    await index.clear();
    let done = 0;
    let nextReport = this.progressEvery;
    for await (const rows of this.store.iterateVectors(g.id)) {
      for (const r of rows) await index.add(r.id, r.vector);
      done += rows.length;
      if (done >= nextReport) {
        this.log.info({ ...ctx, done, total: state.count }, 'rebuilding index');
        nextReport += this.progressEvery;
      }
    }
    index.highWaterMark = state.seq;
    await this.save(g.id, index);
    if (state.count > 0) this.log.info({ ...ctx, ms: Date.now() - started, mode: index.mode }, 'index rebuilt');
  }
}
