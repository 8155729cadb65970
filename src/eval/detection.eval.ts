/**
 * Detection evaluation on real labelled photos (../shared/eval):
 * - facemask_boxes: street photos, many small and masked faces;
 * - dlib_faces: group photos (faces with ignore = 1 neither count as misses nor make
 *   detections false positives).
 *
 * Matching (a contract other tools rely on): detections are taken best score first; each takes
 * the still unmatched labelled face it overlaps most (IoU) among those it matches, so a labelled
 * face is matched at most once. "centre" matches when each box's centre lies inside the other;
 * "iou50" when IoU ≥ 0.5. recall = matched faces / faces, precision = matched detections /
 * detections (detections matched to ignored faces are left out of both).
 *
 * The detector is called with minFaceSize 0 by default: labelled faces go down to ~5 px and the
 * users' default of 50 px would turn the recall figures into a size filter; the detector's own
 * tuned score threshold (scoreThreshold undefined) is what is measured.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { boxWidth, iou, type Box, type RgbImage } from '../domain/face.model.js';
import type { Detection, FaceDetector } from '../ports/face-models.port.js';
import { missingSet, skip, type Skipped } from './eval-data.js';

export type MatchRule = 'centre' | 'iou50';

export interface LabelledFace {
  box: Box;
  /** facemask: with_mask / without_mask / mask_weared_incorrect; dlib: '' */
  cls: string;
  ignore: boolean;
}

export interface LabelledImage {
  path: string;
  faces: LabelledFace[];
}

export interface EvalContext {
  dataDir: string;
  detector: FaceDetector;
  decode: (bytes: Uint8Array) => Promise<RgbImage>;
  log: (msg: string) => void;
  /** Only the first `limit` images of each set. */
  limit?: number;
  minFaceSize?: number;
  /** Only images at even or odd positions of each set (tune on one half, confirm on the other). */
  part?: 'even' | 'odd';
}

export interface FacemaskFigures {
  recall: number;
  precision: number;
  recall_ge32: number;
  recall_without_mask: number;
  recall_iou50: number;
  precision_iou50: number;
  images: number;
  faces: number;
  ms_per_image_p50: number;
}

export interface DlibFigures {
  recall: number;
  precision: number;
  images: number;
  faces: number;
}

const centreIn = (a: Box, b: Box) => {
  const cx = (a.x1 + a.x2) / 2;
  const cy = (a.y1 + a.y2) / 2;
  return cx >= b.x1 && cx <= b.x2 && cy >= b.y1 && cy <= b.y2;
};

export function boxesMatch(a: Box, b: Box, rule: MatchRule): boolean {
  return rule === 'centre' ? centreIn(a, b) && centreIn(b, a) : iou(a, b) >= 0.5;
}

/**
 * Greedy matching. Returns, per labelled face, the index of its detection (or -1), and per
 * detection whether it is a true positive, a false positive or matched to an ignored face.
 */
export function matchDetections(
  faces: readonly LabelledFace[],
  detections: readonly { box: Box; score: number }[],
  rule: MatchRule,
): { faceMatch: number[]; detection: ('tp' | 'fp' | 'ignored')[] } {
  const faceMatch = faces.map(() => -1);
  const order = detections.map((_, i) => i).sort((a, b) => detections[b]!.score - detections[a]!.score);
  const detection: ('tp' | 'fp' | 'ignored')[] = detections.map(() => 'fp');
  for (const d of order) {
    const box = detections[d]!.box;
    let best = -1;
    let bestIou = -1;
    // Real faces first; a detection only falls back on an ignored face.
    for (const wantIgnored of [false, true]) {
      faces.forEach((f, i) => {
        if (f.ignore !== wantIgnored || faceMatch[i]! >= 0 || !boxesMatch(box, f.box, rule)) return;
        const o = iou(box, f.box);
        if (o > bestIou) {
          best = i;
          bestIou = o;
        }
      });
      if (best >= 0) break;
    }
    if (best >= 0) {
      faceMatch[best] = d;
      detection[d] = faces[best]!.ignore ? 'ignored' : 'tp';
    }
  }
  return { faceMatch, detection };
}

/** Reads a LABELS file into images with their faces, in the file's order of first appearance. */
export function readLabels(dir: string, kind: 'facemask' | 'dlib'): LabelledImage[] {
  let text: string;
  try {
    text = readFileSync(join(dir, 'LABELS'), 'utf8');
  } catch {
    throw new Error(`Detection eval data not found: ${join(dir, 'LABELS')} (set EVAL_DIR to the folder holding facemask_boxes/ and dlib_faces/)`);
  }
  const byPath = new Map<string, LabelledImage>();
  for (const line of text.trim().split(/\r?\n/).slice(1)) {
    const c = line.split(',');
    const path = c[0]!;
    let face: LabelledFace;
    if (kind === 'facemask') {
      const [x1, y1, x2, y2] = c.slice(3, 7).map(Number) as [number, number, number, number];
      face = { box: { x1, y1, x2, y2 }, cls: c[7]!, ignore: false };
    } else {
      const [x1, y1, x2, y2] = c.slice(2, 6).map(Number) as [number, number, number, number];
      face = { box: { x1, y1, x2, y2 }, cls: '', ignore: c[6] === '1' };
    }
    let img = byPath.get(path);
    if (!img) byPath.set(path, (img = { path, faces: [] }));
    img.faces.push(face);
  }
  return [...byPath.values()];
}

export function selectImages<T>(images: T[], ctx: Pick<EvalContext, 'limit' | 'part'>): T[] {
  let out = images;
  if (ctx.part) out = out.filter((_, i) => (i % 2 === 0) === (ctx.part === 'even'));
  if (ctx.limit !== undefined) out = out.slice(0, ctx.limit);
  return out;
}

/** Counts over a set of images (each with its labelled faces and detections). */
export class DetectionTally {
  private n = new Map<string, number>();
  add(key: string, v = 1): void {
    this.n.set(key, (this.n.get(key) ?? 0) + v);
  }
  get(key: string): number {
    return this.n.get(key) ?? 0;
  }
  ratio(num: string, den: string): number {
    const d = this.get(den);
    return d === 0 ? 0 : this.get(num) / d;
  }

  /** Adds one image's faces and detections under both rules. */
  addImage(faces: readonly LabelledFace[], detections: readonly { box: Box; score: number }[]): void {
    for (const rule of ['centre', 'iou50'] as const) {
      const m = matchDetections(faces, detections, rule);
      faces.forEach((f, i) => {
        if (f.ignore) return;
        const hit = m.faceMatch[i]! >= 0 ? 1 : 0;
        this.add(`${rule}:faces`);
        this.add(`${rule}:hits`, hit);
        if (boxWidth(f.box) >= 32) {
          this.add(`${rule}:faces_ge32`);
          this.add(`${rule}:hits_ge32`, hit);
        }
        if (f.cls === 'without_mask') {
          this.add(`${rule}:faces_without_mask`);
          this.add(`${rule}:hits_without_mask`, hit);
        }
      });
      for (const d of m.detection) {
        if (d === 'ignored') continue;
        this.add(`${rule}:dets`);
        if (d === 'tp') this.add(`${rule}:tps`);
      }
    }
  }
}

export function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function runSet(
  ctx: EvalContext,
  dir: string,
  images: LabelledImage[],
): Promise<{ tally: DetectionTally; ms: number[] }> {
  const tally = new DetectionTally();
  const ms: number[] = [];
  for (const img of images) {
    const pixels = await ctx.decode(new Uint8Array(readFileSync(join(dir, img.path))));
    const t0 = performance.now();
    const dets: Detection[] = await ctx.detector.detect(pixels, { minFaceSize: ctx.minFaceSize ?? 0 });
    ms.push(performance.now() - t0);
    tally.addImage(img.faces, dets);
  }
  return { tally, ms };
}

export async function evalDetection(
  ctx: EvalContext,
): Promise<{ facemask_boxes: FacemaskFigures | Skipped; dlib_faces: DlibFigures | Skipped }> {
  const fmDir = join(ctx.dataDir, 'facemask_boxes');
  const dlDir = join(ctx.dataDir, 'dlib_faces');
  // Either set may be absent from a partial eval folder: the other is still measured.
  const fmMissing = missingSet(ctx.dataDir, 'facemask_boxes');
  const dlMissing = missingSet(ctx.dataDir, 'dlib_faces');
  const fmImages = fmMissing ? [] : selectImages(readLabels(fmDir, 'facemask'), ctx);
  const dlImages = dlMissing ? [] : selectImages(readLabels(dlDir, 'dlib'), ctx);
  ctx.log(`detection eval: ${ctx.detector.info.id}@${ctx.detector.info.version}, minFaceSize ${ctx.minFaceSize ?? 0}, ${fmImages.length} facemask + ${dlImages.length} dlib images${ctx.part ? ` (${ctx.part} half)` : ''}`);

  let facemask_boxes: FacemaskFigures | Skipped;
  if (fmMissing) facemask_boxes = skip(ctx.log, 'detection/facemask_boxes', fmMissing);
  else {
    const fm = await runSet(ctx, fmDir, fmImages);
    const t = fm.tally;
    facemask_boxes = {
      recall: t.ratio('centre:hits', 'centre:faces'),
      precision: t.ratio('centre:tps', 'centre:dets'),
      recall_ge32: t.ratio('centre:hits_ge32', 'centre:faces_ge32'),
      recall_without_mask: t.ratio('centre:hits_without_mask', 'centre:faces_without_mask'),
      recall_iou50: t.ratio('iou50:hits', 'iou50:faces'),
      precision_iou50: t.ratio('iou50:tps', 'iou50:dets'),
      images: fmImages.length,
      faces: t.get('centre:faces'),
      ms_per_image_p50: median(fm.ms),
    };
    ctx.log(`facemask_boxes: ${JSON.stringify(facemask_boxes)}`);
  }

  let dlib_faces: DlibFigures | Skipped;
  if (dlMissing) dlib_faces = skip(ctx.log, 'detection/dlib_faces', dlMissing);
  else {
    const dl = await runSet(ctx, dlDir, dlImages);
    dlib_faces = {
      recall: dl.tally.ratio('centre:hits', 'centre:faces'),
      precision: dl.tally.ratio('centre:tps', 'centre:dets'),
      images: dlImages.length,
      faces: dl.tally.get('centre:faces'),
    };
    ctx.log(`dlib_faces: ${JSON.stringify(dlib_faces)}`);
  }
  return { facemask_boxes, dlib_faces };
}
