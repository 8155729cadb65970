/**
 * The face regions the faceplugin attribute models (fr_expression, fr_pose, fr_eye, fr_liveness)
 * are fed, as the package's lib/*.js cuts them, plus the softmax they all end with. Boxes are
 * in image pixels; every crop is kept inside the image, as OpenCV's roi() would require.
 */
import type { Box, Point } from '../../domain/face.model.js';

/** Clips a box to the image; at least 1 px wide and high. */
export function clipBox(b: Box, width: number, height: number): Box {
  const x1 = Math.min(Math.max(b.x1, 0), width - 1);
  const y1 = Math.min(Math.max(b.y1, 0), height - 1);
  const x2 = Math.max(Math.min(b.x2, width), x1 + 1);
  const y2 = Math.max(Math.min(b.y2, height), y1 + 1);
  return { x1, y1, x2, y2 };
}

/** fr_expression: from the box's top-left corner, 1.2 × its width and height (lib/fr_expression.js). */
export function expressionBox(b: Box, width: number, height: number): Box {
  const w = b.x2 - b.x1;
  const h = b.y2 - b.y1;
  return clipBox({ x1: b.x1, y1: b.y1, x2: b.x1 + 1.2 * w, y2: b.y1 + 1.2 * h }, width, height);
}

/** fr_pose: the box grown by a quarter of its size on every side (1.5×, lib/fr_pose.js). */
export function poseBox(b: Box, width: number, height: number): Box {
  const w = b.x2 - b.x1;
  const h = b.y2 - b.y1;
  return clipBox({ x1: b.x1 - w / 4, y1: b.y1 - h / 4, x2: b.x2 + w / 4, y2: b.y2 + h / 4 }, width, height);
}

/**
 * fr_liveness: the box scaled by 2.7 about its centre (less when the image is too small), then
 * shifted, not shrunk, to lie inside the image (lib/fr_liveness.js alignLivenessImage).
 */
export function livenessBox(b: Box, width: number, height: number, scaleWanted = 2.7): Box {
  const w = b.x2 - b.x1;
  const h = b.y2 - b.y1;
  const scale = Math.min((height - 1) / h, (width - 1) / w, scaleWanted);
  const nw = w * scale;
  const nh = h * scale;
  let x1 = (b.x1 + b.x2) / 2 - nw / 2;
  let y1 = (b.y1 + b.y2) / 2 - nh / 2;
  x1 = Math.min(Math.max(x1, 0), width - 1 - nw);
  y1 = Math.min(Math.max(y1, 0), height - 1 - nh);
  return clipBox({ x1, y1, x2: x1 + nw, y2: y1 + nh }, width, height);
}

/**
 * fr_eye: a square per eye, centred on the mean of the 4 lid points (37, 38, 40, 41 / 43, 44,
 * 46, 47), side 1.6 × the corner-to-corner width (36→39 / 42→45) (lib/fr_eye.js getEyeBBox).
 * Returns [left, right] as seen in the image.
 */
export function eyeBoxes(p: Point[], width: number, height: number): [Box, Box] {
  const one = (lids: number[], a: number, b: number): Box => {
    let cx = 0, cy = 0;
    for (const i of lids) {
      cx += p[i]!.x / lids.length;
      cy += p[i]!.y / lids.length;
    }
    const size = Math.max(2, Math.hypot(p[b]!.x - p[a]!.x, p[b]!.y - p[a]!.y) * 1.6);
    return clipBox({ x1: cx - size / 2, y1: cy - size / 2, x2: cx + size / 2, y2: cy + size / 2 }, width, height);
  };
  return [one([37, 38, 40, 41], 36, 39), one([43, 44, 46, 47], 42, 45)];
}

export function softmax(v: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) max = Math.max(max, v[i]!);
  const e = Array.from({ length: v.length }, (_, i) => Math.exp(v[i]! - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}
