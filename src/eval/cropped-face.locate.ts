/**
 * Locating the one face of a pre-cropped evaluation photo (UTKFace chips, FER-2013 crops) and
 * reading the sets' LABELS files. With a detector the largest detection is used and the
 * landmarker refines it; where the detector finds nothing (or none was given) a fixed box is
 * used, with no 68 points and the 5 points at a canonical layout inside that box. Each result
 * says which path it took, so reports can say so too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boxArea, type Box, type Landmarks5, type RgbImage } from '../domain/face.model.js';
import type { FaceDetector, Landmarker, LocatedFace } from '../ports/face-models.port.js';

export interface LocateContext {
  detector?: FaceDetector;
  landmarker?: Landmarker;
}

export type LocatePath = 'detector' | 'fixed_box';

/** Rows of a LABELS csv (header first; no quoted commas in these sets). */
export function readLabels(dataDir: string, set: string, file = 'LABELS'): Record<string, string>[] {
  const path = join(dataDir, set, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`Evaluation data missing: ${path} (set EVAL_DIR or --data to the shared eval folder)`);
  }
  const [head, ...lines] = text.trim().split(/\r?\n/);
  const cols = head!.split(',');
  return lines.map((l) => {
    const v = l.split(',');
    return Object.fromEntries(cols.map((c, i) => [c, v[i] ?? '']));
  });
}

/**
 * `limit` rows spread evenly over the set (LABELS files are sorted by label, so the first n rows
 * would all share one age or one emotion); all rows without a limit.
 */
export function spread<T>(rows: T[], limit?: number): T[] {
  if (limit === undefined || limit >= rows.length) return rows;
  const step = rows.length / limit;
  return Array.from({ length: limit }, (_, i) => rows[Math.floor(i * step)]!);
}

/** 5 points at ArcFace's 112×112 template positions, scaled into `box`. */
export function canonicalPoints5(box: Box): Landmarks5 {
  const t = [
    [38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041],
  ] as const;
  const sx = (box.x2 - box.x1) / 112;
  const sy = (box.y2 - box.y1) / 112;
  return t.map(([x, y]) => ({ x: box.x1 + x * sx, y: box.y1 + y * sy })) as Landmarks5;
}

export async function locateCroppedFace(
  image: RgbImage,
  ctx: LocateContext,
  fixedBox: Box,
): Promise<{ face: LocatedFace; path: LocatePath }> {
  if (ctx.detector && ctx.landmarker) {
    const found = await ctx.detector.detect(image, { minFaceSize: 0 });
    if (found.length) {
      const d = found.reduce((a, b) => (boxArea(b.box) > boxArea(a.box) ? b : a));
      const landmarks = await ctx.landmarker.locate(image, d);
      return { face: { box: d.box, landmarks }, path: 'detector' };
    }
  }
  return { face: { box: fixedBox, landmarks: { points68: [], points5: canonicalPoints5(fixedBox) } }, path: 'fixed_box' };
}

/** The image on a black canvas with `fraction × width` pixels added on every side (0: unchanged). */
export function padImage(img: RgbImage, fraction: number): RgbImage {
  const p = Math.round(img.width * fraction);
  if (p <= 0) return img;
  const width = img.width + 2 * p;
  const height = img.height + 2 * p;
  const data = new Uint8Array(width * height * 3);
  const row = img.width * 3;
  for (let y = 0; y < img.height; y++) data.set(img.data.subarray(y * row, (y + 1) * row), ((y + p) * width + p) * 3);
  return { width, height, data };
}
