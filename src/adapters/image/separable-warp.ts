/**
 * warpToTensor's fast path for axis-aligned transforms (m[1] = m[3] = 0: scale, shift, mirror),
 * which is every detector pass. Source column and row of each tensor pixel depend on x or y only,
 * so their clamped indices and fractions are computed once per column and once per row instead of
 * once per pixel, and the RGB loop is unrolled. The arithmetic per sample is the generic path's,
 * term for term, so both give the same floats (test/adapters/image/separable-warp.test.ts).
 */
import type { RgbImage } from '../../domain/face.model.js';
import type { Affine, TensorSpec } from './pixel-ops.js';

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

const chan = (v: number | [number, number, number], c: number) => (typeof v === 'number' ? v : v[c]!);

export function separableWarpToTensor(img: RgbImage, m: Affine, spec: TensorSpec, out?: Float32Array, offset = 0): Float32Array {
  const { width: W, height: H } = spec;
  const plane = W * H;
  const t = out ?? new Float32Array(3 * plane);
  const src = img.data;
  const sw = img.width;
  // sx = m0·x + m1·y + m2 with m1 = 0; 0·y is 0, so this is the generic path's value.
  const cols = axis(W, m[0], m[2], sw);
  const rows = axis(H, m[4], m[5], img.height);
  const [s0, s1, s2] = spec.colour === 'BGR' ? [2, 1, 0] : [0, 1, 2];
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
