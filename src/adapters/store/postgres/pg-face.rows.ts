/** Row shapes of the PostgreSQL face store and their mapping to the port's types. */
import type { JsonValue } from '../../../domain/gallery.rules.js';
import type { Gallery, StoredFace } from '../../../ports/face-store.port.js';

export interface PgGalleryRow {
  id: number;
  account_id: string;
  name: string;
  description: string;
  model_key: string;
  dimensions: number;
  thumbnails: boolean;
  face_count: number;
  seq: number;
  pruned_seq: number;
  account_set: boolean;
  created_at: number;
  updated_at: number;
}

export interface PgFaceRow {
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
  has_thumbnail: boolean;
  person_id: number | null;
  created_at: number;
  updated_at: number;
}

/** Every face column but the vector: listings never read 2 KB per row. */
export const PG_FACE_COLUMNS = 'id, gallery_id, client_id, meta, x1, y1, x2, y2, landmarks, photo_hash, has_thumbnail, person_id, created_at, updated_at';
/** The same, for queries that join faces (as f) with other tables. */
export const PG_F_COLUMNS = PG_FACE_COLUMNS.split(', ')
  .map((c) => `f.${c}`)
  .join(', ');

export function pgToGallery(r: PgGalleryRow): Gallery {
  return {
    id: r.id,
    account: r.account_id,
    name: r.name,
    description: r.description,
    modelKey: r.model_key,
    dimensions: r.dimensions,
    thumbnails: r.thumbnails,
    faceCount: r.face_count,
    seq: r.seq,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

export function pgToFace(r: PgFaceRow): StoredFace {
  return {
    id: r.id,
    galleryId: r.gallery_id,
    clientId: r.client_id,
    meta: r.meta === null ? null : (JSON.parse(r.meta) as JsonValue),
    box: r.x1 === null || r.y1 === null || r.x2 === null || r.y2 === null ? null : { x1: r.x1, y1: r.y1, x2: r.x2, y2: r.y2 },
    landmarks: r.landmarks === null ? null : (JSON.parse(r.landmarks) as StoredFace['landmarks']),
    photoHash: r.photo_hash,
    hasThumbnail: r.has_thumbnail,
    personId: r.person_id ?? null,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

/** float32 little-endian, as in SQLite. */
export function pgVectorBytes(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

export function pgBytesToVector(b: Buffer): Float32Array {
  // Copy: the driver's Buffer may sit at an offset that is not 4-byte aligned.
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}
