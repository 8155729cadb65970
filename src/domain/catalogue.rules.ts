/**
 * The catalogue's input rules, shared by every surface (native /v1, dialects, the import), so
 * each refuses the same things with the same BAD_PARAM. Numbers are whole and fit a signed
 * 32-bit integer (the widest any dialect's clients send); text is trimmed and bounded.
 */
import { REVIEW_AUTHORS, REVIEW_TYPES, type AgencyFilter, type Gender, type ModelFilter, type ReviewFilter, type NewAgency, type NewCatalogueModel, type NewReview, type PageQuery, type ReviewAuthor, type ReviewType, type SortDir } from './catalogue.model.js';
import { badParam } from './error.registry.js';

export const INT32_MAX = 2_147_483_647;
export const INT32_MIN = -2_147_483_648;
export const MAX_PER_PAGE = 100;
export const DEFAULT_PER_PAGE = 25;
export const MAX_TEXT = 200;
export const MAX_REVIEW_TEXT = 5000;
/** Photos scored in one request. */
export const MAX_SCORED_PHOTOS = 5;

type Raw = Record<string, unknown>;

/** A whole number in [min, INT32_MAX], from a number or its decimal text. */
export function int32(v: unknown, param: string, min = 0): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?[0-9]{1,11}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!Number.isInteger(n) || n < Math.max(min, INT32_MIN) || n > INT32_MAX) {
    throw badParam(param, `${param} must be a whole number from ${min} to ${INT32_MAX}`);
  }
  return n;
}

const optInt = (v: unknown, param: string): number | null => (v === undefined || v === null || v === '' ? null : int32(v, param));

export function text(v: unknown, param: string, max = MAX_TEXT, required = true): string {
  if (typeof v !== 'string' || v.trim() === '' || v.trim().length > max) {
    if (!required && (v === undefined || v === null || v === '')) return '';
    throw badParam(param, `${param} must be text of 1 to ${max} characters`);
  }
  return v.trim();
}

const optText = (v: unknown, param: string): string | null => (v === undefined || v === null || v === '' ? null : text(v, param).toLowerCase());

export function gender(v: unknown, param = 'gender'): Gender {
  if (v === 'female' || v === 'f' || v === 0 || v === '0') return 'female';
  if (v === 'male' || v === 'm' || v === 1 || v === '1') return 'male';
  throw badParam(param, `${param} must be female or male`);
}

function list(v: unknown, param: string): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  throw badParam(param, `${param} must be a list`);
}

export function reviewAuthor(v: unknown, param = 'author'): ReviewAuthor {
  if (typeof v === 'string' && (REVIEW_AUTHORS as readonly string[]).includes(v)) return v as ReviewAuthor;
  throw badParam(param, `${param} must be one of ${REVIEW_AUTHORS.join(', ')}`);
}

export function reviewType(v: unknown, param = 'type'): ReviewType {
  if (typeof v === 'string' && (REVIEW_TYPES as readonly string[]).includes(v)) return v as ReviewType;
  throw badParam(param, `${param} must be one of ${REVIEW_TYPES.join(', ')}`);
}

export function sortDir(v: unknown, param = 'sort_dir'): SortDir {
  if (v === undefined || v === '' || v === 'asc') return 'asc';
  if (v === 'desc') return 'desc';
  throw badParam(param, `${param} must be asc or desc`);
}

export function externalId(v: unknown, param = 'external_id'): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return text(v, param, 128);
}

export function pageQuery(q: { page?: unknown; perPage?: unknown; sortDir?: unknown }, names = { page: 'page', perPage: 'per_page', sortDir: 'sort_dir' }): PageQuery {
  const page = q.page === undefined || q.page === '' ? 1 : int32(q.page, names.page, 1);
  const perPage = q.perPage === undefined || q.perPage === '' ? DEFAULT_PER_PAGE : int32(q.perPage, names.perPage, 1);
  if (perPage > MAX_PER_PAGE) throw badParam(names.perPage, `${names.perPage} must be at most ${MAX_PER_PAGE}`);
  return { page, perPage, sortDir: sortDir(q.sortDir, names.sortDir) };
}

/** A whole agency from input; `base` (the stored one) fills what a partial update leaves out. */
export function agencyInput(b: Raw, base?: NewAgency): NewAgency {
  const has = (k: string) => b[k] !== undefined;
  return {
    title: has('title') || !base ? text(b.title, 'title') : base.title,
    mother: has('mother') ? bool(b.mother, 'mother') : (base?.mother ?? false),
    genders: has('genders') ? [...new Set(list(b.genders, 'genders').map((g, i) => gender(g, `genders[${i}]`)))].sort() : (base?.genders ?? ['female', 'male']),
    languages: has('languages') ? [...new Set(list(b.languages, 'languages').map((l, i) => text(l, `languages[${i}]`, 40).toLowerCase()))] : (base?.languages ?? []),
    externalId: has('external_id') ? externalId(b.external_id) : (base?.externalId ?? null),
  };
}

export function modelInput(b: Raw, base?: NewCatalogueModel): NewCatalogueModel {
  const has = (k: string) => b[k] !== undefined;
  const pick = <T>(k: string, parse: (v: unknown, p: string) => T, fallback: T): T => (has(k) || !base ? parse(b[k], k) : fallback);
  return {
    agencyId: pick('agency_id', optInt, base?.agencyId ?? null),
    name: pick('name', (v, p) => text(v, p), base?.name ?? ''),
    gender: pick('gender', gender, base?.gender ?? 'female'),
    height: pick('height', optInt, base?.height ?? null),
    bust: pick('bust', optInt, base?.bust ?? null),
    waist: pick('waist', optInt, base?.waist ?? null),
    hips: pick('hips', optInt, base?.hips ?? null),
    shoes: pick('shoes', optInt, base?.shoes ?? null),
    eyes: pick('eyes', optText, base?.eyes ?? null),
    hair: pick('hair', optText, base?.hair ?? null),
    externalId: pick('external_id', externalId, base?.externalId ?? null),
  };
}

export function reviewInput(b: Raw, base?: NewReview): NewReview {
  const has = (k: string) => b[k] !== undefined;
  return {
    agencyId: has('agency_id') || !base ? int32(b.agency_id, 'agency_id', 1) : base.agencyId,
    author: has('author') || !base ? reviewAuthor(b.author) : base.author,
    type: has('type') || !base ? reviewType(b.type) : base.type,
    text: has('text') || !base ? text(b.text, 'text', MAX_REVIEW_TEXT) : base.text,
    date: has('date') ? date(b.date, 'date') : (base?.date ?? new Date()),
  };
}

function bool(v: unknown, param: string): boolean {
  if (v === true || v === 'true' || v === 1 || v === '1') return true;
  if (v === false || v === 'false' || v === 0 || v === '0') return false;
  throw badParam(param, `${param} must be true or false`);
}

function date(v: unknown, param: string): Date {
  const d = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? new Date(v) : null;
  if (!d || Number.isNaN(d.getTime())) throw badParam(param, `${param} must be an ISO 8601 date (YYYY-MM-DD)`);
  return d;
}

const opt = <T>(v: unknown, parse: (v: unknown) => T): T | undefined => (v === undefined || v === '' ? undefined : parse(v));

/** The native API's list filters (query names as documented in docs/catalogue.md). */
export function agencyFilter(q: Raw): AgencyFilter {
  return {
    title: opt(q.title, (v) => text(v, 'title')),
    mother: opt(q.mother, (v) => bool(v, 'mother')),
    onlyGender: opt(q.only_gender, (v) => gender(v, 'only_gender')),
    language: opt(q.language, (v) => text(v, 'language', 40)),
    maleCount: opt(q.male_count, (v) => int32(v, 'male_count')),
    femaleCount: opt(q.female_count, (v) => int32(v, 'female_count')),
    externalId: opt(q.external_id, (v) => externalId(v) ?? undefined),
  };
}

export function modelFilter(q: Raw): ModelFilter {
  const n = (k: string) => opt(q[k], (v) => int32(v, k));
  return {
    agencyId: n('agency_id'),
    gender: opt(q.gender, (v) => gender(v)),
    height: n('height'),
    bust: n('bust'),
    waist: n('waist'),
    hips: n('hips'),
    shoes: n('shoes'),
    eyes: opt(q.eyes, (v) => text(v, 'eyes')),
    hair: opt(q.hair, (v) => text(v, 'hair')),
    externalId: opt(q.external_id, (v) => externalId(v) ?? undefined),
  };
}

export function reviewFilter(q: Raw): ReviewFilter {
  return {
    agencyId: opt(q.agency_id, (v) => int32(v, 'agency_id')),
    author: opt(q.author, (v) => reviewAuthor(v)),
    type: opt(q.type, (v) => reviewType(v)),
  };
}
