/** The shapes of /v1/search-indexes and /v1/face-searches: reverse face search over your own indexes. */
import { Type, type TSchema } from '@sinclair/typebox';
import { errorResponses } from '../../shared/error.schema.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const SearchIndexSchema = Type.Object({ name: Type.String(), faces: Type.Integer(), default: Type.Boolean() }, { title: 'SearchIndex' });
export const SearchIndexList = Type.Object({ indexes: Type.Array(SearchIndexSchema) });
export const CreateSearchIndexBody = Type.Object({
  name: Type.String({ description: 'Gallery name rules: 1–64 letters, digits, "_", "." or "-"' }),
  description: Type.Optional(Type.String()),
  default: Type.Optional(Type.Boolean({ description: 'Make it the account default (the first index is)' })),
});
export const IndexParams = Type.Object({ index: Type.String({ minLength: 1, maxLength: 64 }) });
export const IndexPhotoResponse = Type.Object({
  faces: Type.Integer({ description: 'Faces indexed from this photo' }),
  opted_out: Type.Integer({ description: 'Faces left out: they match the opt-out list' }),
  already_indexed: Type.Boolean({ description: 'The source URL was indexed before: nothing done' }),
});
export const OptOutResponse = Type.Object({ removed: Type.Integer(), opt_out_id: Type.Integer() });

const HitSchema = Type.Object(
  {
    score: Type.Integer({ minimum: 0, maximum: 100, description: '90–100 certain, 83–89 confident, 70–82 uncertain, 50–69 weak' }),
    url: Type.String(),
    guid: Type.String(),
    group: Type.Integer(),
    face_index: Type.Integer({ description: 'Position among the faces of its source image (0 = largest)' }),
    face_id: Type.Integer(),
    index: Type.String(),
    thumbnail: Nullable(Type.String({ description: 'data:image/webp;base64,…' })),
  },
  { title: 'FaceSearchHit' },
);

export const FaceSearchSchema = Type.Object(
  {
    id: Type.String(),
    status: Type.Union(['uploaded', 'queued', 'running', 'succeeded', 'failed', 'cancelled'].map((s) => Type.Literal(s))),
    progress: Type.Number({ minimum: 0, maximum: 100 }),
    stage: Nullable(Type.String({ description: 'queued, detecting, searching, ranking' })),
    position: Nullable(Type.Integer({ description: 'Place in the queue (1 = next) while queued' })),
    index: Nullable(Type.String()),
    previews: Type.Array(Type.String({ description: 'data:image/webp;base64,… per photo' })),
    photo_ids: Type.Array(Type.String()),
    error: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
    created_at: Type.String({ format: 'date-time' }),
    expires_at: Type.String({ format: 'date-time' }),
    result: Nullable(
      Type.Object({
        items: Type.Array(HitSchema),
        max_score: Type.Integer(),
        demo: Type.Boolean(),
        searched_faces: Type.Integer(),
        took_seconds: Type.Number(),
        took_seconds_queue: Type.Number(),
        faces_per_second: Type.Number(),
        photos: Type.Integer(),
      }),
    ),
  },
  { title: 'FaceSearch' },
);

export const SearchParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const SearchQuery = Type.Object({ wait: Type.Optional(Type.Number({ minimum: 0, maximum: 60, description: 'Seconds to wait for the end' })) });
export const faceSearchErrors = errorResponses(400, 401, 402, 403, 404, 409, 413, 415, 422, 429, 500, 503);
