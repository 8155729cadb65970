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
  vector: Float32Array;
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
  /** Deletes the gallery and all its faces; false when it did not exist. */
  deleteGallery(id: number): Promise<boolean>;

  /**
   * Adds faces in ONE transaction. A duplicate client id fails only its own item; the others
   * commit. Throws GALLERY_NOT_FOUND when the gallery is gone. `seq` is the gallery's new mark.
   */
  addFaces(galleryId: number, faces: NewFace[]): Promise<{ results: AddFaceResult[]; seq: number }>;
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
  deleteFaces(galleryId: number, refs: FaceRef[]): Promise<{ deleted: (number | null)[]; seq: number }>;

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
