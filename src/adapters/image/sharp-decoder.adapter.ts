/**
 * Image decoding with sharp (libvips): sniffs the real format from the bytes, refuses what is not
 * an image, bounds pixels before decoding (decompression bombs) and applies EXIF orientation.
 * Photos larger than the analysis cap are decoded straight to the cap, so the pixels handed on
 * (copied to a worker, scanned by the models) are ~1/6 of a 36 MP photo's. JPEG shrink-on-load
 * only helps from an overall shrink of 3 (sharp skips it below that for libjpeg rounding), so
 * at the default cap most phone photos are still decoded whole, then reduced in the same pass.
 */
import sharp from 'sharp';
import { VisageError } from '../../domain/error.registry.js';
import type { RgbImage } from '../../domain/face.model.js';
import type { ImageDecoder } from '../../ports/image.port.js';
import { uprightSize } from './upright-size.js';

export interface DecoderLimits {
  /** Largest width × height accepted (after EXIF rotation it is the same count). */
  maxPixels: number;
  /**
   * Longest side (after EXIF rotation) decoded; larger photos come back downscaled with
   * `original` set. Absent: always full resolution (eval tools compare with labels in pixels).
   */
  maxAnalysisSide?: number;
}

const SUPPORTED = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif', 'heif']);

export class SharpDecoder implements ImageDecoder {
  constructor(private readonly limits: DecoderLimits) {}

  async decode(bytes: Uint8Array): Promise<RgbImage> {
    if (bytes.length === 0) throw new VisageError('IMAGE_DECODE_FAILED', 'The image is empty (0 bytes)');
    let meta: sharp.Metadata;
    try {
      // limitInputPixels is checked from the header, before any pixel is decoded.
      meta = await sharp(bytes, { limitInputPixels: false, failOn: 'error' }).metadata();
    } catch {
      throw new VisageError('UNSUPPORTED_MEDIA_TYPE', 'The data is not an image in a supported format (JPEG, PNG, WEBP, GIF, TIFF, AVIF, HEIF)');
    }
    if (!meta.format || !SUPPORTED.has(meta.format)) {
      throw new VisageError('UNSUPPORTED_MEDIA_TYPE', `Image format ${meta.format ?? 'unknown'} is not supported`);
    }
    const w = meta.width ?? 0;
    const h = meta.height ?? 0;
    if (w * h > this.limits.maxPixels) {
      throw new VisageError('IMAGE_TOO_LARGE', `The image has ${w}x${h} pixels; the limit is ${this.limits.maxPixels} pixels`, {
        width: w,
        height: h,
        maxPixels: this.limits.maxPixels,
      });
    }
    const upright = uprightSize(meta);
    const cap = this.limits.maxAnalysisSide;
    const shrink = cap !== undefined && Math.max(upright.width, upright.height) > cap;
    try {
      let pipeline = sharp(bytes, { limitInputPixels: this.limits.maxPixels, failOn: 'error', pages: 1 }).rotate(); // EXIF orientation
      // After rotate(), resize works on the upright photo; `inside` scales the longer side to the cap.
      // Linear (a triangle filter widened by the shrink, so still anti-aliased) rather than the
      // default lanczos3: ~35 ms less on a 36 MP photo, same boxes within 0.1 px; the models
      // resample to ≤ 224 px crops anyway.
      if (shrink) pipeline = pipeline.resize({ width: cap, height: cap, fit: 'inside', withoutEnlargement: true, kernel: 'linear' });
      const { data, info } = await pipeline
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) throw new Error(`unexpected ${info.channels} channels`);
      const image: RgbImage = { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
      if (shrink && (info.width !== upright.width || info.height !== upright.height)) image.original = upright;
      return image;
    } catch (e) {
      throw new VisageError('IMAGE_DECODE_FAILED', 'The image data is corrupt or truncated', {}, { cause: e });
    }
  }
}
