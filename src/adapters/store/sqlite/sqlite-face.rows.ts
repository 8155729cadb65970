/** The SQLite face store's rows (booleans as 0/1): the shared SQL rows of ../face.rows.ts. */
import type { FaceRowOf, GalleryRowOf } from '../face.rows.js';

export type GalleryRow = GalleryRowOf<number>;
export type FaceRow = FaceRowOf<number>;
export { FACE_COLUMNS, F_COLUMNS, toFace, toGallery, bytesToVector as blobToVector, vectorToBytes as vectorToBlob } from '../face.rows.js';
