/**
 * How well a photo serves as a portfolio photo, 0–1000, from what the analysis measures of its
 * largest face. It scores the PHOTO, never the person: nothing here reads attractiveness, body,
 * skin or ethnicity, and age and gender are reported beside the score, never inside it.
 *
 * Each part is a measurement in [0, 1] times its weight (the weights sum to 1000):
 * - sharpness 200: the quality estimate's Laplacian sharpness of the inner face (quality.rules.ts),
 *   in proportion to the face's width below 80 px (a tiny face reads sharp yet shows no detail)
 * - exposure 150: its exposure (mean luma away from black and white, few clipped pixels)
 * - face_size 150: the face's width, at least 100 px and 30 % of the photo's shorter side for full
 *   marks, falling to 0 at 12 % of that side (a detail of a wider shot, not a portrait)
 * - framing 100: the whole face inside the frame with a margin of 10 % of its width on every side
 * - head_pose 150: frontal (cos yaw · cos pitch) and upright (roll under 5°, none left at 25°)
 * - eyes_open 100: the mean open probability of the two eyes
 * - expression 50: the probability of a neutral or happy expression (the usual portfolio looks)
 * - one_face 50: the photo shows one face (0 with more: whose portfolio is it?)
 * - visibility 50: the detector's confidence, which drops when the face is covered or cut
 * Sharpness, eyes_open, expression and visibility are then multiplied by `uncovered`, the share
 * of the face not under something flat (face-cover.rules.ts): what those read on a face under a
 * bar, a hand or a mask is the occluder (its hard edges read sharp, the eye model reads its
 * grey as an open eye), so they count only as far as the face shows.
 * A weighted sum rather than a product, so a client sees which part cost how much; a photo with
 * no face scores 0 with every part 0.
 */
import type { AnalyzedFace } from '../../domain/face.model.js';
import { uncovered } from './face-cover.rules.js';

export const SCORE_WEIGHTS = {
  sharpness: 200,
  exposure: 150,
  face_size: 150,
  framing: 100,
  head_pose: 150,
  eyes_open: 100,
  expression: 50,
  one_face: 50,
  visibility: 50,
} as const;

export type ScorePart = keyof typeof SCORE_WEIGHTS;

export interface PhotoScore {
  /** 0–1000, the sum of the parts' points. */
  score: number;
  /** Each part's measurement (0–1) and the points it gave. */
  parts: Record<ScorePart, { value: number; points: number }>;
}

// Face size: under MIN_FACE_PX wide a face holds too few pixels for a portfolio; as a share of
// the photo's shorter side, a head-and-shoulders portrait frames it at PORTRAIT_FACE_SHARE or
// more, and at SMALL_FACE_SHARE or less the face is a detail of a wider shot (0 points).
const MIN_FACE_PX = 100;
const PORTRAIT_FACE_SHARE = 0.3;
const SMALL_FACE_SHARE = 0.12;
// The Laplacian sharpness of a face rendered in few pixels reads HIGH (downscaling packs the
// edges together) while it carries little detail, so it counts in proportion below this width.
const DETAIL_FACE_PX = 80;
// Head roll: full marks upright to UPRIGHT_DEG, none from TILTED_DEG, where
// a head shot no longer reads as upright (agencies ask for straight head shots).
const UPRIGHT_DEG = 5;
const TILTED_DEG = 25;

const clip01 = (x: number) => Math.min(1, Math.max(0, Number.isFinite(x) ? x : 0));
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** The face a photo is scored on: the largest. */
export function largestFace(faces: readonly AnalyzedFace[]): AnalyzedFace | undefined {
  return faces.reduce<AnalyzedFace | undefined>((best, f) => (!best || f.box.x2 - f.box.x1 > best.box.x2 - best.box.x1 ? f : best), undefined);
}

/** What the pixels say of the largest face, measured where the pixels are (face-cover.rules.ts). */
export interface FacePixelMeasures {
  /** Share of the face's inner cells under something flat (flatShare). */
  flatShare: number;
}

/** Parts read on the face's content, which an occluder fakes: they count as far as the face shows. */
const CONTENT_PARTS: readonly ScorePart[] = ['sharpness', 'eyes_open', 'expression', 'visibility'];

/**
 * The parts' measurements for the largest of `faces` in a photo of `image` size; without
 * `pixels` (no pixels read) the face counts as uncovered.
 */
export function scoreParts(faces: readonly AnalyzedFace[], image: { width: number; height: number }, pixels?: FacePixelMeasures): Record<ScorePart, number> | null {
  const f = largestFace(faces);
  if (!f) return null;
  const { x1, y1, x2, y2 } = f.box;
  const w = x2 - x1;
  const rad = Math.PI / 180;
  const q = f.attributes.quality;
  const eyes = f.attributes.eyes;
  const emo = f.attributes.emotion?.probabilities;
  const margin = Math.min(x1, y1, image.width - x2, image.height - y2);
  const parts: Record<ScorePart, number> = {
    sharpness: clip01(q?.sharpness ?? 0) * clip01(w / DETAIL_FACE_PX),
    exposure: clip01(q?.exposure ?? 0),
    face_size: Math.min(clip01(w / MIN_FACE_PX), clip01((w / Math.min(image.width, image.height) - SMALL_FACE_SHARE) / (PORTRAIT_FACE_SHARE - SMALL_FACE_SHARE))),
    framing: clip01(margin / (0.1 * w)),
    head_pose: clip01(Math.cos(f.pose.yaw * rad) * Math.cos(f.pose.pitch * rad)) * clip01(1 - (Math.abs(f.pose.roll) - UPRIGHT_DEG) / (TILTED_DEG - UPRIGHT_DEG)),
    eyes_open: eyes ? clip01((eyes.leftOpenProbability + eyes.rightOpenProbability) / 2) : 0,
    expression: emo ? clip01(emo.neutral + emo.happy) : 0,
    one_face: faces.length === 1 ? 1 : 0,
    visibility: clip01((f.score - 0.5) / 0.45),
  };
  const shows = pixels ? uncovered(pixels.flatShare) : 1;
  for (const k of CONTENT_PARTS) parts[k] *= shows;
  return parts;
}

export function scorePhoto(faces: readonly AnalyzedFace[], image: { width: number; height: number }, pixels?: FacePixelMeasures): PhotoScore {
  const values = scoreParts(faces, image, pixels);
  const parts = {} as PhotoScore['parts'];
  let total = 0;
  for (const [name, weight] of Object.entries(SCORE_WEIGHTS) as [ScorePart, number][]) {
    const value = values ? values[name] : 0;
    const points = round3(value * weight);
    parts[name] = { value: round3(value), points };
    total += value * weight;
  }
  return { score: Math.round(total), parts };
}
