/**
 * Gallery import: many photos into one gallery. A small batch is enrolled while the client
 * waits; a large one is accepted as a durable job (it survives a restart) and enrolled in the
 * background, item by item, with progress and a result per item (enrolled, or why not).
 *
 * The job's payload holds each photo only until it is handled: the handler checkpoints the
 * payload after every few items with their results in and their photos dropped, so a resumed
 * attempt skips them and a finished job keeps templates in the gallery, not photos in the queue.
 */
import { createHash } from 'node:crypto';
import { VisageError, badParam } from '../domain/error.registry.js';
import { MAX_BULK_ITEMS, normalizeClientId, type JsonValue } from '../domain/gallery.rules.js';
import type { Job } from '../ports/job-queue.port.js';
import type { BulkItem, BulkItemResult, GalleryService } from './gallery.service.js';
import type { JobHandler, JobService, JobStatus } from './job.service.js';

export const GALLERY_IMPORT_JOB = 'gallery.import';

/** Items per checkpoint: a restart redoes at most this many analyses. */
const CHUNK = 4;

/** One photo to import; `error` when the surface could not even read it (bad base64). */
export interface ImportItem {
  id: unknown;
  /** The photo as base64 (no data: prefix), or absent with `error`. */
  image?: string;
  error?: { code: string; message: string };
}

export type ImportItemState =
  | { id: string | null; status: 'pending' }
  | { id: string | null; status: 'enrolled'; faceId: number }
  | { id: string | null; status: 'failed'; code: string; message: string };

export interface ImportStatus {
  jobId: string;
  gallery: string;
  status: JobStatus;
  progress: number;
  total: number;
  enrolled: number;
  failed: number;
  pending: number;
  /** In the order submitted; read while the job runs as well as after. */
  items: ImportItemState[];
  /** Why the whole job failed (its gallery was deleted, the worker died on every attempt). */
  error: { code: string; message: string } | null;
}

export type ImportOutcome = { mode: 'done'; items: ImportItemState[] } | { mode: 'accepted'; job: ImportStatus };

/** The payload as stored: photos until handled, results once handled. */
interface StoredItem {
  id: string | null;
  image: string | null;
  result?: { ok: true; faceId: number } | { ok: false; code: string; message: string };
}
interface ImportPayload {
  gallery: string;
  items: StoredItem[];
}

/** The import use cases for one account (a scoped GalleryService and JobService). */
export class GalleryImports {
  constructor(
    private readonly galleries: GalleryService,
    private readonly jobs: JobService,
  ) {}

  /**
   * Enrols up to `syncUpTo` items now (answered once searchable); more are accepted as a job.
   * GALLERY_NOT_FOUND before anything is accepted.
   */
  async add(gallery: string, items: ImportItem[], o: { syncUpTo: number }): Promise<ImportOutcome> {
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BULK_ITEMS) {
      throw badParam('items', `send 1 to ${MAX_BULK_ITEMS} images`);
    }
    await this.galleries.getGallery(gallery);
    const stored: StoredItem[] = items.map((it, i) => {
      const id = normalizeClientId(it.id, `[${i}].id`) ?? null;
      if (it.error) return { id, image: null, result: { ok: false, ...it.error } };
      if (typeof it.image !== 'string') return { id, image: null, result: { ok: false, code: 'IMAGE_MISSING', message: `item ${i} has no image` } };
      return { id, image: it.image };
    });
    if (items.length <= o.syncUpTo) {
      await enrolChunk(this.galleries, gallery, stored, false);
      return { mode: 'done', items: stored.map(stateOf) };
    }
    const payload: ImportPayload = { gallery, items: stored };
    const job = await this.jobs.submit(GALLERY_IMPORT_JOB, payload as unknown as JsonValue);
    return { mode: 'accepted', job: statusOf(job)! };
  }

  /** The import job's state and per-item results; JOB_NOT_FOUND for another kind of job. */
  async status(jobId: string, gallery?: string): Promise<ImportStatus> {
    const job = await this.jobs.get(jobId);
    const s = job.kind === GALLERY_IMPORT_JOB ? statusOf(job) : null;
    if (!s || (gallery !== undefined && s.gallery !== gallery)) throw new VisageError('JOB_NOT_FOUND', `Job ${jobId} does not exist`, { param: 'id' });
    return s;
  }
}

/** The job handler (register with jobs.handle(GALLERY_IMPORT_JOB, …)); safe to run again. */
export function galleryImportHandler(all: GalleryService): JobHandler {
  return async (job, ctx) => {
    const payload = job.payload as unknown as ImportPayload;
    const galleries = all.scoped(job.account);
    const total = payload.items.length;
    // A later attempt may meet items the crashed one enrolled after its last checkpoint.
    const resumed = job.attempts > 1;
    for (;;) {
      if (ctx.cancelled()) break;
      const chunk = payload.items.filter((it) => !it.result).slice(0, CHUNK);
      if (chunk.length === 0) break;
      await enrolChunk(galleries, payload.gallery, chunk, resumed);
      await ctx.checkpoint(payload as unknown as JsonValue);
      const done = payload.items.filter((it) => it.result).length;
      await ctx.progress((done / total) * 100, `enrolled ${done} of ${total}`);
    }
    return summary(payload) as unknown as JsonValue;
  };
}

/** Enrols the items that have a photo and no result; sets each one's result and drops its photo. */
async function enrolChunk(galleries: GalleryService, gallery: string, items: StoredItem[], resumed: boolean): Promise<void> {
  const todo = items.filter((it) => !it.result && it.image !== null);
  if (todo.length === 0) return;
  const bytes = todo.map((it) => Buffer.from(it.image!, 'base64'));
  const bulk: BulkItem[] = todo.map((it, i) => ({ resolve: () => ({ image: { bytes: bytes[i]! } }), clientId: it.id ?? undefined }));
  const results: BulkItemResult[] = await galleries.enrolBulk(gallery, bulk);
  for (const [i, r] of results.entries()) {
    const it = todo[i]!;
    if (r.ok) it.result = { ok: true, faceId: r.face.id };
    else if (r.code === 'DUPLICATE_ID' && resumed && it.id !== null && (await samePhoto(galleries, gallery, it.id, bytes[i]!))) {
      const face = await galleries.getFace(gallery, { clientId: it.id });
      it.result = { ok: true, faceId: face.id };
    } else it.result = { ok: false, code: r.code, message: r.message };
    it.image = null;
  }
}

/** The face already under this id came from these very bytes (an earlier attempt enrolled it). */
async function samePhoto(galleries: GalleryService, gallery: string, id: string, bytes: Uint8Array): Promise<boolean> {
  const face = await galleries.getFace(gallery, { clientId: id }).catch(() => null);
  return face?.photoHash === createHash('sha256').update(bytes).digest('hex');
}

function stateOf(it: StoredItem): ImportItemState {
  if (!it.result) return { id: it.id, status: 'pending' };
  return it.result.ok ? { id: it.id, status: 'enrolled', faceId: it.result.faceId } : { id: it.id, status: 'failed', code: it.result.code, message: it.result.message };
}

function summary(p: ImportPayload) {
  const items = p.items.map(stateOf);
  const count = (s: ImportItemState['status']) => items.filter((i) => i.status === s).length;
  return { gallery: p.gallery, total: items.length, enrolled: count('enrolled'), failed: count('failed'), pending: count('pending'), items };
}

function statusOf(job: Job): ImportStatus | null {
  const p = job.payload as unknown as ImportPayload | null;
  if (!p || typeof p.gallery !== 'string' || !Array.isArray(p.items)) return null;
  return { jobId: job.id, status: job.status, progress: job.progress, ...summary(p), error: job.error };
}
