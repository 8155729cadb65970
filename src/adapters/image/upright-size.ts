/** The size of a photo once its EXIF orientation is applied (what `sharp().rotate()` yields). */
import type sharp from 'sharp';

export function uprightSize(meta: Pick<sharp.Metadata, 'width' | 'height' | 'orientation'>): { width: number; height: number } {
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  // EXIF orientations 5–8 turn the photo a quarter: the upright size has the sides swapped.
  return (meta.orientation ?? 1) >= 5 ? { width: h, height: w } : { width: w, height: h };
}
