/**
 * Pixel operations the model adapters share: bilinear sampling into CHW float tensors (with each
 * model's colour order and normalisation), crops and similarity-warps. Plain loops over
 * Uint8Array: a 112x112 warp is about 40k samples, far below inference cost.
 */
import type { Box, RgbImage } from '../../domain/face.model.js';
import { separableWarpToTensor } from './separable-warp.js';

export interface TensorSpec {
  width: number;
  height: number;
  /** Channel order written to the tensor. */
  colour: 'RGB' | 'BGR' | 'GREY';
  /** value = (pixel − mean) / std, per written channel (one value applies to all). */
  mean: number | [number, number, number];
  std: number | [number, number, number];
}

/** 2x3 affine matrix mapping destination (tensor) pixel centres to source image coordinates. */
export type Affine = [number, number, number, number, number, number];

const chan = (v: number | [number, number, number], c: number) => (typeof v === 'number' ? v : v[c]!);

/**
 * Samples `img` at destination pixels mapped through `m` (dst → src), bilinear, edge pixels
 * clamped, into a CHW Float32Array (1 channel for GREY: 0.299R + 0.587G + 0.114B).
 * Axis-aligned colour warps (every detector pass) take the separable fast path, same values.
 */
export function warpToTensor(img: RgbImage, m: Affine, spec: TensorSpec, out?: Float32Array, offset = 0): Float32Array {
  if (m[1] === 0 && m[3] === 0 && spec.colour !== 'GREY') return separableWarpToTensor(img, m, spec, out, offset);
  return affineWarpToTensor(img, m, spec, out, offset);
}

/** warpToTensor for any affine: neighbours and weights computed per pixel. */
export function affineWarpToTensor(img: RgbImage, m: Affine, spec: TensorSpec, out?: Float32Array, offset = 0): Float32Array {
  const { width: W, height: H, colour } = spec;
  const channels = colour === 'GREY' ? 1 : 3;
  const plane = W * H;
  const t = out ?? new Float32Array(channels * plane);
  const src = img.data;
  const sw = img.width;
  const sh = img.height;
  const order = colour === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const mean = [chan(spec.mean, 0), chan(spec.mean, 1), chan(spec.mean, 2)];
  const inv = [1 / chan(spec.std, 0), 1 / chan(spec.std, 1), 1 / chan(spec.std, 2)];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const sx = m[0] * x + m[1] * y + m[2];
      const sy = m[3] * x + m[4] * y + m[5];
      let x0 = Math.floor(sx);
      let y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      let x1 = x0 + 1;
      let y1 = y0 + 1;
      x0 = x0 < 0 ? 0 : x0 >= sw ? sw - 1 : x0;
      x1 = x1 < 0 ? 0 : x1 >= sw ? sw - 1 : x1;
      y0 = y0 < 0 ? 0 : y0 >= sh ? sh - 1 : y0;
      y1 = y1 < 0 ? 0 : y1 >= sh ? sh - 1 : y1;
      const i00 = (y0 * sw + x0) * 3;
      const i01 = (y0 * sw + x1) * 3;
      const i10 = (y1 * sw + x0) * 3;
      const i11 = (y1 * sw + x1) * 3;
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      const p = y * W + x;
      if (channels === 1) {
        let g = 0;
        const k = [0.299, 0.587, 0.114];
        for (let c = 0; c < 3; c++) {
          g += k[c]! * (src[i00 + c]! * w00 + src[i01 + c]! * w01 + src[i10 + c]! * w10 + src[i11 + c]! * w11);
        }
        t[offset + p] = (g - mean[0]!) * inv[0]!;
      } else {
        for (let c = 0; c < 3; c++) {
          const s = order[c]!;
          const v = src[i00 + s]! * w00 + src[i01 + s]! * w01 + src[i10 + s]! * w10 + src[i11 + s]! * w11;
          t[offset + c * plane + p] = (v - mean[c]!) * inv[c]!;
        }
      }
    }
  }
  return t;
}

/** Affine that stretches `box` (source pixels) onto a W×H tensor, pixel centres aligned. */
export function boxToAffine(box: Box, width: number, height: number): Affine {
  const sx = (box.x2 - box.x1) / width;
  const sy = (box.y2 - box.y1) / height;
  return [sx, 0, box.x1 + 0.5 * sx - 0.5, 0, sy, box.y1 + 0.5 * sy - 0.5];
}

/** Crop-and-resize of a box into a tensor (stretched, bilinear). */
export function cropToTensor(img: RgbImage, box: Box, spec: TensorSpec, out?: Float32Array, offset = 0): Float32Array {
  return warpToTensor(img, boxToAffine(box, spec.width, spec.height), spec, out, offset);
}

/**
 * Least-squares similarity transform (rotation, uniform scale, translation) taking `from` points
 * onto `to` points (Umeyama without reflection). Returns [a, -b, tx, b, a, ty]:
 * x' = a·x − b·y + tx, y' = b·x + a·y + ty.
 */
export function similarityTransform(from: { x: number; y: number }[], to: { x: number; y: number }[]): Affine {
  const n = from.length;
  let fx = 0, fy = 0, tx = 0, ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[i]!.x; fy += from[i]!.y; tx += to[i]!.x; ty += to[i]!.y;
  }
  fx /= n; fy /= n; tx /= n; ty /= n;
  let sxx = 0, sxy = 0, var0 = 0;
  for (let i = 0; i < n; i++) {
    const ax = from[i]!.x - fx, ay = from[i]!.y - fy;
    const bx = to[i]!.x - tx, by = to[i]!.y - ty;
    sxx += ax * bx + ay * by; // Σ a·b
    sxy += ax * by - ay * bx; // Σ a×b
    var0 += ax * ax + ay * ay;
  }
  const a = sxx / var0;
  const b = sxy / var0;
  return [a, -b, tx - (a * fx - b * fy), b, a, ty - (b * fx + a * fy)];
}

/** Inverse of an affine matrix. */
export function invertAffine(m: Affine): Affine {
  const det = m[0] * m[4] - m[1] * m[3];
  const a = m[4] / det, b = -m[1] / det, d = -m[3] / det, e = m[0] / det;
  return [a, b, -(a * m[2] + b * m[5]), d, e, -(d * m[2] + e * m[5])];
}

/** Applies an affine to a point. */
export function applyAffine(m: Affine, p: { x: number; y: number }): { x: number; y: number } {
  return { x: m[0] * p.x + m[1] * p.y + m[2], y: m[3] * p.x + m[4] * p.y + m[5] };
}
