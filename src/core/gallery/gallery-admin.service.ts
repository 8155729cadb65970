/** Galleries of an account: create, list, read, rename or change, delete (with its index). */
import { validateDescription, validateGalleryName } from '../../domain/gallery.rules.js';
import { modelKey } from '../../domain/model.info.js';
import type { Gallery } from '../../ports/face-store.port.js';
import type { GalleryAccess } from './gallery-access.js';

export class GalleryAdmin {
  constructor(private readonly a: GalleryAccess) {}

  async create(input: { name: unknown; description?: unknown; thumbnails?: boolean }): Promise<Gallery> {
    const e = this.a.deps.faces.embedder;
    return this.a.deps.store.createGallery({
      account: this.a.account,
      name: validateGalleryName(input.name),
      description: validateDescription(input.description),
      modelKey: modelKey(e),
      dimensions: e.dim,
      thumbnails: input.thumbnails ?? false,
    });
  }

  /** The gallery, created (with the defaults) when the account has none of that name. */
  async ensure(name: string): Promise<Gallery> {
    const found = await this.a.deps.store.getGallery(this.a.account, name);
    if (found) return found;
    try {
      return await this.create({ name });
    } catch (e) {
      // Another request created it meanwhile.
      const again = await this.a.deps.store.getGallery(this.a.account, name);
      if (again) return again;
      throw e;
    }
  }

  list(): Promise<Gallery[]> {
    return this.a.deps.store.listGalleries(this.a.account);
  }

  get(name: string, param = 'gallery'): Promise<Gallery> {
    return this.a.gallery(name, param);
  }

  async update(name: string, patch: { name?: unknown; description?: unknown; thumbnails?: boolean }): Promise<Gallery> {
    const g = await this.a.gallery(name);
    return this.a.deps.store.updateGallery(g.id, {
      name: patch.name === undefined ? undefined : validateGalleryName(patch.name),
      description: patch.description === undefined ? undefined : validateDescription(patch.description),
      thumbnails: patch.thumbnails,
    });
  }

  /** Deletes the gallery, its faces and its index files. */
  async delete(name: string): Promise<void> {
    const g = await this.a.gallery(name);
    const set = await this.a.accountSetOf(g);
    // Faces in no other gallery leave the account set too: its index replays the log.
    await this.a.withLocks([g, set], async () => {
      await this.a.deps.store.deleteGallery(g.id);
      await this.a.deps.indexes.drop(g.id);
      // An account left with no faces keeps no index files (they come back with its next face).
      if ((await this.a.deps.store.vectorState(set.id)).count === 0) await this.a.deps.indexes.drop(set.id);
      else await this.a.deps.indexes.refresh(set);
    });
  }
}
