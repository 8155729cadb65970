/**
 * The one place Visage results become Face.Match.Expert JSON. The vendor published no response
 * field names; the ones here are ours, documented in docs/compat/facematch-expert.md:
 * points `leftEye`, `rightEye`, `leftMouth`, `rightMouth`, `nose` as `{x, y}` in the photo's
 * pixels (a tenth of a pixel, as /v1), `box` `{x1, y1, x2, y2}` as /v1, similarity 0..1 (Visage's
 * calibrated similarity, the number /v1 answers).
 */
import type { ImportItemState, ImportStatus, StoredFace, TemplatesResult } from '../../core/index.js';
import type { Box, Point } from '../../domain/face.model.js';
import { FACEMATCH_ERRORS } from './facematch-errors.js';
import type { ErrorCode } from '../../domain/error.registry.js';

const r = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
const pt = (p: Point | undefined) => (p ? { x: r(p.x, 1), y: r(p.y, 1) } : null);
const box = (b: Box) => ({ x1: r(b.x1, 1), y1: r(b.y1, 1), x2: r(b.x2, 1), y2: r(b.y2, 1) });
export const similarity = (s: number) => r(s, 4);

/** Visage's five points are in ArcFace order: left eye, right eye, nose, left and right mouth corner. */
function points(l: readonly Point[] | null) {
  return { leftEye: pt(l?.[0]), rightEye: pt(l?.[1]), leftMouth: pt(l?.[3]), rightMouth: pt(l?.[4]), nose: pt(l?.[2]) };
}

export function mapDetect(res: TemplatesResult & { crops: Uint8Array[] }) {
  return {
    faces: res.faces.map((f, i) => ({
      faceData: res.templates[i]!,
      faceImage: Buffer.from(res.crops[i] ?? new Uint8Array()).toString('base64'),
      ...points(f.landmarks5),
      box: box(f.box),
      score: r(f.score, 4),
    })),
  };
}

/** A match names the image by the id it was added with (a face enrolled without one: its number). */
export function mapMatch(m: { face: StoredFace; similarity: number }) {
  return { id: m.face.clientId ?? String(m.face.id), similarity: similarity(m.similarity), ...points(m.face.landmarks) };
}

/** Per-image results carry the vendor-style error name next to Visage's stable code. */
function mapItem(it: ImportItemState) {
  if (it.status !== 'failed') return it;
  const a = FACEMATCH_ERRORS[it.code as ErrorCode];
  return { id: it.id, status: it.status, error: a?.error ?? 'UNPROCESSABLE ENTITY', code: it.code, message: it.message };
}

export function mapAddDone(items: ImportItemState[]) {
  return {
    status: 'done',
    total: items.length,
    enrolled: items.filter((i) => i.status === 'enrolled').length,
    failed: items.filter((i) => i.status === 'failed').length,
    items: items.map(mapItem),
  };
}

export function mapImportStatus(s: ImportStatus, statusPath: string) {
  return {
    jobId: s.jobId,
    collectionId: s.gallery,
    status: s.status,
    progress: s.progress,
    total: s.total,
    enrolled: s.enrolled,
    failed: s.failed,
    pending: s.pending,
    statusUrl: statusPath,
    error: s.error ? { error: FACEMATCH_ERRORS[s.error.code as ErrorCode]?.error ?? 'INTERNAL SYSTEM ERROR', code: s.error.code, message: s.error.message } : null,
    items: s.items.map(mapItem),
  };
}
