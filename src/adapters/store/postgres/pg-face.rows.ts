/** The PostgreSQL face store's rows (booleans as true/false): the shared SQL rows of ../face.rows.ts. */
import type { FaceRowOf, GalleryRowOf } from '../face.rows.js';

export type PgGalleryRow = GalleryRowOf<boolean>;
export type PgFaceRow = FaceRowOf<boolean>;
export {
  FACE_COLUMNS as PG_FACE_COLUMNS,
  F_COLUMNS as PG_F_COLUMNS,
  toFace as pgToFace,
  toGallery as pgToGallery,
  bytesToVector as pgBytesToVector,
  vectorToBytes as pgVectorBytes,
} from '../face.rows.js';
