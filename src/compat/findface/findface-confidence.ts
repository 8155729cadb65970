/**
 * FindFace's confidence scale. FindFace reports its own score, with fixed points strict 0.7834,
 * medium 0.6616 and low 0.5690 meaning FAR 1e-5, 1e-3 and 1e-1 on its data. Visage's cosine is
 * mapped piecewise-linearly so that the embedder's calibrated cosines at those FARs land on
 * those points: (cos ≤ 0 → 0), (cos_1e-1 → 0.5690), (cos_1e-3 → 0.6616), (cos_1e-5 → 0.7834),
 * (cos 1 → 1), linear in between, clamped to [0, 1]. Monotone, so a client's numeric threshold
 * means about the false-accept rate it meant at FindFace.
 */
import type { SimilarityCalibration } from '../../domain/similarity.rules.js';

export const FINDFACE_POINTS = { low: 0.569, medium: 0.6616, strict: 0.7834 } as const;

function anchors(cal: SimilarityCalibration): [number, number][] {
  const c = cal.cosineAt;
  return [
    [0, 0],
    [c.low, FINDFACE_POINTS.low],
    [c.medium, FINDFACE_POINTS.medium],
    [c.strict, FINDFACE_POINTS.strict],
    [1, 1],
  ];
}

const interp = (x: number, pts: [number, number][]): number => {
  if (x <= pts[0]![0]) return pts[0]![1];
  for (let i = 1; i < pts.length; i++) {
    const [x0, y0] = pts[i - 1]!;
    const [x1, y1] = pts[i]!;
    if (x <= x1) return x1 === x0 ? y1 : y0 + ((x - x0) * (y1 - y0)) / (x1 - x0);
  }
  return pts[pts.length - 1]![1];
};

/** Visage cosine → FindFace confidence. */
export function cosineToConfidence(cos: number, cal: SimilarityCalibration): number {
  return Math.min(1, Math.max(0, interp(cos, anchors(cal))));
}

/** FindFace confidence → the Visage cosine it stands for (the inverse map). */
export function confidenceToCosine(conf: number, cal: SimilarityCalibration): number {
  return interp(conf, anchors(cal).map(([x, y]) => [y, x] as [number, number]));
}

/** Visage similarity (the calibrated tanh scale) → cosine. */
export function similarityToCosine(s: number, cal: SimilarityCalibration): number {
  const t = Math.min(1 - 1e-12, Math.max(-1 + 1e-12, 2 * s - 1));
  return cal.c0 + Math.atanh(t) / cal.c1;
}
