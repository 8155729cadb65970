/**
 * Uploaded search photos, their previews and a search's results, kept until the search
 * expires and then deleted for real (not marked). One record per search, scoped to its account.
 */
import type { JsonValue } from '../domain/gallery.rules.js';

export interface SearchSession {
  id: string;
  account: string;
  createdAt: Date;
  expiresAt: Date;
  /** The job that runs the search, once started. */
  jobId: string | null;
  /** Which search index (gallery name) and whether only its first 100,000 faces. */
  index: string | null;
  demo: boolean;
  photoIds: string[];
}

export interface SearchSessionStore {
  create(s: SearchSession, photos: Uint8Array[], previews: Uint8Array[]): Promise<void>;
  get(id: string): Promise<SearchSession | null>;
  update(s: SearchSession): Promise<void>;
  photos(id: string): Promise<Uint8Array[]>;
  previews(id: string): Promise<Uint8Array[]>;
  saveResult(id: string, result: JsonValue): Promise<void>;
  result(id: string): Promise<JsonValue | null>;
  /** Deletes every byte of the search; false when there was none. */
  delete(id: string): Promise<boolean>;
  /** Ids of searches whose expiry is at or before `now`. */
  expired(now: Date): Promise<string[]>;
}
