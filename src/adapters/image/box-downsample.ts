/**
 * Integer box-filter downsampling: each output pixel is the mean of an f×f block. Bilinear
 * sampling alone aliases badly when a 7,000 px photo is shrunk 10x for a detector; averaging
 * blocks first and then sampling bilinearly at the remaining 1.5–2.25x keeps edges (faces) intact.
 * Large blocks are averaged over an evenly spaced subset of at most `maxTaps`² pixels, which
 * filters nearly as well at a fraction of the cost.
 */
import type { RgbImage } from '../../domain/face.model.js';

export function boxDownsample(img: RgbImage, factor: number, maxTaps = 4): RgbImage {
  const f = Math.floor(factor);
  if (f <= 1) return img;
  const w = Math.floor(img.width / f);
  const h = Math.floor(img.height / f);
  const taps = Math.min(f, maxTaps);
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
