/**
 * FindFace parameters from any encoding (JSON, form-urlencoded, multipart, query string; complex
 * values JSON-encoded in forms and queries). Empty strings and empty arrays mean "not given".
 */
import type { ImageInput } from '../../core/index.js';
import { VisageError, badParam } from '../../domain/error.registry.js';
import type { Box } from '../../domain/face.model.js';
import type { RequestInput } from '../../http/shared/image-input.js';

const bad = (param: string, value: unknown, reason: string) => new VisageError('BAD_PARAM', reason, { param, value: typeof value === 'string' ? value.slice(0, 200) : JSON.stringify(value ?? null).slice(0, 200) });

/** A field, with "" and [] as absent; JSON text decoded where a structure is expected. */
export function field(input: RequestInput, name: string): unknown {
  const v = input.fields[name];
  if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) return undefined;
  return v;
}

function jsonish(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim();
  if (t.startsWith('[') || t.startsWith('{')) {
    try {
      return JSON.parse(t);
    } catch {
      return v;
    }
  }
  return v;
}

export function bool(input: RequestInput, name: string): boolean {
  const v = field(input, name);
  if (v === undefined) return false;
  if (v === true || v === 'true' || v === '1' || v === 1 || v === 'True') return true;
  if (v === false || v === 'false' || v === '0' || v === 0 || v === 'False') return false;
  throw bad(name, v, `${name} must be true or false`);
}

/** bbox as {x1,y1,x2,y2}, [x1,y1,x2,y2], JSON text of either, or x1..y2 fields. */
export function bbox(input: RequestInput, name: string): Box | undefined {
  let v = jsonish(field(input, name));
  if (v === undefined && name === 'bbox' && field(input, 'x1') !== undefined) v = { x1: field(input, 'x1'), y1: field(input, 'y1'), x2: field(input, 'x2'), y2: field(input, 'y2') };
  if (v === undefined) return undefined;
  if (Array.isArray(v) && v.length === 1 && Array.isArray(v[0])) v = v[0];
  const arr = Array.isArray(v) ? v : v && typeof v === 'object' ? [(v as Box).x1, (v as Box).y1, (v as Box).x2, (v as Box).y2] : null;
  const n = arr?.map((x) => (typeof x === 'string' && x.trim() !== '' ? Number(x) : x));
  if (!n || n.length !== 4 || !n.every((x) => typeof x === 'number' && Number.isFinite(x)) || n[2]! <= n[0]! || n[3]! <= n[1]!) {
    throw bad(name, v, `${name} must be [x1, y1, x2, y2] or {"x1", "y1", "x2", "y2"} with x2 > x1 and y2 > y1`);
  }
  const [x1, y1, x2, y2] = n as number[];
  return { x1: x1!, y1: y1!, x2: x2!, y2: y2! };
}

export type MfSelector = 'reject' | 'biggest' | 'all';

export function mfSelector(input: RequestInput): MfSelector {
  const v = field(input, 'mf_selector') ?? 'biggest';
  if (v !== 'reject' && v !== 'biggest' && v !== 'all') throw bad('mf_selector', v, 'mf_selector must be reject, biggest or all');
  return v;
}

export function intParam(input: RequestInput, name: string, dflt: number, min: number, max: number): number {
  const v = field(input, name);
  if (v === undefined) return dflt;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw bad(name, v, `${name} must be an integer from ${min} to ${max}`);
  return n;
}

/** A list of gallery names: JSON array, JSON text of one, a comma list or one plain name. */
export function galleryList(v: unknown, name = 'galleries'): string[] | undefined {
  const j = jsonish(v);
  if (j === undefined || j === null || j === '') return undefined;
  const list = Array.isArray(j) ? j : typeof j === 'string' ? j.split(',').map((s) => s.trim()).filter(Boolean) : null;
  if (!list || !list.every((g) => typeof g === 'string' && /^[a-zA-Z0-9_-]{1,48}$/.test(g))) {
    throw bad(name, v, `${name} must be gallery names of at most 48 characters from [a-zA-Z0-9_-]`);
  }
  return list.length === 0 ? undefined : (list as string[]);
}

/** The photo: a multipart file, or a URL (string field). */
export function photo(input: RequestInput, name: string, maxBytes: number): ImageInput {
  const file = input.files.get(name);
  if (file && file.length > 0) {
    if (file.length > maxBytes) throw new VisageError('IMAGE_TOO_LARGE', `${name} exceeds ${maxBytes} bytes`, { param: name });
    return { bytes: file };
  }
  const url = field(input, name);
  if (url === undefined) throw new VisageError('BAD_PARAM', `${name} is required: a multipart file or a URL`, { param: name, value: '' });
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) throw bad(name, url, `${name} must be an http(s) URL or a multipart file`);
  return { url };
}

/** The name the client gave its photo, kept as the Face's `photo` (a URL, or the upload's field). */
export function photoName(input: RequestInput, name: string): string {
  const v = input.fields[name];
  return typeof v === 'string' ? v : '';
}

export { badParam };
