/** TypeBox schemas of /v1/catalogue: records, pages, lists' query and the photo answers. */
import { Type } from '@sinclair/typebox';
import { errorResponses } from '../../shared/error.schema.js';

const Nullable = <T extends ReturnType<typeof Type.Integer> | ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) });
export const PhotoParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }), photo: Type.Integer({ minimum: 1, maximum: 2147483647 }) });

/** Fields are checked by the core's rules (catalogue.rules.ts), which name the bad one. */
export const RecordBody = Type.Object({}, { additionalProperties: true, description: 'The record\'s fields (docs/catalogue.md); on PATCH only those to change' });

export const PageQuery = {
  page: Type.Optional(Type.String({ description: '1-based page (default 1)' })),
  per_page: Type.Optional(Type.String({ description: 'Items per page, 1–100 (default 25)' })),
  sort_dir: Type.Optional(Type.String({ description: 'asc (default) or desc, by id' })),
};

export const AgencyQuery = Type.Object({
  ...PageQuery,
  title: Type.Optional(Type.String()),
  mother: Type.Optional(Type.String({ description: 'true: mother agencies only' })),
  only_gender: Type.Optional(Type.String({ description: 'female or male: agencies representing that gender only' })),
  language: Type.Optional(Type.String()),
  male_count: Type.Optional(Type.String()),
  female_count: Type.Optional(Type.String()),
  external_id: Type.Optional(Type.String()),
}, { additionalProperties: true });

export const ModelQuery = Type.Object({
  ...PageQuery,
  agency_id: Type.Optional(Type.String()),
  gender: Type.Optional(Type.String({ description: 'female or male' })),
  height: Type.Optional(Type.String({ description: 'cm' })),
  bust: Type.Optional(Type.String({ description: 'cm' })),
  waist: Type.Optional(Type.String({ description: 'cm' })),
  hips: Type.Optional(Type.String({ description: 'cm' })),
  shoes: Type.Optional(Type.String({ description: 'EU size' })),
  eyes: Type.Optional(Type.String()),
  hair: Type.Optional(Type.String()),
  external_id: Type.Optional(Type.String()),
}, { additionalProperties: true });

export const ReviewQuery = Type.Object({
  ...PageQuery,
  agency_id: Type.Optional(Type.String()),
  author: Type.Optional(Type.String({ description: 'agent or model' })),
  type: Type.Optional(Type.String({ description: 'neutral, positive or negative' })),
}, { additionalProperties: true });

export const AgencySchema = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  mother: Type.Boolean(),
  genders: Type.Array(Type.String()),
  languages: Type.Array(Type.String()),
  male_count: Type.Integer(),
  female_count: Type.Integer(),
  external_id: Nullable(Type.String()),
  created_at: Type.String(),
});

export const PhotoSchema = Type.Object({ id: Type.Integer(), face_id: Type.Integer(), label: Nullable(Type.String()), created_at: Type.String() });

export const ModelSchema = Type.Object({
  id: Type.Integer(),
  agency_id: Nullable(Type.Integer()),
  name: Type.String(),
  gender: Type.String(),
  height: Nullable(Type.Integer()),
  bust: Nullable(Type.Integer()),
  waist: Nullable(Type.Integer()),
  hips: Nullable(Type.Integer()),
  shoes: Nullable(Type.Integer()),
  eyes: Nullable(Type.String()),
  hair: Nullable(Type.String()),
  external_id: Nullable(Type.String()),
  photos: Type.Array(PhotoSchema),
  created_at: Type.String(),
});

export const ReviewSchema = Type.Object({ id: Type.Integer(), agency_id: Type.Integer(), author: Type.String(), type: Type.String(), text: Type.String(), date: Type.String() });

export const pageOf = <T extends ReturnType<typeof Type.Object>>(item: T) =>
  Type.Object({ items: Type.Array(item), page: Type.Integer(), per_page: Type.Integer(), total: Type.Integer(), total_pages: Type.Integer() });

export const ScoresResponse = Type.Object({ photos: Type.Array(Type.Object({ index: Type.Integer(), ok: Type.Boolean() }, { additionalProperties: true })) });
export const LookAlikesResponse = Type.Object({
  faces: Type.Integer(),
  matches: Type.Array(Type.Object({ model: ModelSchema, similarity: Type.Number(), photos: Type.Array(Type.Object({ ...PhotoSchema.properties, similarity: Type.Number() })) })),
});

export const catalogueReadErrors = errorResponses(400, 401, 403, 404, 429, 500, 503);
// A JSON body can be too large (413) or of another type (415).
export const catalogueWriteErrors = errorResponses(400, 401, 403, 404, 409, 413, 415, 429, 500, 503);
export const cataloguePhotoErrors = errorResponses(400, 401, 402, 403, 404, 413, 415, 422, 429, 500, 503);
