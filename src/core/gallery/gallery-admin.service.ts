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
    await this.a.deps.lock.run(g.id, async () => {
      await this.a.deps.store.deleteGallery(g.id);
      await this.a.deps.indexes.drop(g.id);
    });
  }
}
