/**
 * Catalogue records → FaceHub's shapes: numbers where the document uses numbers (gender 0
 * female / 1 male, agency type 1 mother / 0 not, genders 0 female only / 1 male only / 2 both),
 * lists as `{page, perPage, totalResults, totalPages, results}`.
 */
import type { LookAlikeResult, ScoredPhotoResult } from '../../core/index.js';
import type { Agency, CatalogueModel, Gender, Page, Review } from '../../domain/catalogue.model.js';

const g = (x: Gender) => (x === 'male' ? 1 : 0);

export const hubAgency = (a: Agency) => ({
  id: a.id,
  title: a.title,
  type: a.mother ? 1 : 0,
  genders: a.genders.length === 1 ? g(a.genders[0]!) : 2,
  languages: a.languages,
  male_count: a.maleCount,
  female_count: a.femaleCount,
});

export const hubModel = (m: CatalogueModel) => ({
  id: m.id,
  agency_id: m.agencyId,
  name: m.name,
  gender: g(m.gender),
  height: m.height,
  bust: m.bust,
  waist: m.waist,
  hips: m.hips,
  shoes: m.shoes,
  eyes: m.eyes,
  hair: m.hair,
  photos: m.photos.map((p) => ({ id: p.id, label: p.label })),
});

export const hubReview = (r: Review) => ({ id: r.id, agency_id: r.agencyId, author: r.author, type: r.type, text: r.text, date: r.date.toISOString().slice(0, 10) });

export function hubPage<T, U>(p: Page<T>, map: (t: T) => U) {
  return { page: p.page, perPage: p.perPage, totalResults: p.total, totalPages: Math.ceil(p.total / p.perPage), results: p.items.map(map) };
}

/** One entry per image; the first image's fields also at the top, for one-image clients. */
export function hubScoring(results: ScoredPhotoResult[]) {
  const per = results.map((r) =>
    r.ok
      ? { status: 1, faces: r.photo.faces, age: r.photo.age === null ? null : Math.round(r.photo.age), gender: r.photo.gender ? g(r.photo.gender.label) : null, score: r.photo.score, parts: r.photo.parts }
      : { status: 0, faces: 0, age: null, gender: null, score: 0, error: { errorCode: r.error.code, errorMessage: r.error.message } },
  );
  return { ...per[0]!, status: per.some((p) => p.status === 1) ? 1 : 0, results: per };
}

const round4 = (x: number) => Math.round(x * 10000) / 10000;

export function hubSimilar(r: LookAlikeResult) {
  return {
    status: r.faces > 0 ? 1 : 0,
    faces: r.faces,
    results: r.matches.map((m) => ({ model: hubModel(m.model), similarity: round4(m.similarity), photos: m.photos.map((p) => ({ id: p.photo.id, label: p.photo.label, similarity: round4(p.similarity) })) })),
  };
}
