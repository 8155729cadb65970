/** Turning bytes (or a URL) into upright RGB pixels. */
import type { Box, RgbImage } from '../domain/face.model.js';

export interface ImageDecoder {
  /** Decodes and applies EXIF orientation. Throws IMAGE_DECODE_FAILED, IMAGE_TOO_LARGE or UNSUPPORTED_MEDIA_TYPE. */
  decode(bytes: Uint8Array): Promise<RgbImage>;
}

/**
 * Stricter rules a caller may set for one fetch (an API whose contract promises them); they can
 * only tighten the server's own limits, never loosen them.
 */
export interface FetchLimits {
  /** A shorter deadline for the whole fetch, in ms (the server's own applies when it is shorter). */
  timeoutMs?: number;
  /** Only an `image/*` content type is accepted: no missing type, no application/octet-stream. */
  requireImageType?: boolean;
}

export interface ImageFetcher {
  /** Fetches an image by URL under the SSRF rules. Throws URL_FORBIDDEN or URL_FETCH_FAILED. */
  fetch(url: string, limits?: FetchLimits): Promise<Uint8Array>;
}

/** JPEG by default; WEBP for search results, which browsers show straight from a data URL. */
export interface ThumbnailOptions {
  format?: 'jpeg' | 'webp';
  /** Longest side in pixels (default 160). */
  size?: number;
}

export interface FaceThumbnailer {
  /**
   * A small square JPEG around each face, in order, cut from the pixels the faces were found in
   * (the photo is not decoded again). Boxes are in the photo's own upright pixels; the pixels
   * may be the photo downscaled under the analysis cap (`image.original` gives its size).
   */
  thumbnails(image: RgbImage, boxes: Box[], o?: ThumbnailOptions): Promise<Uint8Array[]>;
}
