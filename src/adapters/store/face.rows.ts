/**
 * The gallery and face rows every SQL face store reads (SQLite, PostgreSQL: the same columns),
 * and their mapping to the port's types. The engines differ only in how a boolean comes back:
 * 0/1 from SQLite, true/false from PostgreSQL.
 */
import type { JsonValue } from '../../domain/gallery.rules.js';
import type { Gallery, StoredFace } from '../../ports/face-store.port.js';

export type SqlBool = number | boolean;
export const bool = (v: SqlBool): boolean => v === true || v === 1;

export interface GalleryRowOf<B extends SqlBool> {
  id: number;
  account_id: string;
  name: string;
  description: string;
  model_key: string;
  dimensions: number;
  thumbnails: B;
  face_count: number;
  seq: number;
  pruned_seq: number;
  account_set: B;
  created_at: number;
  updated_at: number;
}

export interface FaceRowOf<B extends SqlBool> {
  id: number;
  gallery_id: number;
  client_id: string | null;
  meta: string | null;
  x1: number | null;
  y1: number | null;
  x2: number | null;
  y2: number | null;
  landmarks: string | null;
  photo_hash: string | null;
  has_thumbnail: B;
  person_id: number | null;
  created_at: number;
  updated_at: number;
}

/** Every face column but the vector: listings never read 2 KB per row. */
export const FACE_COLUMNS = 'id, gallery_id, client_id, meta, x1, y1, x2, y2, landmarks, photo_hash, has_thumbnail, person_id, created_at, updated_at';
/** The same, for queries that join faces (as f) with other tables. */
export const F_COLUMNS = FACE_COLUMNS.split(', ')
  .map((c) => `f.${c}`)
  .join(', ');

export function toGallery(r: GalleryRowOf<SqlBool>): Gallery {
  return {
    id: r.id,
    account: r.account_id,
    name: r.name,
    description: r.description,
    modelKey: r.model_key,
    dimensions: r.dimensions,
    thumbnails: bool(r.thumbnails),
    faceCount: r.face_count,
    seq: r.seq,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

export function toFace(r: FaceRowOf<SqlBool>): StoredFace {
  return {
    id: r.id,
    galleryId: r.gallery_id,
    clientId: r.client_id,
    meta: r.meta === null ? null : (JSON.parse(r.meta) as JsonValue),
    box: r.x1 === null || r.y1 === null || r.x2 === null || r.y2 === null ? null : { x1: r.x1, y1: r.y1, x2: r.x2, y2: r.y2 },
    landmarks: r.landmarks === null ? null : (JSON.parse(r.landmarks) as StoredFace['landmarks']),
    photoHash: r.photo_hash,
    hasThumbnail: bool(r.has_thumbnail),
    personId: r.person_id ?? null,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

/** float32 little-endian, the layout of every platform Node runs on here. */
export function vectorToBytes(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

export function bytesToVector(b: Buffer): Float32Array {
  // Copy: the driver's Buffer may sit at an offset that is not 4-byte aligned.
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}
