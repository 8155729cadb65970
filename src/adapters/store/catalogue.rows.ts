/**
 * The catalogue rows every SQL catalogue store reads (SQLite, PostgreSQL: the same columns,
 * times in ms) and their mapping to the domain's types. The engines differ only in a boolean
 * (0/1 vs true/false) and in lists (JSON text in SQLite, text[] in PostgreSQL).
 */
import type { Agency, CatalogueModel, CataloguePhoto, Gender, Review, ReviewAuthor, ReviewType } from '../../domain/catalogue.model.js';
import { bool, type SqlBool } from './face.rows.js';

export type CatalogueRow = Record<string, unknown>;

/** An agency's male and female model counts (of rows aliased `a`), counted in the statement that reads it. */
export const AGENCY_COUNTS = `(SELECT COUNT(*) FROM catalogue_models m WHERE m.agency_id = a.id AND m.gender = 'male') AS male_count,
  (SELECT COUNT(*) FROM catalogue_models m WHERE m.agency_id = a.id AND m.gender = 'female') AS female_count`;
export const AGENCY_SELECT = `SELECT a.*, ${AGENCY_COUNTS} FROM catalogue_agencies a`;

const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : (JSON.parse(v as string) as T[]));
const orNull = <T>(v: unknown): T | null => (v as T | null | undefined) ?? null;

export const toAgency = (r: CatalogueRow): Agency => ({
  id: r.id as number,
  title: r.title as string,
  mother: bool(r.mother as SqlBool),
  genders: list<Gender>(r.genders),
  languages: list<string>(r.languages),
  maleCount: r.male_count as number,
  femaleCount: r.female_count as number,
  externalId: orNull<string>(r.external_id),
  createdAt: new Date(r.created_at as number),
});

export const toPhoto = (r: CatalogueRow): CataloguePhoto => ({
  id: r.id as number,
  modelId: r.model_id as number,
  faceId: r.face_id as number,
  photoHash: r.photo_hash as string,
  label: orNull<string>(r.label),
  createdAt: new Date(r.created_at as number),
});

export const toModel = (r: CatalogueRow, photos: CataloguePhoto[]): CatalogueModel => ({
  id: r.id as number,
  agencyId: orNull<number>(r.agency_id),
  name: r.name as string,
  gender: r.gender as Gender,
  height: orNull<number>(r.height),
  bust: orNull<number>(r.bust),
  waist: orNull<number>(r.waist),
  hips: orNull<number>(r.hips),
  shoes: orNull<number>(r.shoes),
  eyes: orNull<string>(r.eyes),
  hair: orNull<string>(r.hair),
  externalId: orNull<string>(r.external_id),
  photos,
  createdAt: new Date(r.created_at as number),
});

export const toReview = (r: CatalogueRow): Review => ({
  id: r.id as number,
  agencyId: r.agency_id as number,
  author: r.author as ReviewAuthor,
  type: r.type as ReviewType,
  text: r.text as string,
  date: new Date(r.date as number),
});
