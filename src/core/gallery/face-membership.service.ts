/**
 * Faces across the galleries of an account: a face may belong to several galleries (added,
 * removed or set), to none, and always to the account set, so it can be read, changed, listed
 * and deleted by its internal id without naming a gallery. Every membership change commits,
 * then brings each touched gallery's index up to the store, under those galleries' locks.
 */
import { VisageError, badParam } from '../../domain/error.registry.js';
import { validateGalleryName, validateLimit, validateMeta } from '../../domain/gallery.rules.js';
import type { FacePage, Gallery, IndexMark, ListFacesQuery, MetaCount, StoredFace } from '../../ports/face-store.port.js';
import type { GalleryAccess } from './gallery-access.js';

export interface GalleryChange {
  add?: string[];
  remove?: string[];
  /** Exactly these galleries (overrides add and remove). */
  set?: string[];
}

export class FaceMembership {
  constructor(private readonly a: GalleryAccess) {}

  async face(id: number): Promise<StoredFace> {
    const f = Number.isSafeInteger(id) ? await this.a.deps.store.getAccountFace(this.a.account, id) : null;
    if (!f) throw new VisageError('FACE_NOT_FOUND', `Face ${id} does not exist`, { param: 'id' });
    return f;
  }

  /** The names of the galleries each face belongs to, by face id. */
  async galleriesOf(faces: StoredFace[]): Promise<Map<number, string[]>> {
    const byId = await this.a.deps.store.faceGalleryIds(faces.map((f) => f.id));
    const names = new Map((await this.a.deps.store.listGalleries(this.a.account)).map((g) => [g.id, g.name]));
    const out = new Map<number, string[]>();
    for (const [id, gids] of byId) out.set(id, gids.flatMap((g) => (names.has(g) ? [names.get(g)!] : [])).sort());
    return out;
  }

  async changeGalleries(id: number, change: GalleryChange): Promise<StoredFace> {
    const face = await this.face(id);
    const resolve = (names: string[] | undefined, param: string) =>
      Promise.all((names ?? []).map((n) => this.a.gallery(validateGalleryName(n, param), param)));
    const current = await this.currentGalleries(face);
    let add: Gallery[];
    let remove: Gallery[];
    if (change.set !== undefined) {
      const want = await resolve(change.set, 'galleries');
      add = want.filter((g) => !current.some((c) => c.id === g.id));
      remove = current.filter((c) => !want.some((g) => g.id === c.id));
    } else {
      add = await resolve(change.add, 'galleries');
      remove = await resolve(change.remove, 'galleries');
      const both = add.find((g) => remove.some((r) => r.id === g.id));
      if (both) throw badParam('galleries', `gallery ${both.name} is both added and removed`);
    }
    for (const g of add) this.a.assertServerModel(g, 'galleries');
    if (add.length + remove.length === 0) return face;
    await this.a.withLocks([...add, ...remove], async () => {
      const { marks } = await this.a.deps.store.changeFaceGalleries(face.id, { add: add.map((g) => g.id), remove: remove.map((g) => g.id) });
      await this.refresh(marks, [...add, ...remove]);
    });
    return face;
  }

  /** Deletes the face from every gallery and the account set. */
  async delete(id: number): Promise<void> {
    const face = await this.face(id);
    const galleries = [...(await this.currentGalleries(face)), ...(await this.accountSets())];
    await this.a.withLocks(galleries, async () => {
      const r = await this.a.deps.store.deleteFace(face.id);
      if (!r) throw new VisageError('FACE_NOT_FOUND', `Face ${id} does not exist`, { param: 'id' });
      await this.refresh(r.marks, galleries);
    });
  }

  async update(id: number, patch: { meta?: unknown; personId?: number | null }): Promise<StoredFace> {
    await this.face(id);
    const meta = patch.meta === undefined ? undefined : (validateMeta(patch.meta) ?? null);
    const f = await this.a.deps.store.updateFace(id, { ...(meta !== undefined ? { meta } : {}), ...(patch.personId !== undefined ? { personId: patch.personId } : {}) });
    if (!f) throw new VisageError('FACE_NOT_FOUND', `Face ${id} does not exist`, { param: 'id' });
    return f;
  }

  /** Every face of the account (of the server's model), newest first, with the usual filters. */
  async list(query: Omit<ListFacesQuery, 'limit'> & { limit?: unknown }): Promise<FacePage> {
    const set = await this.a.serverAccountSet();
    return this.a.deps.store.listFaces(set.id, { ...query, limit: validateLimit(query.limit, 'limit', 1000, 100) });
  }

  /** Faces grouped by meta, in one gallery or (no name) the whole account. */
  async metaCounts(galleryName?: string): Promise<MetaCount[]> {
    const g = galleryName === undefined ? await this.a.serverAccountSet() : await this.a.gallery(galleryName);
    return this.a.deps.store.metaCounts(g.id);
  }

  private async currentGalleries(face: StoredFace): Promise<Gallery[]> {
    const ids = (await this.a.deps.store.faceGalleryIds([face.id])).get(face.id) ?? [];
    const all = await this.a.deps.store.listGalleries(this.a.account);
    return all.filter((g) => ids.includes(g.id));
  }

  private async accountSets(): Promise<Gallery[]> {
    const models = new Map<string, Gallery>();
    for (const g of await this.a.deps.store.listGalleries(this.a.account)) models.set(g.modelKey, g);
    models.set(this.a.serverModel, { modelKey: this.a.serverModel, dimensions: this.a.deps.faces.embedder.dim, account: this.a.account } as Gallery);
    return Promise.all([...models.values()].map((g) => this.a.accountSetOf(g)));
  }

  /** Each touched index replays the change from the store (the vectors are not at hand here). */
  private async refresh(marks: IndexMark[], galleries: Gallery[]): Promise<void> {
    for (const m of marks) {
      const g = galleries.find((x) => x.id === m.galleryId) ?? (await this.a.deps.store.getGalleryById(m.galleryId));
      if (g) await this.a.deps.indexes.refresh(g);
    }
  }
}
