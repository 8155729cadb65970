/**
 * How useful a face is for recognition, from its pixels and pose (pure; no model).
 *
 * Region: the inner face (box of landmarks 17–67: brows, eyes, nose, mouth), or the central
 * 60 % of the detection box without landmarks, so background and hair do not count.
 * - sharpness: variance of the 4-neighbour Laplacian on the region resampled (area mean) to
 *   96×96 grey, so it does not grow with face size; sharpness = min(1, var / SHARP_VAR).
 *   A face smaller than 96 px is upsampled, which rightly reads as less detail.
 * - exposure: mean luma m (0–255) and clipped share c (pixels < 10 or > 245):
 *   exposure = min(1, min(m, 255 − m) / 70) · (1 − c).
 * - size: face (detection box) width in pixels; sizeScore = clip((size − 24) / (80 − 24), 0, 1).
 * - frontalness = max(0, cos yaw · cos pitch).
 * - score = sharpness · exposure · sizeScore · frontalness^0.5 — a product, so one bad factor
 *   (blurred, dark, tiny) sinks the face; pose counts softer because recognition tolerates it.
 * Reasons: blurry (sharpness < 0.3), too_small (< 40 px wide), too_dark (m < 50 or > 30 % of
 * pixels black), too_bright (m > 205 or > 30 % white), low_contrast (luma std < 12), turned
 * (|yaw| > 40° or |pitch| > 30°).
 *
 * SHARP_VAR is the Laplacian variance at which a face counts fully sharp: about the median of
 * detected faces in LFW's photos (149; JPEG news pictures of moderate quality; p10 75, p90 274),
 * while CompreFace's large camera photos give a median of 750.
 */
import type { Box, HeadPose, Point, QualityEstimate, RgbImage } from '../domain/face.model.js';
import type { LocatedFace } from '../ports/face-models.port.js';
import { greyCrop } from './face-pixels.rules.js';

const GRID = 96;
export const SHARP_VAR = 150;
const MIN_WIDTH = 40;

/** Variance of the 4-neighbour Laplacian (interior pixels) of a size×size grey image. */
export function laplacianVariance(g: Float32Array, size: number): number {
  let sum = 0, sum2 = 0, n = 0;
  for (let y = 1; y < size - 1; y++) {
    for (let x = 1; x < size - 1; x++) {
      const i = y * size + x;
      const l = g[i - 1]! + g[i + 1]! + g[i - size]! + g[i + size]! - 4 * g[i]!;
      sum += l;
      sum2 += l * l;
      n++;
    }
  }
  const mean = sum / n;
  return sum2 / n - mean * mean;
}

/** The inner-face region quality is measured on. */
export function innerFaceBox(face: LocatedFace): Box {
  const p: Point[] = face.landmarks.points68;
  if (p.length >= 68) {
    let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
    for (let i = 17; i < 68; i++) {
      x1 = Math.min(x1, p[i]!.x); y1 = Math.min(y1, p[i]!.y); x2 = Math.max(x2, p[i]!.x); y2 = Math.max(y2, p[i]!.y);
    }
    if (x2 - x1 >= 2 && y2 - y1 >= 2) return { x1, y1, x2, y2 };
  }
  const { x1, y1, x2, y2 } = face.box;
  const w = x2 - x1, h = y2 - y1;
  return { x1: x1 + 0.2 * w, y1: y1 + 0.2 * h, x2: x2 - 0.2 * w, y2: y2 - 0.2 * h };
}

const clip01 = (x: number) => Math.min(1, Math.max(0, x));
const round3 = (x: number) => Math.round(x * 1000) / 1000;

export function assessQuality(image: RgbImage, face: LocatedFace, pose: HeadPose): QualityEstimate {
  const size = Math.round(face.box.x2 - face.box.x1);
  const g = greyCrop(image, innerFaceBox(face), GRID);
  const reasons: string[] = [];
  let sharpness = 0, exposure = 0;
  if (g) {
    sharpness = clip01(laplacianVariance(g, GRID) / SHARP_VAR);
    let sum = 0, sum2 = 0, dark = 0, bright = 0;
    for (const v of g) {
      sum += v;
      sum2 += v * v;
      if (v < 10) dark++;
      if (v > 245) bright++;
    }
    const n = g.length;
    const m = sum / n;
    const std = Math.sqrt(Math.max(0, sum2 / n - m * m));
    exposure = clip01(Math.min(m, 255 - m) / 70) * (1 - (dark + bright) / n);
    if (m < 50 || dark / n > 0.3) reasons.push('too_dark');
    if (m > 205 || bright / n > 0.3) reasons.push('too_bright');
    if (std < 12) reasons.push('low_contrast');
  }
  if (sharpness < 0.3) reasons.push('blurry');
  if (size < MIN_WIDTH) reasons.push('too_small');
  const rad = Math.PI / 180;
  const frontalness = clip01(Math.cos(pose.yaw * rad) * Math.cos(pose.pitch * rad));
  if (Math.abs(pose.yaw) > 40 || Math.abs(pose.pitch) > 30) reasons.push('turned');
  const sizeScore = clip01((size - 24) / (80 - 24));
  const score = sharpness * exposure * sizeScore * Math.sqrt(frontalness);
  return {
    score: round3(score),
    sharpness: round3(sharpness),
    exposure: round3(exposure),
    size,
    frontalness: round3(frontalness),
    reasons,
  };
}
