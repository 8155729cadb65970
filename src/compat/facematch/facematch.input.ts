/**
 * Reading Face.Match.Expert request bodies with strict types: JSON only, every field the type
 * the vendor documents (a number where a base64 string belongs is refused, not coerced), images
 * as base64 (a `data:` prefix and `\/` escapes are tolerated). Refusals are BAD_PARAM or
 * IMAGE_MISSING, which the error table answers as 422.
 */
import type { FastifyRequest } from 'fastify';
import type { ImageInput, ImportItem } from '../../core/index.js';
import { VisageError, badParam } from '../../domain/error.registry.js';
import { decodeBase64Image } from '../../http/shared/image-input.js';

export function jsonObject(req: FastifyRequest): Record<string, unknown> {
  const b = req.body;
  if (b === undefined || b === null) throw new VisageError('BAD_REQUEST', 'Send a JSON object body (Content-Type: application/json)');
  if (typeof b !== 'object' || Array.isArray(b) || Buffer.isBuffer(b)) throw new VisageError('BAD_REQUEST', 'The body must be a JSON object');
  return b as Record<string, unknown>;
}

export function text(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (v === undefined || v === null || v === '') throw new VisageError(name.startsWith('image') ? 'IMAGE_MISSING' : 'BAD_PARAM', `${name} is required`, { param: name });
  if (typeof v !== 'string') throw badParam(name, `${name} must be a string`);
  return v;
}

export function image(body: Record<string, unknown>, name: string, maxBytes: number): ImageInput {
  return { bytes: decodeBase64Image(text(body, name), name, maxBytes) };
}

/** Optional search settings of ours: `limit` (a whole number) and `threshold` (a preset name or 0..1). */
export function searchOptions(body: Record<string, unknown>): { limit?: number; threshold?: string | number } {
  const out: { limit?: number; threshold?: string | number } = {};
  if (body.limit !== undefined) {
    if (typeof body.limit !== 'number' || !Number.isInteger(body.limit)) throw badParam('limit', 'limit must be a whole number');
    out.limit = body.limit;
  }
  if (body.threshold !== undefined) {
    if (typeof body.threshold !== 'number' && typeof body.threshold !== 'string') throw badParam('threshold', 'threshold must be a number or a preset name');
    out.threshold = body.threshold;
  }
  return out;
}

/**
 * The add body: a JSON array of `{id, image}`. A malformed entry (not an object, id or image
 * not a string) refuses the request; an image that is not base64 fails only its own entry.
 */
export function addItems(req: FastifyRequest, maxBytes: number): ImportItem[] {
  const b = req.body;
  if (!Array.isArray(b)) throw new VisageError('BAD_REQUEST', 'The body must be a JSON array of {"id", "image"}');
  return b.map((entry: unknown, i): ImportItem => {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw badParam(`[${i}]`, `entry ${i} must be an object {"id", "image"}`);
    const e = entry as Record<string, unknown>;
    if (typeof e.id !== 'string' || e.id === '') throw badParam(`[${i}].id`, `entry ${i}: id must be a non-empty string`);
    if (typeof e.image !== 'string') throw badParam(`[${i}].image`, `entry ${i}: image must be a base64 string`);
    try {
      return { id: e.id, image: Buffer.from(decodeBase64Image(e.image, 'image', maxBytes)).toString('base64') };
    } catch (err) {
      if (!(err instanceof VisageError)) throw err;
      const code = err.code === 'BAD_PARAM' ? 'IMAGE_DECODE_FAILED' : err.code;
      return { id: e.id, error: { code, message: err.message } };
    }
  });
}
