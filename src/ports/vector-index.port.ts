/**
 * Nearest-neighbour search over one gallery's vectors (cosine). An index is a cache: the face
 * store is the system of record, and an index that is missing, stale or corrupt is rebuilt
 * from it. Keys are the store's internal face ids. Asynchronous throughout, so an index that
 * lives in another process or service (a vector database, pgvector) can implement it.
 */

export interface VectorHit {
  id: number;
  cosine: number;
}

export interface VectorIndex {
  readonly dimensions: number;
  readonly size: number;
  /** `exact` scans every vector; `hnsw` is approximate (large galleries). */
  readonly mode: 'exact' | 'hnsw';
  /** The store high-water mark the contents reflect; the caller sets it after each change. */
  highWaterMark: number;
  /** True when there are changes not yet saved. */
  readonly dirty: boolean;
  has(id: number): Promise<boolean>;
  /** Adds (or replaces) a vector; it is L2-normalised on the way in. */
  add(id: number, vector: Float32Array): Promise<void>;
  /** Removes and scrubs the vector (its bytes do not survive in the next saved file). */
  remove(id: number): Promise<boolean>;
  /** Up to k nearest, best first. */
  search(vector: Float32Array, k: number): Promise<VectorHit[]>;
  clear(): Promise<void>;
  /** Writes the index atomically with its high-water mark and checksum. */
  save(): Promise<void>;
  close(): void;
}

export type IndexOpenStatus = 'loaded' | 'missing' | 'corrupt' | 'mismatch';

export interface OpenedIndex {
  /** Loaded contents when status is `loaded`, else an empty index ready to be rebuilt. */
  index: VectorIndex;
  status: IndexOpenStatus;
  /** Why it was not loaded, for the log. */
  reason?: string;
}

export interface VectorIndexProvider {
  /**
   * Opens the saved index named `key`. `expectedSize` (the store's count) picks exact or HNSW
   * mode; a file of the other mode, another dimension or a bad checksum is not loaded.
   */
  open(key: string, dimensions: number, expectedSize: number): Promise<OpenedIndex>;
  /** Deletes the saved files of `key`. */
  destroy(key: string): Promise<void>;
  /** Keys with saved files, to find orphans (a gallery deleted just before a crash). */
  keys(): Promise<string[]>;
}

/** The few log calls rebuilds make; pino (Fastify's logger) fits it. */
export interface ProgressLog {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}
