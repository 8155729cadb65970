/** Catalogue records → the /v1 shapes (snake_case, ISO times, review dates as YYYY-MM-DD). */
import type { LookAlikeResult, ScoredPhotoResult } from '../../../core/index.js';
import type { Agency, CatalogueModel, CataloguePhoto, Page, Review } from '../../../domain/catalogue.model.js';

export const mapAgency = (a: Agency) => ({
  id: a.id,
  title: a.title,
  mother: a.mother,
  genders: a.genders,
  languages: a.languages,
  male_count: a.maleCount,
  female_count: a.femaleCount,
  external_id: a.externalId,
  created_at: a.createdAt.toISOString(),
});

export const mapPhoto = (p: CataloguePhoto) => ({ id: p.id, face_id: p.faceId, label: p.label, created_at: p.createdAt.toISOString() });

export const mapModel = (m: CatalogueModel) => ({
  id: m.id,
  agency_id: m.agencyId,
  name: m.name,
  gender: m.gender,
  height: m.height,
  bust: m.bust,
  waist: m.waist,
  hips: m.hips,
  shoes: m.shoes,
  eyes: m.eyes,
  hair: m.hair,
  external_id: m.externalId,
  photos: m.photos.map(mapPhoto),
  created_at: m.createdAt.toISOString(),
});

export const mapReview = (r: Review) => ({ id: r.id, agency_id: r.agencyId, author: r.author, type: r.type, text: r.text, date: r.date.toISOString().slice(0, 10) });

export function mapPage<T, U>(p: Page<T>, map: (t: T) => U) {
  return { items: p.items.map(map), page: p.page, per_page: p.perPage, total: p.total, total_pages: Math.ceil(p.total / p.perPage) };
}

const round4 = (x: number) => Math.round(x * 10000) / 10000;

export function mapScores(results: ScoredPhotoResult[]) {
  return {
    photos: results.map((r, index) =>
      r.ok
        ? {
            index,
            ok: true as const,
            faces: r.photo.faces,
            age: r.photo.age,
            gender: r.photo.gender,
            score: r.photo.score,
            parts: r.photo.parts,
            box: r.photo.box,
          }
        : { index, ok: false as const, code: r.error.code, message: r.error.message },
    ),
  };
}

export function mapLookAlikes(r: LookAlikeResult) {
  return {
    faces: r.faces,
    matches: r.matches.map((m) => ({
      model: mapModel(m.model),
      similarity: round4(m.similarity),
      photos: m.photos.map((p) => ({ ...mapPhoto(p.photo), similarity: round4(p.similarity) })),
    })),
  };
}
