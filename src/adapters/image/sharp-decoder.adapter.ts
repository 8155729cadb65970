/**
 * Image decoding with sharp (libvips): sniffs the real format from the bytes, refuses what is not
 * an image, bounds pixels before decoding (decompression bombs) and applies EXIF orientation.
 */
import sharp from 'sharp';
import { VisageError } from '../../domain/error.registry.js';
import type { RgbImage } from '../../domain/face.model.js';
import type { ImageDecoder } from '../../ports/image.port.js';

export interface DecoderLimits {
  /** Largest width × height accepted (after EXIF rotation it is the same count). */
  maxPixels: number;
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
    try {
      const { data, info } = await sharp(bytes, { limitInputPixels: this.limits.maxPixels, failOn: 'error', pages: 1 })
        .rotate() // EXIF orientation
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) throw new Error(`unexpected ${info.channels} channels`);
      return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
    } catch (e) {
      throw new VisageError('IMAGE_DECODE_FAILED', 'The image data is corrupt or truncated', {}, { cause: e });
    }
  }
}
