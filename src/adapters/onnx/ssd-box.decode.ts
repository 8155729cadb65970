/**
 * SSD prior boxes and output decoding for the RFB-320 face detector. The shipped graph already
 * decodes its box regressions against priors baked in as constants (cx = p.cx + 0.1·dx·p.w,
 * w = p.w·exp(0.2·dw), then corners), so running it at another input size needs the priors for
 * that size (see rfb-graph.rewrite.ts); what is left here is mapping its normalised corners back
 * to image pixels and dropping low scores.
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

/**
 * Keeps the priors whose face score reaches `threshold` and maps their normalised corners onto
 * `region` (the image pixels the input tensor was stretched from): x = region.x1 + u·regionWidth
 * (x = region.x2 − u·regionWidth when the input was mirrored).
 * `scores` is [N, 2] softmax (background, face); `boxes` is [N, 4] normalised x1, y1, x2, y2.
 */
export function decodeSsdOutput(scores: Float32Array, boxes: Float32Array, region: Box, threshold: number, flip = false): ScoredBox[] {
  const n = scores.length / 2;
  const rw = region.x2 - region.x1;
  const rh = region.y2 - region.y1;
  const out: ScoredBox[] = [];
  for (let i = 0; i < n; i++) {
    const score = scores[2 * i + 1]!;
    if (score < threshold) continue;
    const u1 = boxes[4 * i]!;
    const u2 = boxes[4 * i + 2]!;
    out.push({
      score,
      box: {
        // A mirrored input reads u from the region's right edge.
        x1: flip ? region.x2 - u2 * rw : region.x1 + u1 * rw,
        y1: region.y1 + boxes[4 * i + 1]! * rh,
        x2: flip ? region.x2 - u1 * rw : region.x1 + u2 * rw,
        y2: region.y1 + boxes[4 * i + 3]! * rh,
      },
    });
  }
  return out;
}
