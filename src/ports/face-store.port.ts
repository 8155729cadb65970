/**
 * The durable store of galleries and enrolled faces: the system of record. Vector indexes are
 * caches rebuilt from it, so every change to a gallery's set of vectors bumps its `seq` (a
 * monotonically increasing high-water mark) in the same transaction, and deletions are logged
 * by seq until the index has saved past them.
 */
import type { Box, Point } from '../domain/face.model.js';
import type { JsonValue } from '../domain/gallery.rules.js';

/** Until accounts exist every gallery belongs to this one; the column is there so they can scope data. */
export const DEFAULT_ACCOUNT = 'default';

export interface Gallery {
  id: number;
  account: string;
  name: string;
  description: string;
  /** `<model id>@<version>`, fixed at creation: templates of another model never enter. */
  modelKey: string;
  dimensions: number;
  /** Whether face thumbnails may be kept (off by default: templates only). */
  thumbnails: boolean;
  faceCount: number;
  /** High-water mark of changes to the gallery's vectors. */
  seq: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewGallery {
  account: string;
  name: string;
  description: string;
  modelKey: string;
  dimensions: number;
  thumbnails: boolean;
}

export interface GalleryPatch {
  name?: string;
  description?: string;
  /** false also deletes every thumbnail the gallery kept. */
  thumbnails?: boolean;
}

export interface StoredFace {
  /** Internal id, unique across all galleries, never reused. */
  id: number;
  galleryId: number;
  /** The client's own id, unique within the gallery, or null. */
  clientId: string | null;
  meta: JsonValue | null;
  box: Box | null;
  landmarks: Point[] | null;
  /** sha256 (hex) of the image bytes the face came from; null for template enrolments. */
  photoHash: string | null;
  /** A thumbnail is kept (its gallery keeps thumbnails and the face came from an image). */
  hasThumbnail: boolean;
  /** The client's person id (faces of one person), or null. */
  personId: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewFace {
  clientId?: string;
  meta?: JsonValue;
  box?: Box;
  landmarks?: Point[];
  photoHash?: string;
  /** JPEG bytes, only for galleries that keep thumbnails. */
  thumbnail?: Uint8Array;
  personId?: number;
  vector: Float32Array;
}

/** A gallery (or account set) whose vectors a commit changed, and its new high-water mark. */
export interface IndexMark {
  galleryId: number;
  seq: number;
}

export type AddFaceResult = { ok: true; face: StoredFace } | { ok: false; code: 'DUPLICATE_ID'; clientId: string };

/** A face named by its internal id or by the client's id. */
export type FaceRef = { id: number } | { clientId: string };

/**
 * What a client's id text may mean when it did not say (digits can be either): the core looks
 * up both and refuses the request when they name two different faces.
 */
export type AnyFaceRef = FaceRef | { idOrClientId: string };

export interface FaceFilter {
  /** Substring of the meta (of its JSON text when meta is not a plain string). */
  metaContains?: string;
  /** A JSON field of the meta equal to a value (compared as text). */
  metaField?: { path: string; value: string };
  /** The meta equal to this value. */
  metaEquals?: JsonValue;
  personId?: number;
  /** Inclusive internal id range. */
  idFrom?: number;
  idTo?: number;
}

export interface ListFacesQuery extends FaceFilter {
  limit: number;
  /** Keyset paging: faces with an internal id below this (the previous page's `nextCursor`). */
  cursor?: number;
  /** Offset paging, for clients that want page numbers; ignored with a cursor. */
  offset?: number;
}

export interface FacePage {
  faces: StoredFace[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: number | null;
}

export interface MetaCount {
  meta: JsonValue | null;
  count: number;
  /** The newest face with that meta. */
  face: StoredFace;
}

export interface VectorRow {
  id: number;
  vector: Float32Array;
}

export interface FaceStore {
  /** Throws GALLERY_EXISTS when the account already has that name. */
  createGallery(g: NewGallery): Promise<Gallery>;
  listGalleries(account: string): Promise<Gallery[]>;
  /** Every gallery of every account (index warm-up at start). */
  listAllGalleries(): Promise<Gallery[]>;
  getGallery(account: string, name: string): Promise<Gallery | null>;
  getGalleryById(id: number): Promise<Gallery | null>;
  /** Throws GALLERY_NOT_FOUND or GALLERY_EXISTS (rename onto a taken name). */
  updateGallery(id: number, patch: GalleryPatch): Promise<Gallery>;
  /**
   * Deletes the gallery and the faces that belong to no other gallery (they leave the account
   * set too); faces also in other galleries stay there. False when it did not exist.
   */
  deleteGallery(id: number): Promise<boolean>;

  /**
   * Adds faces in ONE transaction. A duplicate client id fails only its own item; the others
   * commit. Throws GALLERY_NOT_FOUND when the gallery is gone. `seq` is the gallery's new mark.
   */
  addFaces(galleryId: number, faces: NewFace[]): Promise<{ results: AddFaceResult[]; seq: number; marks: IndexMark[] }>;
  getFace(galleryId: number, ref: FaceRef): Promise<StoredFace | null>;
  /** The faces of the gallery among `ids` (search hits), keyed by id; deleted ones are absent. */
  getFacesByIds(galleryId: number, ids: number[]): Promise<Map<number, StoredFace>>;
  /** Newest first. */
  listFaces(galleryId: number, query: ListFacesQuery): Promise<FacePage>;
  /** Replaces the meta; null when the face does not exist. */
  updateFaceMeta(galleryId: number, ref: FaceRef, meta: JsonValue | null): Promise<StoredFace | null>;
  /** The face's thumbnail JPEG, or null (no such face, or none kept). */
  getThumbnail(galleryId: number, ref: FaceRef): Promise<Uint8Array | null>;
  /** Deletes in one transaction; per ref the internal id deleted, or null when not found. */
  /**
   * Takes faces out of the gallery in one transaction; a face that then belongs to no other
   * gallery is deleted (and leaves its account set). Per ref the internal id, or null.
   */
  deleteFaces(galleryId: number, refs: FaceRef[]): Promise<{ deleted: (number | null)[]; seq: number; marks: IndexMark[] }>;

  /**
   * Membership. A face belongs to any number of its account's galleries (one, where it was
   * created, unless changed here) and always to its account set: the hidden gallery, one per
   * account and model, that every face of the account is in, so the whole account is searched
   * through one index. Get-or-create; listGalleries and getGallery never show it.
   */
  accountSet(account: string, modelKey: string, dimensions: number): Promise<Gallery>;
  /** A face of the account by internal id, whatever galleries it is in (or none). */
  getAccountFace(account: string, id: number): Promise<StoredFace | null>;
  /** The (visible) galleries each face belongs to, by id, ascending. */
  faceGalleryIds(faceIds: number[]): Promise<Map<number, number[]>>;
  /**
   * Adds the face to `add` and takes it out of `remove` in one transaction (no-ops skipped).
   * Throws FACE_NOT_FOUND, GALLERY_NOT_FOUND, or DUPLICATE_ID when a gallery to add already
   * holds another face with the same client id.
   */
  changeFaceGalleries(faceId: number, change: { add: number[]; remove: number[] }): Promise<{ marks: IndexMark[] }>;
  /** Deletes the face from every gallery; null when it did not exist. */
  deleteFace(faceId: number): Promise<{ marks: IndexMark[] } | null>;
  /** Replaces the given fields; null when the face does not exist. */
  updateFace(faceId: number, patch: { meta?: JsonValue | null; personId?: number | null }): Promise<StoredFace | null>;
  /** Faces of the gallery grouped by meta, with their count and newest face, by meta. */
  metaCounts(galleryId: number): Promise<MetaCount[]>;

  /** What an index of the gallery must hold: its face count and high-water mark. */
  vectorState(galleryId: number): Promise<{ count: number; seq: number }>;
  /** Every vector of the gallery (or those added after `afterSeq`), in id order, in batches. */
  iterateVectors(galleryId: number, opts?: { afterSeq?: number; batchSize?: number }): AsyncIterable<VectorRow[]>;
  /** Ids deleted after `afterSeq`; null when the log was pruned past that point (rebuild instead). */
  removedSince(galleryId: number, afterSeq: number): Promise<number[] | null>;
  /** Forgets the deletion log up to `seq` once an index saved at that mark is durable. */
  pruneRemovedLog(galleryId: number, uptoSeq: number): Promise<void>;

  close(): Promise<void>;
}
