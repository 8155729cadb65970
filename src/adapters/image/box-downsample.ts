/**
 * Integer box-filter downsampling: each output pixel is the mean of an f×f block. Bilinear
 * sampling alone aliases badly when a 7,000 px photo is shrunk 10x for a detector; averaging
 * blocks first and then sampling bilinearly at the remaining 1.5–2.25x keeps edges (faces) intact.
 * Large blocks are averaged over an evenly spaced subset of at most `maxTaps`² pixels, which
 * filters nearly as well at a fraction of the cost.
 */
import type { RgbImage } from '../../domain/face.model.js';
import { nativeKernels } from './native-kernels.js';

export function boxDownsample(img: RgbImage, factor: number, maxTaps = 4): RgbImage {
  const f = Math.floor(factor);
  if (f <= 1) return img;
  const w = Math.floor(img.width / f);
  const h = Math.floor(img.height / f);
  const taps = Math.min(f, maxTaps);
  const native = nativeKernels();
  if (native) {
    // The same samples and rounding as the loops below (native-kernels.ts).
    const out = new Uint8Array(w * h * 3);
    native.boxDownsample(img.data, img.width, img.height, f, taps, out);
    return { width: w, height: h, data: out };
  }
  if (taps === 4) return boxDownsample4(img, f, w, h);
  // Offsets of the sampled rows/columns inside a block: centres of `taps` equal slices.
  const offs = Array.from({ length: taps }, (_, k) => Math.floor(((k + 0.5) * f) / taps));
  const out = new Uint8Array(w * h * 3);
  const src = img.data;
  const inv = 1 / (taps * taps);
  // Byte offsets of every sampled column, block by block, and of the sampled rows of the current
  // block row: each output pixel is then taps² loads and adds, summed in registers.
  const cols = new Int32Array(w * taps);
  for (let x = 0; x < w; x++) for (let k = 0; k < taps; k++) cols[x * taps + k] = (x * f + offs[k]!) * 3;
  const stride = img.width * 3;
  const rows = new Int32Array(taps);
  for (let y = 0; y < h; y++) {
    for (let k = 0; k < taps; k++) rows[k] = (y * f + offs[k]!) * stride;
    let o = y * w * 3;
    for (let x = 0, c = 0; x < w; x++, c += taps) {
      let r = 0, g = 0, b = 0;
      for (let ky = 0; ky < taps; ky++) {
        const row = rows[ky]!;
        for (let k = 0; k < taps; k++) {
          const i = row + cols[c + k]!;
          r += src[i]!;
          g += src[i + 1]!;
          b += src[i + 2]!;
        }
      }
      out[o++] = Math.round(r * inv);
      out[o++] = Math.round(g * inv);
      out[o++] = Math.round(b * inv);
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * The 4×4-tap case (every factor from 4 on, i.e. every big photo) unrolled: the same samples and
 * rounding as the general loop (round(sum / 16) = (sum + 8) >> 4), without the column-offset
 * table and inner loops: 31 → 13 ms for a 36 MP photo at factor 10.
 */
function boxDownsample4(img: RgbImage, f: number, w: number, h: number): RgbImage {
  const off = (k: number) => Math.floor(((k + 0.5) * f) / 4);
  const stride = img.width * 3;
  // Each sampled pixel relative to the block's first sample: columns c·, rows d·.
  const c1 = (off(1) - off(0)) * 3, c2 = (off(2) - off(0)) * 3, c3 = (off(3) - off(0)) * 3;
  const d1 = (off(1) - off(0)) * stride, d2 = (off(2) - off(0)) * stride, d3 = (off(3) - off(0)) * stride;
  const out = new Uint8Array(w * h * 3);
  const src = img.data;
  const step = f * 3;
  let o = 0;
  for (let y = 0; y < h; y++) {
    let i = (y * f + off(0)) * stride + off(0) * 3;
    for (let x = 0; x < w; x++, i += step) {
      let r = 0, g = 0, b = 0;
      for (let d = 0; d < 4; d++) {
        const j = i + (d === 0 ? 0 : d === 1 ? d1 : d === 2 ? d2 : d3);
        r += src[j]! + src[j + c1]! + src[j + c2]! + src[j + c3]!;
        g += src[j + 1]! + src[j + 1 + c1]! + src[j + 1 + c2]! + src[j + 1 + c3]!;
        b += src[j + 2]! + src[j + 2 + c1]! + src[j + 2 + c2]! + src[j + 2 + c3]!;
      }
      out[o++] = (r + 8) >> 4;
      out[o++] = (g + 8) >> 4;
      out[o++] = (b + 8) >> 4;
    }
  }
  return { width: w, height: h, data: out };
}
