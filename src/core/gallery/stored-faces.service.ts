/** The faces a gallery holds: read, list, thumbnails, meta, delete (out of the index before the answer). */
import { badParam } from '../../domain/error.registry.js';
import { MAX_BULK_ITEMS, validateLimit, validateMeta } from '../../domain/gallery.rules.js';
import type { AnyFaceRef, FacePage, ListFacesQuery, StoredFace } from '../../ports/face-store.port.js';
import { faceNotFound, type GalleryAccess } from './gallery-access.js';

export class StoredFaces {
  constructor(private readonly a: GalleryAccess) {}

  async get(galleryName: string, ref: AnyFaceRef): Promise<StoredFace> {
    const g = await this.a.gallery(galleryName);
    const f = await this.a.deps.store.getFace(g.id, await this.a.resolveRef(g, ref));
    if (!f) throw faceNotFound(ref);
    return f;
  }

  /** The thumbnail JPEG of a face in a gallery that keeps them; FACE_NOT_FOUND otherwise. */
  async thumbnail(galleryName: string, ref: AnyFaceRef): Promise<Uint8Array> {
    const g = await this.a.gallery(galleryName);
    const jpeg = await this.a.deps.store.getThumbnail(g.id, await this.a.resolveRef(g, ref));
    if (!jpeg) throw faceNotFound(ref, 'has no thumbnail');
    return jpeg;
  }

  async list(galleryName: string, query: Omit<ListFacesQuery, 'limit'> & { limit?: unknown }): Promise<FacePage> {
    const g = await this.a.gallery(galleryName);
    const limit = validateLimit(query.limit, 'limit', 1000, 100);
    return this.a.deps.store.listFaces(g.id, { ...query, limit });
  }

  async updateMeta(galleryName: string, ref: AnyFaceRef, meta: unknown): Promise<StoredFace> {
    const g = await this.a.gallery(galleryName);
    const m = validateMeta(meta) ?? null;
    // Under the gallery lock too, so it is ordered with deletes: no update resurrects a row.
    const f = await this.a.deps.lock.run(g.id, async () => this.a.deps.store.updateFaceMeta(g.id, await this.a.resolveRef(g, ref), m));
    if (!f) throw faceNotFound(ref);
    return f;
  }

  async delete(galleryName: string, ref: AnyFaceRef): Promise<void> {
    const [id] = await this.deleteMany(galleryName, [ref]);
    if (id === null) throw faceNotFound(ref);
  }

  /** Per ref, the internal id deleted or null when there was no such face. */
  async deleteMany(galleryName: string, refs: AnyFaceRef[]): Promise<(number | null)[]> {
    if (refs.length > MAX_BULK_ITEMS) throw badParam('ids', `at most ${MAX_BULK_ITEMS} ids at a time`);
    const g = await this.a.gallery(galleryName);
    const { indexes, store } = this.a.deps;
    const set = await this.a.accountSetOf(g);
    return this.a.withLocks([g, set], async () => {
      const resolved = [];
      for (const [i, r] of refs.entries()) resolved.push(await this.a.resolveRef(g, r, refs.length > 1 ? `ids[${i}]` : 'id'));
      const index = await indexes.get(g);
      const { deleted, marks } = await store.deleteFaces(g.id, resolved);
      const ids = deleted.filter((d): d is number => d !== null);
      for (const m of marks) {
        if (m.galleryId === g.id) await indexes.applyRemoved(g, index, ids, m.seq);
        // Faces deleted outright leave the account set too; its index replays the log.
        else if (m.galleryId === set.id) await indexes.refresh(set);
      }
      return deleted;
    });
  }
}
