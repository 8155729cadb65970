/**
 * Pixel operations the model adapters share: bilinear sampling into CHW float tensors (with each
 * model's colour order and normalisation), crops and similarity-warps. The warps run in C++ when
 * the native kernels are built (native-kernels.ts); the loops here are the fallback and the
 * reference they match float for float.
 */
import type { Box, RgbImage } from '../../domain/face.model.js';
import { nativeKernels, type WarpArgs } from './native-kernels.js';

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
/** The source channel read for each tensor channel. */
const sourceChannels = (spec: TensorSpec): [number, number, number] => (spec.colour === 'BGR' ? [2, 1, 0] : [0, 1, 2]);
/** Axis-aligned colour warps (scale, shift, mirror) take the separable path. */
const isSeparable = (m: Affine, spec: TensorSpec) => m[1] === 0 && m[3] === 0 && spec.colour !== 'GREY';

/**
 * Samples `img` at destination pixels mapped through `m` (dst → src), bilinear, edge pixels
 * clamped, into a CHW Float32Array (1 channel for GREY: 0.299R + 0.587G + 0.114B).
 * Axis-aligned colour warps (every detector pass) take the separable fast path, same values.
 */
export function warpToTensor(img: RgbImage, m: Affine, spec: TensorSpec, out?: Float32Array, offset = 0): Float32Array {
  const native = nativeKernels();
  if (native) {
    // The same arithmetic as the loops below, term for term (native-kernels.ts).
    const channels = spec.colour === 'GREY' ? 1 : 3;
    const t = out ?? new Float32Array(channels * spec.width * spec.height);
    const [s0, s1, s2] = sourceChannels(spec);
    const args: WarpArgs = [
      img.data, img.width, img.height, ...m, spec.width, spec.height, channels, s0, s1, s2,
      chan(spec.mean, 0), chan(spec.mean, 1), chan(spec.mean, 2),
      1 / chan(spec.std, 0), 1 / chan(spec.std, 1), 1 / chan(spec.std, 2), t, offset,
    ];
    if (isSeparable(m, spec)) native.separableWarp(...args);
    else native.affineWarp(...args);
    return t;
  }
  if (isSeparable(m, spec)) return separableWarpToTensor(img, m, spec, out, offset);
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
  const order = sourceChannels(spec);
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

interface Axis {
  /** Clamped first and second neighbour (index into the source axis) and the fraction. */
  i0: Int32Array;
  i1: Int32Array;
  f: Float64Array;
}

/** Neighbours along one axis: source coordinate s = scale·k + shift for k in [0, n). */
function axis(n: number, scale: number, shift: number, size: number): Axis {
  const a: Axis = { i0: new Int32Array(n), i1: new Int32Array(n), f: new Float64Array(n) };
  for (let k = 0; k < n; k++) {
    const s = scale * k + shift;
    const lo = Math.floor(s);
    a.f[k] = s - lo;
    const hi = lo + 1;
    a.i0[k] = lo < 0 ? 0 : lo >= size ? size - 1 : lo;
    a.i1[k] = hi < 0 ? 0 : hi >= size ? size - 1 : hi;
  }
  return a;
}

/**
 * warpToTensor's fast path for axis-aligned transforms (m[1] = m[3] = 0: scale, shift, mirror),
 * which is every detector pass. Source column and row of each tensor pixel depend on x or y only,
 * so their clamped indices and fractions are computed once per column and once per row instead of
 * once per pixel, and the RGB loop is unrolled. The arithmetic per sample is the general path's,
 * term for term, so both give the same floats (test/adapters/image/separable-warp.test.ts).
 */
function separableWarpToTensor(img: RgbImage, m: Affine, spec: TensorSpec, out?: Float32Array, offset = 0): Float32Array {
  const { width: W, height: H } = spec;
  const plane = W * H;
  const t = out ?? new Float32Array(3 * plane);
  const src = img.data;
  const sw = img.width;
  // sx = m0·x + m1·y + m2 with m1 = 0; 0·y is 0, so this is the generic path's value.
  const cols = axis(W, m[0], m[2], sw);
  const rows = axis(H, m[4], m[5], img.height);
  const [s0, s1, s2] = sourceChannels(spec);
  const m0 = chan(spec.mean, 0), m1 = chan(spec.mean, 1), m2 = chan(spec.mean, 2);
  const k0 = 1 / chan(spec.std, 0), k1 = 1 / chan(spec.std, 1), k2 = 1 / chan(spec.std, 2);
  const o1 = offset + plane, o2 = offset + 2 * plane;
  for (let y = 0; y < H; y++) {
    const r0 = rows.i0[y]! * sw, r1 = rows.i1[y]! * sw;
    const fy = rows.f[y]!;
    const gy = 1 - fy;
    let p = y * W;
    for (let x = 0; x < W; x++, p++) {
      const fx = cols.f[x]!;
      const c0 = cols.i0[x]!, c1 = cols.i1[x]!;
      const i00 = (r0 + c0) * 3, i01 = (r0 + c1) * 3, i10 = (r1 + c0) * 3, i11 = (r1 + c1) * 3;
      const w00 = (1 - fx) * gy, w01 = fx * gy, w10 = (1 - fx) * fy, w11 = fx * fy;
      t[offset + p] = (src[i00 + s0]! * w00 + src[i01 + s0]! * w01 + src[i10 + s0]! * w10 + src[i11 + s0]! * w11 - m0) * k0;
      t[o1 + p] = (src[i00 + s1]! * w00 + src[i01 + s1]! * w01 + src[i10 + s1]! * w10 + src[i11 + s1]! * w11 - m1) * k1;
      t[o2 + p] = (src[i00 + s2]! * w00 + src[i01 + s2]! * w01 + src[i10 + s2]! * w10 + src[i11 + s2]! * w11 - m2) * k2;
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
