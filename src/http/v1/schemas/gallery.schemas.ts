/** TypeBox schemas of the /v1 gallery, stored-face and search routes. */
import { Type } from '@sinclair/typebox';
import { errorResponses } from '../../shared/error.schema.js';
import { BoxSchema, DroppedSchema, FaceOptionsQuery } from './face.schemas.js';

/** Every gallery route: bad parameters, the key's checks (with API keys on), a missing gallery or face, the server's state. */
export const galleryReadErrorResponses = errorResponses(400, 401, 403, 404, 429, 500, 503);
/** Routes with a JSON body that change a gallery or a face, at no credit cost. */
export const galleryWriteErrorResponses = errorResponses(400, 401, 403, 404, 409, 413, 415, 429, 500, 503);
/** Enrolment and search: an image to analyse, paid in credits. */
export const galleryErrorResponses = errorResponses(400, 401, 402, 403, 404, 409, 413, 415, 422, 429, 500, 503);

const Meta = Type.Any({ description: 'Any JSON value: a string or an object (multipart and query give strings)' });
const Threshold = Type.Union([Type.String(), Type.Number()], { description: 'strict, medium (default), low, none, or a similarity 0–1' });
const FacesPick = Type.Union([Type.Literal('largest'), Type.Literal('all')], { description: 'largest (default) or all faces of the image' });
const IdType = Type.Union([Type.Literal('auto'), Type.Literal('internal'), Type.Literal('client')], {
  description: 'How to read {id}: auto (default: digits are the internal id, anything else a client id), internal or client',
});

export const GalleryParams = Type.Object({ gallery: Type.String() });
export const FaceParams = Type.Object({ gallery: Type.String(), id: Type.String() });
export const IdTypeQuery = Type.Object({ id_type: Type.Optional(IdType) });

export const GallerySchema = Type.Object({
  name: Type.String(),
  description: Type.String(),
  model: Type.String({ description: 'Model id@version whose templates the gallery holds; fixed at creation' }),
  thumbnails: Type.Boolean(),
  face_count: Type.Integer(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

export const CreateGalleryBody = Type.Object({
  name: Type.String({ description: '1–64 letters, digits, "_", "." or "-"' }),
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  thumbnails: Type.Optional(Type.Boolean({ description: 'Keep face thumbnails (off: only templates are kept)' })),
});

export const UpdateGalleryBody = Type.Object({
  name: Type.Optional(Type.String()),
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  thumbnails: Type.Optional(Type.Boolean()),
});

const Pt = Type.Object({ x: Type.Number(), y: Type.Number() });

export const StoredFaceSchema = Type.Object({
  id: Type.Integer({ description: 'Internal id, unique across galleries' }),
  client_id: Type.Union([Type.String(), Type.Null()], { description: 'Your id for the face, unique in the gallery' }),
  meta: Meta,
  box: Type.Union([BoxSchema, Type.Null()]),
  landmarks: Type.Union([Type.Object({ left_eye: Pt, right_eye: Pt, nose: Pt, mouth_left: Pt, mouth_right: Pt }), Type.Null()]),
  gallery: Type.String({ description: 'The gallery the face is in' }),
  photo_hash: Type.Union([Type.String(), Type.Null()], { description: 'sha256 of the image bytes; null for template enrolments' }),
  thumbnail_url: Type.Optional(Type.String({ description: 'Only when the gallery keeps thumbnails (off by default)' })),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

export const EnrolJsonBody = Type.Object({
  image: Type.Optional(Type.String({ description: 'Base64 image' })),
  url: Type.Optional(Type.String()),
  template: Type.Optional(Type.String({ description: 'A template from /v1/templates, instead of an image' })),
  id: Type.Optional(Type.Union([Type.String(), Type.Integer()], { description: 'Your id for the face (string or number)' })),
  meta: Type.Optional(Meta),
  faces: Type.Optional(FacesPick),
  ...FaceOptionsQuery.properties,
});

export const EnrolQuery = Type.Object({ faces: Type.Optional(FacesPick), ...FaceOptionsQuery.properties });

export const FacesResponse = Type.Object({ faces: Type.Array(StoredFaceSchema) });

export const BulkBody = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
      meta: Type.Optional(Meta),
      image: Type.Optional(Type.String({ description: 'Base64 image (its largest face is enrolled)' })),
      url: Type.Optional(Type.String()),
      template: Type.Optional(Type.String()),
    }),
    { minItems: 1, maxItems: 1000 },
  ),
});

export const BulkResponse = Type.Object({
  results: Type.Array(
    Type.Object({
      index: Type.Integer(),
      ok: Type.Boolean(),
      client_id: Type.Union([Type.String(), Type.Null()]),
      face: Type.Optional(StoredFaceSchema),
      error: Type.Optional(Type.Object({ code: Type.String(), reason: Type.String(), param: Type.Optional(Type.String()) })),
    }),
  ),
});

export const ListFacesQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Default 100' })),
  cursor: Type.Optional(Type.Integer({ minimum: 1, description: 'next_cursor of the previous page' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, description: 'Alternative to cursor' })),
  meta: Type.Optional(Type.String({ description: 'Faces whose meta contains this text' })),
  meta_field: Type.Optional(Type.String({ description: 'A JSON field of the meta, e.g. person.name …' })),
  meta_value: Type.Optional(Type.String({ description: '… equal to this value' })),
  id_from: Type.Optional(Type.Integer({ minimum: 0 })),
  id_to: Type.Optional(Type.Integer({ minimum: 0 })),
});

export const FacePageResponse = Type.Object({ faces: Type.Array(StoredFaceSchema), next_cursor: Type.Union([Type.Integer(), Type.Null()]) });

export const UpdateFaceBody = Type.Object({ meta: Meta });

export const DeleteManyBody = Type.Object({
  ids: Type.Array(Type.Union([Type.String(), Type.Integer()]), { minItems: 1, maxItems: 1000 }),
  id_type: Type.Optional(IdType),
});

export const DeleteManyResponse = Type.Object({
  results: Type.Array(Type.Object({ id: Type.Union([Type.String(), Type.Integer()]), deleted: Type.Boolean(), face_id: Type.Union([Type.Integer(), Type.Null()]) })),
  deleted_count: Type.Integer(),
});

export const SearchJsonBody = Type.Object({
  image: Type.Optional(Type.String({ description: 'Base64 image' })),
  url: Type.Optional(Type.String()),
  template: Type.Optional(Type.String()),
  galleries: Type.Optional(Type.Union([Type.Array(Type.String()), Type.String()], { description: 'For /v1/search: names, as an array or comma-separated' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Matches per face, default 10' })),
  threshold: Type.Optional(Threshold),
  faces: Type.Optional(FacesPick),
  ...FaceOptionsQuery.properties,
});

export const SearchQuery = Type.Object({
  galleries: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  threshold: Type.Optional(Type.String()),
  faces: Type.Optional(FacesPick),
  ...FaceOptionsQuery.properties,
});

export const SearchResponse = Type.Object({
  model: Type.String(),
  threshold: Type.Number(),
  preset: Type.Optional(Type.String()),
  faces: Type.Array(
    Type.Object({
      box: Type.Union([BoxSchema, Type.Null()], { description: 'The probe face; null for a template' }),
      matches: Type.Array(Type.Object({ gallery: Type.String(), similarity: Type.Number(), face: StoredFaceSchema })),
    }),
  ),
  dropped: DroppedSchema,
});
