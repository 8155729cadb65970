/**
 * The gallery use cases for one account, as one entry for the surfaces: administration
 * (gallery/gallery-admin.service.ts), enrolment (enrolment.service.ts), stored faces
 * (stored-faces.service.ts) and identification (identification.service.ts), over shared access
 * (gallery-access.ts). `scoped` gives the same service for another account (same store, index
 * registry and locks).
 */
import { DEFAULT_ACCOUNT, type AnyFaceRef, type FacePage, type Gallery, type ListFacesQuery, type MetaCount, type StoredFace } from '../ports/face-store.port.js';
import { Enrolment, type BulkItem, type BulkItemResult, type BulkOptions, type EnrolOptions } from './gallery/enrolment.service.js';
import { GalleryAccess, type GalleryServiceDeps, type ProbeInput } from './gallery/gallery-access.js';
import { GalleryAdmin } from './gallery/gallery-admin.service.js';
import { FaceMembership, type GalleryChange } from './gallery/face-membership.service.js';
import { Identification, type IdentifyOptions, type IdentifyResult } from './gallery/identification.service.js';
import { StoredFaces } from './gallery/stored-faces.service.js';

export type { BulkItem, BulkItemResult, BulkOptions, EnrolOptions } from './gallery/enrolment.service.js';
export type { FacePick, GalleryServiceDeps, ProbeInput, Templater } from './gallery/gallery-access.js';
export type { GalleryChange } from './gallery/face-membership.service.js';
export type { IdentifyMatch, IdentifyOptions, IdentifyResult } from './gallery/identification.service.js';

export class GalleryService {
  private readonly admin: GalleryAdmin;
  private readonly enrolment: Enrolment;
  private readonly stored: StoredFaces;
  private readonly identification: Identification;
  private readonly membership: FaceMembership;

  constructor(
    private readonly deps: GalleryServiceDeps,
    readonly account: string = DEFAULT_ACCOUNT,
  ) {
    const access = new GalleryAccess(deps, account);
    this.admin = new GalleryAdmin(access);
    this.enrolment = new Enrolment(access);
    this.stored = new StoredFaces(access);
    this.identification = new Identification(access);
    this.membership = new FaceMembership(access);
  }

  scoped(account: string): GalleryService {
    return new GalleryService(this.deps, account);
  }

  createGallery = (input: { name: unknown; description?: unknown; thumbnails?: boolean }): Promise<Gallery> => this.admin.create(input);
  listGalleries = (): Promise<Gallery[]> => this.admin.list();
  getGallery = (name: string, param?: string): Promise<Gallery> => this.admin.get(name, param);
  updateGallery = (name: string, patch: { name?: unknown; description?: unknown; thumbnails?: boolean }): Promise<Gallery> => this.admin.update(name, patch);
  deleteGallery = (name: string): Promise<void> => this.admin.delete(name);

  enrol = (gallery: string, input: ProbeInput, opts?: EnrolOptions): Promise<StoredFace[]> => this.enrolment.enrol(gallery, input, opts);
  enrolBulk = (gallery: string, items: BulkItem[], opts?: BulkOptions): Promise<BulkItemResult[]> => this.enrolment.enrolBulk(gallery, items, opts);

  getFace = (gallery: string, ref: AnyFaceRef): Promise<StoredFace> => this.stored.get(gallery, ref);
  faceThumbnail = (gallery: string, ref: AnyFaceRef): Promise<Uint8Array> => this.stored.thumbnail(gallery, ref);
  listFaces = (gallery: string, query: Omit<ListFacesQuery, 'limit'> & { limit?: unknown }): Promise<FacePage> => this.stored.list(gallery, query);
  updateFaceMeta = (gallery: string, ref: AnyFaceRef, meta: unknown): Promise<StoredFace> => this.stored.updateMeta(gallery, ref, meta);
  deleteFace = (gallery: string, ref: AnyFaceRef): Promise<void> => this.stored.delete(gallery, ref);
  deleteFaces = (gallery: string, refs: AnyFaceRef[]): Promise<(number | null)[]> => this.stored.deleteMany(gallery, refs);

  /** Get-or-create: for surfaces whose every account has a gallery of that name. */
  ensureGallery = (name: string): Promise<Gallery> => this.admin.ensure(name);

  // A face across the account's galleries, by internal id (it may be in several, or none).
  faceById = (id: number): Promise<StoredFace> => this.membership.face(id);
  galleriesOf = (faces: StoredFace[]): Promise<Map<number, string[]>> => this.membership.galleriesOf(faces);
  changeFaceGalleries = (id: number, change: GalleryChange): Promise<StoredFace> => this.membership.changeGalleries(id, change);
  updateFaceById = (id: number, patch: { meta?: unknown; personId?: number | null }): Promise<StoredFace> => this.membership.update(id, patch);
  deleteFaceById = (id: number): Promise<void> => this.membership.delete(id);
  listAccountFaces = (query: Omit<ListFacesQuery, 'limit'> & { limit?: unknown }): Promise<FacePage> => this.membership.list(query);
  metaCounts = (gallery?: string): Promise<MetaCount[]> => this.membership.metaCounts(gallery);
  /** Every face of the account: one search of the account-wide index. */
  identifyAccount = (probe: ProbeInput, opts?: IdentifyOptions): Promise<IdentifyResult> => this.identification.identifyAccount(probe, opts);

  identify = (galleries: string[], probe: ProbeInput, opts?: IdentifyOptions): Promise<IdentifyResult> => this.identification.identify(galleries, probe, opts);
}
