/**
 * Age and gender on UTKFace (../shared/eval/utkface: 200×200 aligned chips, labels age, gender).
 * Two framings, both reported:
 * - `utkface` (when a detector and landmarker are given): the production path, the largest
 *   detection and its 68 landmarks, cropped as the adapter does in the pipeline. UTKFace chips
 *   are tight crops whose faces touch the border, where a detector needs context (unpadded, it
 *   missed ~20% of chips), so each chip is first placed on a black canvas 1.5× its size, as if
 *   cut out of a larger photo. Chips still missed fall back to the chip's box (`paths` counts both).
 * - `utkface_chip`: the fixed box, the whole chip, no detector: the model alone on the faces
 *   as labelled.
 *
 * age_mae = mean |predicted − labelled age| over all faces; gender_accuracy over all faces,
 * gender_accuracy_adults over faces labelled 18 or older (children's gender is far harder and
 * rarely asked for). Note: face-api's model was partly trained on UTKFace, so its figures here
 * are optimistic (../shared/research/models.md); the holdout set checks them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RgbImage } from '../domain/face.model.js';
import type { AgeGenderModel, FaceDetector, Landmarker } from '../ports/face-models.port.js';
import { locateCroppedFace, padImage, readLabels, spread, type LocateContext, type LocatePath } from './cropped-face.locate.js';
import { median } from './stats.js';
import { missingSet, skip, type Skipped } from './eval-data.js';

export interface AgeGenderEvalContext {
  dataDir: string;
  model: AgeGenderModel;
  detector?: FaceDetector;
  landmarker?: Landmarker;
  decode: (bytes: Uint8Array) => Promise<RgbImage>;
  log: (msg: string) => void;
  /** At most this many faces, spread evenly over the set. */
  limit?: number;
}

export interface AgeGenderFigures {
  age_mae: number;
  /** Age MAE of adults (18+) only. */
  age_mae_adults: number;
  gender_accuracy: number;
  gender_accuracy_adults: number;
  faces: number;
  adults: number;
  paths: Record<LocatePath, number>;
  /** Model time per face (crop + inference), median. */
  ms_per_face_p50: number;
}

const ADULT = 18;

export async function evalAgeGender(
  ctx: AgeGenderEvalContext,
): Promise<{ utkface: AgeGenderFigures; utkface_chip: AgeGenderFigures } | Skipped> {
  const missing = missingSet(ctx.dataDir, 'utkface');
  if (missing) return skip(ctx.log, 'age_gender', missing);
  const rows = spread(readLabels(ctx.dataDir, 'utkface'), ctx.limit);
  if (rows.length === 0) throw new Error(`No UTKFace rows in ${join(ctx.dataDir, 'utkface')}`);
  const utkface_chip = await measure(ctx, rows, {}, 0);
  ctx.log(`utkface (whole chip, model only): ${JSON.stringify(utkface_chip)}`);
  if (!ctx.detector || !ctx.landmarker) return { utkface: utkface_chip, utkface_chip };
  const utkface = await measure(ctx, rows, { detector: ctx.detector, landmarker: ctx.landmarker }, CHIP_PADDING);
  ctx.log(`utkface (padded chip, detector + landmarks): ${JSON.stringify(utkface)}`);
  return { utkface, utkface_chip };
}

/** Black border on each side, as a fraction of the chip's width (the canvas is 1.5× the chip). */
const CHIP_PADDING = 0.25;

async function measure(ctx: AgeGenderEvalContext, rows: Record<string, string>[], locate: LocateContext, padding: number): Promise<AgeGenderFigures> {
  let absErr = 0, absErrAdults = 0, right = 0, rightAdults = 0, adults = 0;
  const paths: Record<LocatePath, number> = { detector: 0, fixed_box: 0 };
  const ms: number[] = [];
  for (const [i, r] of rows.entries()) {
    const chip = await ctx.decode(readFileSync(join(ctx.dataDir, 'utkface', r.path!)));
    const image = padImage(chip, padding);
    const p = Math.round(chip.width * padding);
    const { face, path } = await locateCroppedFace(image, locate, { x1: p, y1: p, x2: p + chip.width, y2: p + chip.height });
    paths[path]++;
    const t0 = performance.now();
    const est = await ctx.model.estimate(image, face);
    ms.push(performance.now() - t0);
    const age = Number(r.age);
    const ok = est.gender.label === (r.gender === 'F' ? 'female' : 'male');
    absErr += Math.abs(est.age - age);
    if (ok) right++;
    if (age >= ADULT) {
      adults++;
      absErrAdults += Math.abs(est.age - age);
      if (ok) rightAdults++;
    }
    if ((i + 1) % 500 === 0) ctx.log(`utkface ${i + 1}/${rows.length}: age MAE ${(absErr / (i + 1)).toFixed(2)}`);
  }
  const n = rows.length;
  return {
    age_mae: round(absErr / n),
    age_mae_adults: round(absErrAdults / Math.max(1, adults)),
    gender_accuracy: round(right / n, 4),
    gender_accuracy_adults: round(rightAdults / Math.max(1, adults), 4),
    faces: n,
    adults,
    paths,
    ms_per_face_p50: round(median(ms)),
  };
}

function round(x: number, digits = 3): number {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}
