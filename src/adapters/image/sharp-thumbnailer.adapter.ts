/**
 * Face thumbnails for galleries that keep them: the face box widened to a square 1.6× its longer
 * side (forehead, chin and some hair, like an ID photo), clipped to the photo, scaled to at most
 * 160 px and encoded as JPEG (quality 80, a few KB). The photo itself is never kept. Cut from
 * the decoded pixels the analysis used, so an enrolment decodes its photo once.
 */
import sharp from 'sharp';
import type { Box, RgbImage } from '../../domain/face.model.js';
import type { FaceThumbnailer, ThumbnailOptions } from '../../ports/image.port.js';

const WIDEN = 1.6;
const SIZE = 160;

export class SharpThumbnailer implements FaceThumbnailer {
  async thumbnails(image: RgbImage, boxes: Box[], o: ThumbnailOptions = {}): Promise<Uint8Array[]> {
    if (boxes.length === 0) return [];
    const { width, height } = image;
    // Boxes are in the photo's pixels; the decoded pixels may be that photo downscaled.
    const sx = image.original ? width / image.original.width : 1;
    const sy = image.original ? height / image.original.height : 1;
    const input = sharp(image.data, { raw: { width, height, channels: 3 } });
    return Promise.all(
      boxes.map(async (box) => {
        const scaled = { x1: box.x1 * sx, y1: box.y1 * sy, x2: box.x2 * sx, y2: box.y2 * sy };
        const cut = input
          .clone()
          .extract(squareAround(scaled, width, height))
          .resize(o.size ?? SIZE, o.size ?? SIZE, { fit: 'inside', withoutEnlargement: true });
        const jpeg = await (o.format === 'webp' ? cut.webp({ quality: 70 }) : cut.jpeg({ quality: 80 })).toBuffer();
        return new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.length);
      }),
    );
  }
}

/** The widened square around the box, clipped to the photo (at least one pixel). */
function squareAround(box: Box, width: number, height: number): { left: number; top: number; width: number; height: number } {
  const side = Math.max(box.x2 - box.x1, box.y2 - box.y1) * WIDEN;
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  const left = clamp(Math.floor(cx - side / 2), 0, width - 1);
  const top = clamp(Math.floor(cy - side / 2), 0, height - 1);
  const right = clamp(Math.ceil(cx + side / 2), left + 1, width);
  const bottom = clamp(Math.ceil(cy + side / 2), top + 1, height);
  return { left, top, width: right - left, height: bottom - top };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
