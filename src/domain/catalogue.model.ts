/**
 * A model-agency catalogue: agencies, the models they represent (measurements and photos) and
 * reviews of agencies. Pure types; each account has a catalogue of its own.
 */

export type Gender = 'female' | 'male';
export const REVIEW_AUTHORS = ['agent', 'model'] as const;
export type ReviewAuthor = (typeof REVIEW_AUTHORS)[number];
export const REVIEW_TYPES = ['neutral', 'positive', 'negative'] as const;
export type ReviewType = (typeof REVIEW_TYPES)[number];

export interface Agency {
  id: number;
  title: string;
  /** A mother agency (develops and places its models with other agencies). */
  mother: boolean;
  /** The genders it represents. */
  genders: Gender[];
  /** Work languages, lower-case (`en`, `fr`, or names as given). */
  languages: string[];
  /** Its models by gender, counted from the catalogue (never stored, so never stale). */
  maleCount: number;
  femaleCount: number;
  /** The caller's own id (an import's row key), unique in the account, or null. */
  externalId: string | null;
  createdAt: Date;
}

export interface CataloguePhoto {
  id: number;
  modelId: number;
  /** The face enrolled in the account's catalogue gallery (its internal id). */
  faceId: number;
  /** sha-256 of the photo bytes, so an import run again does not enrol a photo twice. */
  photoHash: string;
  /** The file name or label it came with, if any. */
  label: string | null;
  createdAt: Date;
}

export interface CatalogueModel {
  id: number;
  agencyId: number | null;
  name: string;
  gender: Gender;
  /** Centimetres. */
  height: number | null;
  bust: number | null;
  waist: number | null;
  hips: number | null;
  /** EU shoe size. */
  shoes: number | null;
  eyes: string | null;
  hair: string | null;
  externalId: string | null;
  photos: CataloguePhoto[];
  createdAt: Date;
}

export interface Review {
  id: number;
  agencyId: number;
  author: ReviewAuthor;
  type: ReviewType;
  text: string;
  date: Date;
}

export type NewAgency = Omit<Agency, 'id' | 'maleCount' | 'femaleCount' | 'createdAt'>;
export type NewCatalogueModel = Omit<CatalogueModel, 'id' | 'photos' | 'createdAt'>;
export type NewReview = Omit<Review, 'id'>;

export type SortDir = 'asc' | 'desc';

/** A page of a list: 1-based page number, items per page, and the total across pages. */
export interface PageQuery {
  page: number;
  perPage: number;
  sortDir: SortDir;
}

export interface Page<T> {
  items: T[];
  page: number;
  perPage: number;
  total: number;
}

/** Exact-match filters; an absent field does not filter. */
export interface AgencyFilter {
  title?: string;
  mother?: boolean;
  /** Agencies that represent this gender only. */
  onlyGender?: Gender;
  language?: string;
  maleCount?: number;
  femaleCount?: number;
  externalId?: string;
}

export interface ModelFilter {
  agencyId?: number;
  gender?: Gender;
  height?: number;
  bust?: number;
  waist?: number;
  hips?: number;
  shoes?: number;
  eyes?: string;
  hair?: string;
  externalId?: string;
  /** Models whose photos include one of these faces (look-alike search). */
  faceIds?: number[];
}

export interface ReviewFilter {
  agencyId?: number;
  author?: ReviewAuthor;
  type?: ReviewType;
}
