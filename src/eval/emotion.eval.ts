/**
 * Facial expression on FER-2013 (../shared/eval/fer2013: PublicTest, 48×48 grey face crops,
 * 7 labels). FER crops are already the face crop expression models are trained on, and too
 * small for the detector, so the fixed box is the default: the box is the crop shrunk to 1/1.2
 * from its top-left corner, so that fr_expression's own crop (box + 20 % right and down) is
 * exactly the whole 48×48 image. With `useDetector` the detector + landmarker path is tried
 * first. `paths` counts which path each face took.
 *
 * accuracy = faces whose dominant emotion equals the label / faces; per_class[c] = recall of c.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EMOTIONS, type Emotion, type RgbImage } from '../domain/face.model.js';
import type { EmotionModel, FaceDetector, Landmarker } from '../ports/face-models.port.js';
import { locateCroppedFace, readLabels, spread, type LocatePath } from './cropped-face.locate.js';
import { median } from './stats.js';
import { missingSet, skip, type Skipped } from './eval-data.js';

export interface EmotionEvalContext {
  dataDir: string;
  model: EmotionModel;
  detector?: FaceDetector;
  landmarker?: Landmarker;
  /** Locate faces with the detector too (off: FER crops are 48 px, below what it is tuned for). */
  useDetector?: boolean;
  decode: (bytes: Uint8Array) => Promise<RgbImage>;
  log: (msg: string) => void;
  limit?: number;
}

export interface EmotionFigures {
  accuracy: number;
  per_class: Record<Emotion, { recall: number; faces: number }>;
  /** confusion[label][predicted] = faces. */
  confusion: Record<Emotion, Record<Emotion, number>>;
  faces: number;
  paths: Record<LocatePath, number>;
  ms_per_face_p50: number;
}

const MARGIN = 1.2;

export async function evalEmotion(ctx: EmotionEvalContext): Promise<{ fer2013: EmotionFigures } | Skipped> {
  const missing = missingSet(ctx.dataDir, 'fer2013');
  if (missing) return skip(ctx.log, 'emotion', missing);
  const rows = spread(readLabels(ctx.dataDir, 'fer2013'), ctx.limit);
  if (rows.length === 0) throw new Error(`No FER-2013 rows in ${join(ctx.dataDir, 'fer2013')}`);
  const zero = () => Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
  const confusion = Object.fromEntries(EMOTIONS.map((e) => [e, zero()])) as Record<Emotion, Record<Emotion, number>>;
  const paths: Record<LocatePath, number> = { detector: 0, fixed_box: 0 };
  const ms: number[] = [];
  let right = 0;
  const locate = ctx.useDetector ? { detector: ctx.detector, landmarker: ctx.landmarker } : {};
  for (const [i, r] of rows.entries()) {
    const label = r.emotion as Emotion;
    if (!EMOTIONS.includes(label)) throw new Error(`Unknown FER label ${r.emotion} for ${r.path}`);
    const image = await ctx.decode(readFileSync(join(ctx.dataDir, 'fer2013', r.path!)));
    const fixed = { x1: 0, y1: 0, x2: image.width / MARGIN, y2: image.height / MARGIN };
    const { face, path } = await locateCroppedFace(image, locate, fixed);
    paths[path]++;
    const t0 = performance.now();
    const est = await ctx.model.estimate(image, face);
    ms.push(performance.now() - t0);
    confusion[label][est.dominant]++;
    if (est.dominant === label) right++;
    if ((i + 1) % 500 === 0) ctx.log(`fer2013 ${i + 1}/${rows.length}: accuracy ${(right / (i + 1)).toFixed(3)}`);
  }
  const per_class = Object.fromEntries(
    EMOTIONS.map((e) => {
      const n = Object.values(confusion[e]).reduce((a, b) => a + b, 0);
      return [e, { recall: n ? round(confusion[e][e] / n) : 0, faces: n }];
    }),
  ) as EmotionFigures['per_class'];
  const fer2013: EmotionFigures = {
    accuracy: round(right / rows.length),
    per_class,
    confusion,
    faces: rows.length,
    paths,
    ms_per_face_p50: Math.round(median(ms) * 100) / 100,
  };
  ctx.log(`fer2013: accuracy ${fer2013.accuracy} on ${fer2013.faces} faces`);
  return { fer2013 };
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
