/**
 * The few pixel operations the pure rules need (quality, clothing colours), kept here so core
 * never imports an adapter: a grey, fixed-size, area-averaged crop and region clipping.
 */
import type { Box, RgbImage } from '../domain/face.model.js';

/** Rec. 601 luma, the same weights the models' grey inputs use. */
export function luma(r: number, g: number, b: number): number {
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

/** Integer pixel box inside the image, or null when nothing of it is inside. */
export function clipToImage(b: Box, image: { width: number; height: number }): Box | null {
  const x1 = Math.max(0, Math.floor(b.x1));
  const y1 = Math.max(0, Math.floor(b.y1));
  const x2 = Math.min(image.width, Math.ceil(b.x2));
  const y2 = Math.min(image.height, Math.ceil(b.y2));
  return x2 > x1 && y2 > y1 ? { x1, y1, x2, y2 } : null;
}

/**
 * Grey crop of `box` (clipped) resampled to size×size: each output pixel is the mean luma of
 * the source pixels it covers (area averaging; nearest pixel when upsampling), so the result
 * describes the face at one scale whatever its size in the photo.
 */
export function greyCrop(image: RgbImage, box: Box, size: number): Float32Array | null {
  const b = clipToImage(box, image);
  if (!b) return null;
  const out = new Float32Array(size * size);
  const w = b.x2 - b.x1;
  const h = b.y2 - b.y1;
  const d = image.data;
  for (let oy = 0; oy < size; oy++) {
    const sy1 = b.y1 + Math.floor((oy * h) / size);
    const sy2 = Math.max(sy1 + 1, b.y1 + Math.floor(((oy + 1) * h) / size));
    for (let ox = 0; ox < size; ox++) {
      const sx1 = b.x1 + Math.floor((ox * w) / size);
      const sx2 = Math.max(sx1 + 1, b.x1 + Math.floor(((ox + 1) * w) / size));
      let sum = 0;
      for (let y = sy1; y < sy2; y++) {
        let i = (y * image.width + sx1) * 3;
        for (let x = sx1; x < sx2; x++, i += 3) sum += luma(d[i]!, d[i + 1]!, d[i + 2]!);
      }
      out[oy * size + ox] = sum / ((sy2 - sy1) * (sx2 - sx1));
    }
  }
  return out;
}
