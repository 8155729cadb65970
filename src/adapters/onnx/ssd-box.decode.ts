/**
 * SSD prior boxes and output decoding for the RFB-320 face detector. The shipped graph decodes
 * its box regressions against priors baked in for 320x240; our any-size graph
 * (rfb-graph.rewrite.ts) stops before that, and this module does the same decoding with the
 * priors of the size actually run, for the priors whose score is kept, then maps the normalised
 * corners back to image pixels.
 */
import type { Box } from '../../domain/face.model.js';
import type { ScoredBox } from '../../domain/nms.rules.js';

export interface SsdPriorConfig {
  /** Anchor sizes in input pixels, one list per feature map. */
  minSizes: number[][];
  /** Feature-map strides in input pixels. */
  strides: number[];
}

export const RFB_PRIORS: SsdPriorConfig = {
  minSizes: [[10, 16, 24], [32, 48], [64, 96], [128, 192, 256]],
  strides: [8, 16, 32, 64],
};

/** Number of priors for an input of width×height: Σ ceil(W/s)·ceil(H/s)·|sizes|. */
export function priorCount(width: number, height: number, cfg: SsdPriorConfig = RFB_PRIORS): number {
  let n = 0;
  cfg.strides.forEach((s, k) => {
    n += Math.ceil(width / s) * Math.ceil(height / s) * cfg.minSizes[k]!.length;
  });
  return n;
}

/**
 * Priors as the graph stores them: for each feature map, row, column and anchor size,
 * centre = ((i + 0.5) / gridW, (j + 0.5) / gridH) with grid = ceil(size / stride), size =
 * (min / W, min / H), all clipped to [0, 1]. This reproduces the shipped 320x240 constants exactly.
 */
export function ssdPriors(width: number, height: number, cfg: SsdPriorConfig = RFB_PRIORS): { centres: Float32Array; sizes: Float32Array } {
  const n = priorCount(width, height, cfg);
  const centres = new Float32Array(n * 2);
  const sizes = new Float32Array(n * 2);
  const clip = (v: number) => Math.min(1, Math.max(0, v));
  let p = 0;
  cfg.strides.forEach((s, k) => {
    const gw = Math.ceil(width / s);
    const gh = Math.ceil(height / s);
    for (let j = 0; j < gh; j++) {
      for (let i = 0; i < gw; i++) {
        for (const m of cfg.minSizes[k]!) {
          centres[2 * p] = clip((i + 0.5) / gw);
          centres[2 * p + 1] = clip((j + 0.5) / gh);
          sizes[2 * p] = clip(m / width);
          sizes[2 * p + 1] = clip(m / height);
          p++;
        }
      }
    }
  });
  return { centres, sizes };
}

/** The SSD variances the graph was trained with: centre offsets × 0.1, log-sizes × 0.2. */
const CENTRE_VARIANCE = 0.1;
const SIZE_VARIANCE = 0.2;

/**
 * Keeps the priors whose face score reaches `threshold`, decodes their regressions (d) against
 * the priors (p) as the shipped graph does, cx = p.cx + 0.1·dx·p.w, w = p.w·exp(0.2·dw) (y and h
 * alike), then x1 = cx − w/2, x2 = cx + w/2 in the input's normalised units, and maps those onto
 * `region` (the image pixels the input tensor was stretched from): x = region.x1 + u·regionWidth
 * (x = region.x2 − u·regionWidth when the input was mirrored).
 * `scores` is [N, 2] softmax (background, face); `regressions` is [N, 4] (dx, dy, dw, dh).
 */
export function decodeSsdOutput(
  scores: Float32Array,
  regressions: Float32Array,
  priors: { centres: Float32Array; sizes: Float32Array },
  region: Box,
  threshold: number,
  flip = false,
): ScoredBox[] {
  const n = scores.length / 2;
  const { centres, sizes } = priors;
  if (regressions.length !== 4 * n || centres.length !== 2 * n) throw new Error(`SSD output of ${n} priors does not match ${centres.length / 2} priors`);
  const rw = region.x2 - region.x1;
  const rh = region.y2 - region.y1;
  const out: ScoredBox[] = [];
  for (let i = 0; i < n; i++) {
    const score = scores[2 * i + 1]!;
    if (score < threshold) continue;
    const pw = sizes[2 * i]!;
    const ph = sizes[2 * i + 1]!;
    const cx = centres[2 * i]! + regressions[4 * i]! * CENTRE_VARIANCE * pw;
    const cy = centres[2 * i + 1]! + regressions[4 * i + 1]! * CENTRE_VARIANCE * ph;
    const hw = (Math.exp(regressions[4 * i + 2]! * SIZE_VARIANCE) * pw) / 2;
    const hh = (Math.exp(regressions[4 * i + 3]! * SIZE_VARIANCE) * ph) / 2;
    const u1 = cx - hw;
    const u2 = cx + hw;
    out.push({
      score,
      box: {
        // A mirrored input reads u from the region's right edge.
        x1: flip ? region.x2 - u2 * rw : region.x1 + u1 * rw,
        y1: region.y1 + (cy - hh) * rh,
        x2: flip ? region.x2 - u1 * rw : region.x1 + u2 * rw,
        y2: region.y1 + (cy + hh) * rh,
      },
    });
  }
  return out;
}
