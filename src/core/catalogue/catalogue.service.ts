/**
 * The model-agency catalogue of one account: agencies, models and reviews over the catalogue
 * store; each model photo's face enrolled in the account's catalogue gallery (the gallery use
 * cases, so the same vector index and locks as any gallery); photo scoring; and look-alike
 * search (one photo → the models whose photos' faces are most similar).
 *
 * A photo is committed to the gallery first, then recorded: a crash between the two leaves an
 * enrolled face no photo names, which look-alike search skips. Adding a photo a model already
 * has (same bytes) returns the photo recorded before, so an interrupted import can run again.
 */
import { createHash } from 'node:crypto';
import type { Agency, AgencyFilter, CatalogueModel, CataloguePhoto, ModelFilter, Page, PageQuery, Review, ReviewFilter } from '../../domain/catalogue.model.js';
import { agencyInput, modelInput, reviewInput } from '../../domain/catalogue.rules.js';
import { VisageError, badParam } from '../../domain/error.registry.js';
import { DEFAULT_SEARCH_LIMIT, validateLimit } from '../../domain/gallery.rules.js';
import type { CatalogueStore } from '../../ports/catalogue-store.port.js';
import { DEFAULT_ACCOUNT } from '../../ports/face-store.port.js';
import type { FaceService, ImageInput } from '../face.service.js';
import type { GalleryService } from '../gallery.service.js';
import { PhotoScoring, type ScoredPhotoResult } from './photo-scoring.service.js';

/** The gallery (per account) that holds the catalogue photos' faces. */
export const CATALOGUE_GALLERY = 'catalogue';

export interface CatalogueDeps {
  store: CatalogueStore;
  galleries: GalleryService;
  faces: FaceService;
}

export interface LookAlike {
  model: CatalogueModel;
  /** The best similarity of any of its photos. */
  similarity: number;
  /** Its photos that matched, best first. */
  photos: { photo: CataloguePhoto; similarity: number }[];
}

export interface LookAlikeResult {
  /** Faces found in the probe photo (the largest is searched). */
  faces: number;
  matches: LookAlike[];
}

type Raw = Record<string, unknown>;
const notFound = (what: string, id: number, param = 'id') => new VisageError('NOT_FOUND', `${what} ${id} does not exist`, { param });

export class CatalogueService {
  private readonly scoring: PhotoScoring;

  constructor(
    private readonly deps: CatalogueDeps,
    readonly account: string = DEFAULT_ACCOUNT,
  ) {
    this.scoring = new PhotoScoring(deps.faces);
  }

  scoped(account: string): CatalogueService {
    return new CatalogueService({ ...this.deps, galleries: this.deps.galleries.scoped(account) }, account);
  }

  private get store(): CatalogueStore {
    return this.deps.store;
  }

  // Agencies
  createAgency = async (b: Raw): Promise<Agency> => this.store.createAgency(this.account, agencyInput(b));
  getAgency = async (id: number): Promise<Agency> => (await this.store.getAgency(this.account, id)) ?? Promise.reject(notFound('Agency', id));
  async updateAgency(id: number, b: Raw): Promise<Agency> {
    const base = await this.getAgency(id);
    return (await this.store.updateAgency(this.account, id, agencyInput(b, base))) ?? Promise.reject(notFound('Agency', id));
  }
  async deleteAgency(id: number): Promise<void> {
    if (!(await this.store.deleteAgency(this.account, id))) throw notFound('Agency', id);
  }
  listAgencies = (f: AgencyFilter, p: PageQuery): Promise<Page<Agency>> => this.store.listAgencies(this.account, f, p);

  // Models
  async createModel(b: Raw): Promise<CatalogueModel> {
    const m = modelInput(b);
    await this.assertAgency(m.agencyId);
    return this.store.createModel(this.account, m);
  }
  getModel = async (id: number): Promise<CatalogueModel> => (await this.store.getModel(this.account, id)) ?? Promise.reject(notFound('Model', id));
  async updateModel(id: number, b: Raw): Promise<CatalogueModel> {
    const m = modelInput(b, await this.getModel(id));
    await this.assertAgency(m.agencyId);
    return (await this.store.updateModel(this.account, id, m)) ?? Promise.reject(notFound('Model', id));
  }
  async deleteModel(id: number): Promise<void> {
    const faces = await this.store.deleteModel(this.account, id);
    if (!faces) throw notFound('Model', id);
    for (const face of faces) await this.dropFace(face);
  }
  listModels = (f: ModelFilter, p: PageQuery): Promise<Page<CatalogueModel>> => this.store.listModels(this.account, f, p);

  /** Enrols the photo's largest face and records it; the same bytes again return the photo recorded before. */
  async addPhoto(modelId: number, image: ImageInput, label?: string | null): Promise<{ photo: CataloguePhoto; created: boolean }> {
    await this.getModel(modelId);
    const bytes = await this.deps.faces.bytesOf(image);
    const photoHash = createHash('sha256').update(bytes).digest('hex');
    const before = await this.store.findPhoto(this.account, modelId, photoHash);
    if (before) return { photo: before, created: false };
    await this.deps.galleries.ensureGallery(CATALOGUE_GALLERY);
    const [face] = await this.deps.galleries.enrol(CATALOGUE_GALLERY, { image: { bytes } }, { meta: { catalogue_model: modelId } });
    const photo = await this.store.addPhoto(this.account, modelId, { faceId: face!.id, photoHash, label: label ?? null });
    return { photo, created: true };
  }

  async deletePhoto(modelId: number, photoId: number): Promise<void> {
    const face = await this.store.deletePhoto(this.account, modelId, photoId);
    if (face === null) throw notFound('Photo', photoId, 'photo_id');
    await this.dropFace(face);
  }

  // Reviews
  async createReview(b: Raw): Promise<Review> {
    const r = reviewInput(b);
    await this.assertAgency(r.agencyId);
    return this.store.createReview(this.account, r);
  }
  getReview = async (id: number): Promise<Review> => (await this.store.getReview(this.account, id)) ?? Promise.reject(notFound('Review', id));
  async updateReview(id: number, b: Raw): Promise<Review> {
    const r = reviewInput(b, await this.getReview(id));
    await this.assertAgency(r.agencyId);
    return (await this.store.updateReview(this.account, id, r)) ?? Promise.reject(notFound('Review', id));
  }
  async deleteReview(id: number): Promise<void> {
    if (!(await this.store.deleteReview(this.account, id))) throw notFound('Review', id);
  }
  listReviews = (f: ReviewFilter, p: PageQuery): Promise<Page<Review>> => this.store.listReviews(this.account, f, p);

  // Photos
  scorePhotos = (images: ImageInput[]): Promise<ScoredPhotoResult[]> => this.scoring.score(images);

  /** The models most similar to the largest face of the photo, best first (at most `limit`). */
  async lookAlikes(image: ImageInput, limit: unknown = DEFAULT_SEARCH_LIMIT): Promise<LookAlikeResult> {
    const n = validateLimit(limit);
    await this.deps.galleries.ensureGallery(CATALOGUE_GALLERY);
    let r;
    try {
      // Several photos per model: ask for more faces than models wanted.
      r = await this.deps.galleries.identify([CATALOGUE_GALLERY], { image }, { limit: Math.min(1000, n * 5), threshold: 'none', faces: 'all' });
    } catch (e) {
      if (e instanceof VisageError && e.code === 'NO_FACE') return { faces: 0, matches: [] };
      throw e;
    }
    const probe = r.probes.reduce((best, p) => (!best || width(p.box) > width(best.box) ? p : best), r.probes[0]);
    const hits = probe?.matches ?? [];
    const photos = new Map((await this.store.photosByFaceIds(this.account, hits.map((h) => h.face.id))).map((p) => [p.faceId, p]));
    const byModel = new Map<number, { similarity: number; photos: { photo: CataloguePhoto; similarity: number }[] }>();
    for (const h of hits) {
      const photo = photos.get(h.face.id);
      if (!photo) continue; // enrolled, never recorded (see above)
      const m = byModel.get(photo.modelId) ?? { similarity: h.similarity, photos: [] };
      m.photos.push({ photo, similarity: h.similarity });
      m.similarity = Math.max(m.similarity, h.similarity);
      byModel.set(photo.modelId, m);
    }
    const ranked = [...byModel.entries()].sort((a, b) => b[1].similarity - a[1].similarity || a[0] - b[0]).slice(0, n);
    const matches: LookAlike[] = [];
    for (const [id, m] of ranked) {
      const model = await this.store.getModel(this.account, id);
      if (model) matches.push({ model, ...m });
    }
    return { faces: r.probes.length, matches };
  }

  private async assertAgency(id: number | null): Promise<void> {
    if (id !== null && !(await this.store.getAgency(this.account, id))) throw badParam('agency_id', `Agency ${id} does not exist`);
  }

  private async dropFace(faceId: number): Promise<void> {
    try {
      await this.deps.galleries.deleteFace(CATALOGUE_GALLERY, { id: faceId });
    } catch (e) {
      if (!(e instanceof VisageError && (e.code === 'FACE_NOT_FOUND' || e.code === 'GALLERY_NOT_FOUND'))) throw e;
    }
  }

}

const width = (b: { x1: number; x2: number } | null): number => (b ? b.x2 - b.x1 : 0);
