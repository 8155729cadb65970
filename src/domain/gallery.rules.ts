/**
 * Galleries and stored faces: the pure rules every interface shares (names, client ids, meta),
 * so the native API and each vendor dialect refuse the same things with the same codes.
 */
import { badParam } from './error.registry.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** URL-safe, so a gallery name can sit in a path without escaping. */
const GALLERY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const MAX_DESCRIPTION_LENGTH = 1000;
export const MAX_CLIENT_ID_LENGTH = 128;
/** Meta is for labels and small records, not documents: it is read on every search hit. */
export const MAX_META_BYTES = 16 * 1024;
export const MAX_BULK_ITEMS = 1000;
export const MAX_SEARCH_LIMIT = 1000;
export const DEFAULT_SEARCH_LIMIT = 10;

export function validateGalleryName(name: unknown, param = 'name'): string {
  if (typeof name !== 'string' || !GALLERY_NAME.test(name)) {
    throw badParam(param, `${param} must be 1–64 characters of letters, digits, "_", "." or "-", starting with a letter or digit`);
  }
  return name;
}

export function validateDescription(d: unknown, param = 'description'): string {
  if (d === undefined || d === null) return '';
  if (typeof d !== 'string' || d.length > MAX_DESCRIPTION_LENGTH) {
    throw badParam(param, `${param} must be text of at most ${MAX_DESCRIPTION_LENGTH} characters`);
  }
  return d;
}

/**
 * A client's own face id: a string such as `image_01` or a whole number, kept as text so both
 * dialects (numeric ids, string ids) fit. Undefined when none was given.
 */
export function normalizeClientId(id: unknown, param = 'id'): string | undefined {
  if (id === undefined || id === null || id === '') return undefined;
  if (typeof id === 'number') {
    if (!Number.isSafeInteger(id) || id < 0) throw badParam(param, `${param} must be a non-negative whole number or a string`);
    return String(id);
  }
  // Control characters would make ids unprintable in logs and exports.
  // eslint-disable-next-line no-control-regex
  if (typeof id !== 'string' || id.length > MAX_CLIENT_ID_LENGTH || /[\u0000-\u001f\u007f]/.test(id)) {
    throw badParam(param, `${param} must be 1–${MAX_CLIENT_ID_LENGTH} printable characters or a whole number`);
  }
  return id;
}

/** Meta is any JSON value (a plain string included); undefined means "none". */
export function validateMeta(meta: unknown, param = 'meta'): JsonValue | undefined {
  if (meta === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(meta);
  } catch {
    text = undefined;
  }
  if (text === undefined) throw badParam(param, `${param} must be a string or a JSON value`);
  if (Buffer.byteLength(text, 'utf8') > MAX_META_BYTES) throw badParam(param, `${param} must be at most ${MAX_META_BYTES} bytes as JSON`);
  return JSON.parse(text) as JsonValue;
}

/** A JSON field path for meta filters: `name` or `person.name`; no wildcards or brackets. */
export function validateMetaPath(path: unknown, param = 'meta_field'): string {
  if (typeof path !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,7}$/.test(path)) {
    throw badParam(param, `${param} must be a field name such as "name" or "person.name"`);
  }
  return path;
}

export function validateLimit(limit: unknown, param = 'limit', max = MAX_SEARCH_LIMIT, fallback = DEFAULT_SEARCH_LIMIT): number {
  if (limit === undefined || limit === null || limit === '') return fallback;
  const n = typeof limit === 'number' ? limit : typeof limit === 'string' ? Number(limit) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > max) throw badParam(param, `${param} must be a whole number from 1 to ${max}`);
  return n;
}
