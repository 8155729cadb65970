/**
 * What every gallery use case shares: its dependencies, the caller's account, finding a
 * gallery by name, the server's model, and the errors. The use cases are separate classes
 * (administration, enrolment, stored faces, identification) over one of these.
 */
import { VisageError } from '../../domain/error.registry.js';
import type { Box } from '../../domain/face.model.js';
import { normalizeClientId } from '../../domain/gallery.rules.js';
import { modelKey } from '../../domain/model.info.js';
import type { AnyFaceRef, FaceRef, FaceStore, Gallery } from '../../ports/face-store.port.js';
import type { GalleryWriteLock } from '../../ports/gallery-lock.port.js';
import type { FaceThumbnailer } from '../../ports/image.port.js';
import type { FaceService } from '../face.service.js';
import type { FaceIndexRegistry } from '../face-index.registry.js';

/** What the gallery use cases need from the face service: inputs as bytes, templates, the model. */
export type Templater = Pick<FaceService, 'bytesOf' | 'templates' | 'templatesOfPhoto' | 'embedder'>;

export type FacePick = 'largest' | 'all';
export type ProbeInput = { image: import('../face.service.js').ImageInput } | { template: string };

export interface GalleryServiceDeps {
  store: FaceStore;
  indexes: FaceIndexRegistry;
  /** Serialises each gallery's writes (commit, index, answer). */
  lock: GalleryWriteLock;
  faces: Templater;
  /** Makes thumbnails for galleries that keep them; without it none are kept. */
  thumbnailer?: FaceThumbnailer;
}

export class GalleryAccess {
  constructor(
    readonly deps: GalleryServiceDeps,
    readonly account: string,
  ) {}

  get serverModel(): string {
    return modelKey(this.deps.faces.embedder);
  }

  async gallery(name: string, param = 'gallery'): Promise<Gallery> {
    const g = await this.deps.store.getGallery(this.account, name);
    if (!g) throw new VisageError('GALLERY_NOT_FOUND', `Gallery ${name} does not exist`, { param, gallery: name });
    return g;
  }

  /** The account set (every face of the account, one index) of a gallery's account and model. */
  accountSetOf(g: Gallery): Promise<Gallery> {
    return this.deps.store.accountSet(g.account, g.modelKey, g.dimensions);
  }

  /** The account set of the server's model: what a search over the whole account uses. */
  serverAccountSet(): Promise<Gallery> {
    return this.deps.store.accountSet(this.account, this.serverModel, this.deps.faces.embedder.dim);
  }

  /**
   * Runs `fn` under the write locks of several galleries, taken in id order (every writer that
   * holds more than one takes them so: no deadlock).
   */
  withLocks<T>(galleries: Gallery[], fn: () => Promise<T>): Promise<T> {
    const ids = [...new Set(galleries.map((g) => g.id))].sort((x, y) => x - y);
    const run = (i: number): Promise<T> => (i === ids.length ? fn() : this.deps.lock.run(ids[i]!, () => run(i + 1)));
    return run(0);
  }

  /** Similarities and new templates only make sense with the model the gallery was made for. */
  assertServerModel(g: Gallery, param: string): void {
    if (g.modelKey !== this.serverModel) {
      throw new VisageError('TEMPLATE_MODEL_MISMATCH', `Gallery ${g.name} holds templates of ${g.modelKey}; this server uses ${this.serverModel}`, {
        param,
        galleryModel: g.modelKey,
        serverModel: this.serverModel,
      });
    }
  }

  /**
   * A definite face reference. An id that may be either kind is looked up both ways; when the
   * internal id and the client id name two different faces, the request is refused rather
   * than one picked silently.
   */
  async resolveRef(g: Gallery, ref: AnyFaceRef, param = 'id'): Promise<FaceRef> {
    if (!('idOrClientId' in ref)) return ref;
    const text = ref.idOrClientId;
    const byClient = await this.deps.store.getFace(g.id, { clientId: normalizeClientId(text, param)! });
    const byId = /^[0-9]{1,15}$/.test(text) ? await this.deps.store.getFace(g.id, { id: Number(text) }) : null;
    if (byId && byClient && byId.id !== byClient.id) {
      throw new VisageError(
        'AMBIGUOUS_ID',
        `Id ${text} names face ${byId.id} by its internal id and face ${byClient.id} by its client id "${text}"; add id_type=internal or id_type=client`,
        { param, internalId: byId.id, clientIdFaceId: byClient.id },
      );
    }
    const face = byId ?? byClient;
    return face ? { id: face.id } : { clientId: text };
  }
}

export const duplicate = (clientId: string) => new VisageError('DUPLICATE_ID', `A face with id ${clientId} already exists in the gallery`, { param: 'id' });

export function faceNotFound(ref: AnyFaceRef, why = 'does not exist in this gallery'): VisageError {
  const id = 'id' in ref ? String(ref.id) : 'clientId' in ref ? ref.clientId : ref.idOrClientId;
  return new VisageError('FACE_NOT_FOUND', `Face ${id} ${why}`, { param: 'id' });
}

export type ProbeFace = { vector: Float32Array; box: Box | null };
