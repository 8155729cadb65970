/**
 * The analysis options every interface accepts (HTTP query/form/JSON fields, CLI flags), read from
 * loose text into one typed shape. Bad values become BAD_PARAM naming the parameter.
 */
import { badParam } from './error.registry.js';
import { ATTRIBUTES, type AttributeName } from './face.model.js';

/** What to do when more faces are found than `max_faces`. */
export const ON_TOO_MANY = ['largest', 'error'] as const;
export type OnTooMany = (typeof ON_TOO_MANY)[number];

export interface FaceOptions {
  minFaceSize?: number;
  maxFaces?: number;
  scoreThreshold?: number;
  attributes?: AttributeName[];
  landmarks68?: boolean;
  /** `largest` (default): keep the largest max_faces faces. `error`: TOO_MANY_FACES when there are more. */
  onTooMany?: OnTooMany;
}

export const MAX_FACES_LIMIT = 1000;

/** `age,gender`, `["age","gender"]` or `all`; unknown names are refused, duplicates dropped. */
export function parseAttributes(value: unknown, param = 'attributes'): AttributeName[] {
  if (value === undefined || value === null || value === '') return [];
  const items = (Array.isArray(value) ? value : [value]).flatMap((v) => {
    if (typeof v !== 'string') throw badParam(param, `${param} must be a comma-separated list of ${ATTRIBUTES.join(', ')} or "all"`);
    return v.split(',');
  });
  const names = items.map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  if (names.includes('all')) return [...ATTRIBUTES];
  const unknown = names.filter((n) => !(ATTRIBUTES as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw badParam(param, `Unknown attribute(s) ${unknown.join(', ')}; use ${ATTRIBUTES.join(', ')} or "all"`);
  }
  return [...new Set(names)] as AttributeName[];
}

function num(value: unknown, param: string, opts: { integer: boolean; min: number; max: number }): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
  if (!Number.isFinite(n) || (opts.integer && !Number.isInteger(n)) || n < opts.min || n > opts.max) {
    throw badParam(param, `${param} must be ${opts.integer ? 'an integer' : 'a number'} from ${opts.min} to ${opts.max}`);
  }
  return n;
}

export function parseBool(value: unknown, param: string): boolean | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|1|yes)$/i.test(value.trim())) return true;
  if (typeof value === 'string' && /^(false|0|no)$/i.test(value.trim())) return false;
  throw badParam(param, `${param} must be true or false`);
}

/** Reads the snake_case option fields from any source of loose values. */
export function parseFaceOptions(raw: Record<string, unknown>): FaceOptions {
  const onTooMany = raw.on_too_many;
  if (onTooMany !== undefined && onTooMany !== '' && !(ON_TOO_MANY as readonly unknown[]).includes(onTooMany)) {
    throw badParam('on_too_many', `on_too_many must be one of ${ON_TOO_MANY.join(', ')}`);
  }
  const out: FaceOptions = {
    minFaceSize: num(raw.min_face_size, 'min_face_size', { integer: true, min: 1, max: 100_000 }),
    maxFaces: num(raw.max_faces, 'max_faces', { integer: true, min: 1, max: MAX_FACES_LIMIT }),
    scoreThreshold: num(raw.score_threshold, 'score_threshold', { integer: false, min: 0, max: 1 }),
    attributes: parseAttributes(raw.attributes),
    landmarks68: parseBool(raw.landmarks68, 'landmarks68'),
    onTooMany: onTooMany === undefined || onTooMany === '' ? undefined : (onTooMany as OnTooMany),
  };
  for (const k of Object.keys(out) as (keyof FaceOptions)[]) if (out[k] === undefined) delete out[k];
  return out;
}
