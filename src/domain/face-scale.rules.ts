/**
 * Mapping an analysed face from analysis pixels (a photo decoded downscaled under the analysis
 * resolution cap) back to the photo's own pixels. Pure, so the service and tests share it.
 *
 * Coordinates are continuous (pixel edges at integers), so x·sx maps an edge of analysis pixel i
 * onto the matching edge in the original; sx and sy are kept apart because the downscaled size
 * is rounded to whole pixels on each axis.
 */
import type { AnalyzedFace, Point } from './face.model.js';

/** Scale from analysis to original pixels: original size / analysis size, per axis. */
export interface FaceScale {
  sx: number;
  sy: number;
}

export function scaleOf(analysed: { width: number; height: number; original?: { width: number; height: number } }): FaceScale {
  const o = analysed.original;
  return o ? { sx: o.width / analysed.width, sy: o.height / analysed.height } : { sx: 1, sy: 1 };
}

/**
 * The face with its box, landmarks and pixel measures (quality.size, the face width) in
 * original pixels. Angles, scores and embeddings do not depend on resolution and are kept; so
 * are the quality score and reasons, which describe the pixels the models actually saw.
 */
export function scaleFace(face: AnalyzedFace, sx: number, sy: number): AnalyzedFace {
  if (sx === 1 && sy === 1) return face;
  const p = (q: Point): Point => ({ x: q.x * sx, y: q.y * sy });
  const out: AnalyzedFace = {
    ...face,
    box: { x1: face.box.x1 * sx, y1: face.box.y1 * sy, x2: face.box.x2 * sx, y2: face.box.y2 * sy },
    landmarks5: face.landmarks5.map(p) as AnalyzedFace['landmarks5'],
  };
  if (face.landmarks68) out.landmarks68 = face.landmarks68.map(p);
  const q = face.attributes.quality;
  // quality.size is defined as the rounded box width (quality.rules.ts): recompute it, not scale a rounded value.
  if (q) out.attributes = { ...face.attributes, quality: { ...q, size: Math.round(out.box.x2 - out.box.x1) } };
  return out;
}
