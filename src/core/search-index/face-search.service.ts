/**
 * Reverse face search as durable jobs: upload 1–3 photos of one person (a search id and a
 * preview per photo), start (a job on the durable queue: one credit, charged by the surface),
 * read with progress over real stages (queued 0, detecting 10–40, searching 45–85, ranking
 * 85–100) or wait, cancel, delete. Photos, previews and results expire after the retention and
 * are then deleted for real by the sweep; delete removes them at once.
 */
import { randomBytes } from 'node:crypto';
import { VisageError } from '../../domain/error.registry.js';
import type { JsonValue } from '../../domain/gallery.rules.js';
import type { Clock } from '../../ports/clock.port.js';
import type { FaceThumbnailer } from '../../ports/image.port.js';
import type { SearchSession, SearchSessionStore } from '../../ports/search-session-store.port.js';
import type { FaceService } from '../face.service.js';
import type { JobService, JobView } from '../job.service.js';
import type { SearchIndexService } from './search-index.service.js';

export const FACE_SEARCH_JOB = 'face-search';
export const MAX_SEARCH_PHOTOS = 3;
/** `demo: true` searches only this many of the index's first faces. */
export const DEMO_FACES = 100_000;

export interface FaceSearchDeps {
  sessions: SearchSessionStore;
  indexes: SearchIndexService;
  jobs: JobService;
  faces: Pick<FaceService, 'templatesOfPhoto' | 'embedder'>;
  thumbnailer: FaceThumbnailer;
  clock: Clock;
  retentionMs: number;
}

export interface SearchHit {
  score: number;
  url: string;
  guid: string;
  group: number;
  /** The face's position among the faces of its source image. */
  faceIndex: number;
  faceId: number;
  index: string;
  /** data:image/webp;base64,… (null when none was kept). */
  thumbnail: string | null;
}

export interface SearchResult {
  items: SearchHit[];
  maxScore: number;
  demo: boolean;
  searchedFaces: number;
  tookSeconds: number;
  tookSecondsQueue: number;
  facesPerSecond: number;
  photos: number;
}

export type SearchState = 'uploaded' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface SearchView {
  id: string;
  state: SearchState;
  progress: number;
  stage: string | null;
  /** Place in the queue while it waits (1 = next). */
  position: number | null;
  previews: string[];
  photoIds: string[];
  index: string | null;
  result: SearchResult | null;
  error: { code: string; message: string } | null;
  createdAt: Date;
  expiresAt: Date;
}

export const webpDataUrl = (b: Uint8Array): string => `data:image/webp;base64,${Buffer.from(b).toString('base64')}`;

export class FaceSearchService {
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: FaceSearchDeps,
    readonly account?: string,
  ) {}

  scoped(account: string): FaceSearchService {
    return new FaceSearchService({ ...this.deps, indexes: this.deps.indexes.scoped(account), jobs: this.deps.jobs.scoped(account) }, account);
  }

  get indexes(): SearchIndexService {
    return this.deps.indexes;
  }

  /**
   * Keeps 1–3 photos (each must show a face: the preview is cut around it), or adds them to an
   * existing upload (`id`), up to 3 in all.
   */
  async upload(photos: Uint8Array[], id?: string): Promise<SearchView> {
    const account = this.who();
    const existing = id ? await this.session(id) : null;
    if (existing?.jobId) throw new VisageError('BAD_PARAM', 'This search has started; upload to a new one', { param: 'id_search' });
    const have = existing?.photoIds.length ?? 0;
    if (photos.length === 0) throw new VisageError('IMAGE_MISSING');
    if (have + photos.length > MAX_SEARCH_PHOTOS) throw new VisageError('BAD_PARAM', `A search takes 1 to ${MAX_SEARCH_PHOTOS} photos`, { param: 'images' });
    const previews: Uint8Array[] = [];
    for (const p of photos) {
      const { result, pixels } = await this.deps.faces.templatesOfPhoto(p, { attributes: [], landmarks68: false, maxFaces: 1, onTooMany: 'largest' });
      previews.push((await this.deps.thumbnailer.thumbnails(pixels, [result.faces[0]!.box], { format: 'webp', size: 160 }))[0]!);
    }
    const now = this.deps.clock.now();
    const newIds = photos.map(() => randomBytes(9).toString('base64url'));
    if (existing) {
      const oldPhotos = await this.deps.sessions.photos(existing.id);
      const oldPreviews = await this.deps.sessions.previews(existing.id);
      const s = { ...existing, photoIds: [...existing.photoIds, ...newIds] };
      await this.deps.sessions.create(s, [...oldPhotos, ...photos], [...oldPreviews, ...previews]);
      return this.view(s);
    }
    const s: SearchSession = {
      id: randomBytes(12).toString('base64url'),
      account,
      createdAt: new Date(now),
      expiresAt: new Date(now + this.deps.retentionMs),
      jobId: null,
      index: null,
      demo: false,
      photoIds: newIds,
    };
    await this.deps.sessions.create(s, photos, previews);
    return this.view(s);
  }

  /** Submits the search job (once; starting a started search only reads it). */
  async start(id: string, o: { index?: string; demo?: boolean } = {}): Promise<{ view: SearchView; started: boolean }> {
    const s = await this.session(id);
    if (s.jobId) return { view: await this.view(s), started: false };
    const index = await this.deps.indexes.resolve(o.index);
    const retainMs = Math.max(1000, s.expiresAt.getTime() - this.deps.clock.now());
    // One attempt more than the default: a restart mid-search must not use up its last.
    // The index is recorded before the job exists: its handler may run before submit returns.
    const ready = { ...s, index: index.name, demo: o.demo === true };
    await this.deps.sessions.update(ready);
    const job = await this.deps.jobs.submit(FACE_SEARCH_JOB, { searchId: s.id }, { retainMs, maxAttempts: 4 });
    const next = { ...ready, jobId: job.id };
    await this.deps.sessions.update(next);
    return { view: await this.view(next), started: true };
  }

  async get(id: string): Promise<SearchView> {
    return this.view(await this.session(id));
  }

  /** Reads until the search has ended or `timeoutMs` passed. */
  async wait(id: string, timeoutMs: number): Promise<SearchView> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const v = await this.get(id);
      if (v.state === 'succeeded' || v.state === 'failed' || v.state === 'cancelled' || v.state === 'uploaded' || Date.now() >= until) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async cancel(id: string): Promise<SearchView> {
    const s = await this.session(id);
    if (s.jobId) await this.deps.jobs.cancel(s.jobId).catch(() => undefined);
    return this.view(s);
  }

  /** Deletes the search at once: photos, previews, results; a running job is cancelled. */
  async delete(id: string): Promise<void> {
    const s = await this.session(id);
    if (s.jobId) await this.deps.jobs.cancel(s.jobId).catch(() => undefined);
    await this.deps.sessions.delete(s.id);
  }

  /** Deletes one photo of a search that has not started. */
  async deletePhoto(id: string, photoId: string): Promise<SearchView> {
    const s = await this.session(id);
    const at = s.photoIds.indexOf(photoId);
    if (at < 0) throw new VisageError('NOT_FOUND', `Photo ${photoId} is not in this search`, { param: 'id_pic' });
    const photos = (await this.deps.sessions.photos(s.id)).filter((_, i) => i !== at);
    const previews = (await this.deps.sessions.previews(s.id)).filter((_, i) => i !== at);
    await this.deps.sessions.delete(s.id);
    const next = { ...s, photoIds: s.photoIds.filter((_, i) => i !== at) };
    if (next.photoIds.length === 0 && !s.jobId) return this.view(next, { gone: true });
    await this.deps.sessions.create(next, photos, previews);
    return this.view(next);
  }

  /** Deletes every expired search (all accounts); returns how many. */
  async sweep(): Promise<number> {
    const ids = await this.deps.sessions.expired(new Date(this.deps.clock.now()));
    for (const id of ids) await this.deps.sessions.delete(id);
    return ids.length;
  }

  startSweeping(everyMs = 60_000): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), everyMs);
    this.sweeper.unref();
  }

  stopSweeping(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
  }

  private async session(id: string): Promise<SearchSession> {
    const s = typeof id === 'string' ? await this.deps.sessions.get(id) : null;
    if (!s || s.account !== this.who()) throw new VisageError('NOT_FOUND', `Search ${id} does not exist`, { param: 'id_search' });
    if (s.expiresAt.getTime() <= this.deps.clock.now()) {
      await this.deps.sessions.delete(s.id);
      throw new VisageError('NOT_FOUND', `Search ${id} has expired`, { param: 'id_search' });
    }
    return s;
  }

  private async view(s: SearchSession, o: { gone?: boolean } = {}): Promise<SearchView> {
    const previews = o.gone ? [] : (await this.deps.sessions.previews(s.id)).map(webpDataUrl);
    let job: JobView | null = null;
    if (s.jobId) job = await this.deps.jobs.get(s.jobId).catch(() => null);
    const state: SearchState = !s.jobId ? 'uploaded' : (job?.status ?? 'failed');
    const result = state === 'succeeded' ? ((await this.deps.sessions.result(s.id)) as unknown as SearchResult | null) : null;
    return {
      id: s.id,
      state,
      progress: state === 'succeeded' ? 100 : (job?.progress ?? 0),
      stage: state === 'queued' ? 'queued' : (job?.stage ?? null),
      position: job?.position ?? null,
      previews,
      photoIds: s.photoIds,
      index: s.index,
      result,
      error: job?.error ?? (s.jobId && !job ? { code: 'NOT_FOUND', message: 'The search job is gone' } : null),
      createdAt: s.createdAt,
      expiresAt: s.expiresAt,
    };
  }

  private who(): string {
    if (this.account === undefined) throw new Error('FaceSearchService used without an account (call scoped)');
    return this.account;
  }
}

export type { JsonValue };
