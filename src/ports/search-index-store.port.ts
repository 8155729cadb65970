/**
 * What a search index keeps beside the gallery it is made of: which galleries are search
 * indexes (one the account's default), where each face was found (source URL, group, guid,
 * its box in the source image, a small WEBP thumbnail), and the opt-out list (one template per
 * person who asked to be removed). Faces and vectors themselves live in the FaceStore.
 */
import type { Box } from '../domain/face.model.js';

export interface IndexFaceSource {
  faceId: number;
  url: string;
  /** Faces of the same source page or image share a group. */
  group: number;
  /** Stable across re-indexing of the same source: derived from the URL and face position. */
  guid: string;
  /** The face's position among the faces of its source image (0 = largest). */
  faceIndex: number;
  box: Box | null;
}

export interface OptOut {
  id: number;
  account: string;
  modelKey: string;
  vector: Float32Array;
  reference: string | null;
  createdAt: Date;
}

export interface SearchIndexStore {
  /** Marks a gallery as a search index; the first of an account is its default. */
  markIndex(galleryId: number, account: string): Promise<void>;
  isIndex(galleryId: number): Promise<boolean>;
  /** The account's search index gallery ids, default first. */
  indexIds(account: string): Promise<{ galleryId: number; isDefault: boolean }[]>;
  setDefault(account: string, galleryId: number): Promise<void>;

  addSources(galleryId: number, rows: (IndexFaceSource & { webp: Uint8Array | null })[]): Promise<void>;
  sources(faceIds: number[]): Promise<Map<number, IndexFaceSource>>;
  thumbnails(faceIds: number[]): Promise<Map<number, Uint8Array>>;
  /** Whether a source URL is indexed in the gallery already (resumable indexing). */
  hasUrl(galleryId: number, url: string): Promise<boolean>;
  /** The id of the n-th face (1-based, in indexing order) of the gallery, or null when it has fewer. */
  nthFaceId(galleryId: number, n: number): Promise<number | null>;

  addOptOut(o: Omit<OptOut, 'id' | 'createdAt'>): Promise<OptOut>;
  optOuts(account: string, modelKey: string): Promise<OptOut[]>;
}
