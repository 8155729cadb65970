/**
 * TypeBox schemas of the /v1 face routes: Fastify validates with them, serialises with them and
 * @fastify/swagger publishes them, so docs and behaviour cannot drift.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { ATTRIBUTES, EMOTIONS } from '../../../domain/face.model.js';
import { errorResponses } from '../../shared/error.schema.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);


/**
 * What a paid image route can answer besides 200: bad input (400, 413, 415, 422), the key's
 * checks (401, 403, 429; only with API keys on), spent credits (402) and the engine's state (503).
 */
export const faceErrorResponses = errorResponses(400, 401, 402, 403, 413, 415, 422, 429, 500, 503);

/** The options every face route takes, as query parameters or as form/JSON fields. */
export const FaceOptionsQuery = Type.Object({
  min_face_size: Type.Optional(Type.Integer({ minimum: 1, description: 'Faces narrower than this (pixels) are ignored (counted in `dropped`). Default 12 (VISAGE_MIN_FACE_SIZE).' })),
  max_faces: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Largest faces kept. Default 100.' })),
  score_threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Minimum detector score; default is the tuned one.' })),
  attributes: Type.Optional(
    Type.String({ description: `Comma-separated: ${ATTRIBUTES.join(', ')}, or "all"`, examples: ['age,gender', 'all'] }),
  ),
  landmarks68: Type.Optional(Type.Boolean({ description: 'Add the 68 landmark points' })),
  on_too_many: Type.Optional(
    Type.Union([Type.Literal('largest'), Type.Literal('error')], {
      description: '"largest" (default) keeps the largest max_faces faces; "error" answers TOO_MANY_FACES instead',
    }),
  ),
});

const ImageJsonFields = {
  image: Type.Optional(Type.String({ description: 'Base64 image (a data: URL prefix is tolerated)' })),
  url: Type.Optional(Type.String({ description: 'http(s) URL of the image; private addresses are refused' })),
};

export const ImageJsonBody = Type.Object({ ...ImageJsonFields, ...FaceOptionsQuery.properties, attributes: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])) });

export const VerifyJsonBody = Type.Object({
  image_a: Type.Optional(Type.String({ description: 'Base64 image' })),
  url_a: Type.Optional(Type.String()),
  template_a: Type.Optional(Type.String({ description: 'A template from /v1/templates' })),
  image_b: Type.Optional(Type.String()),
  url_b: Type.Optional(Type.String()),
  template_b: Type.Optional(Type.String()),
  threshold: Type.Optional(Type.Union([Type.String(), Type.Number()], { description: 'strict, medium (default), low, none, or a similarity 0–1' })),
  min_face_size: Type.Optional(Type.Integer({ minimum: 1 })),
});

export const VerifyQuery = Type.Object({
  threshold: Type.Optional(Type.String({ description: 'strict, medium (default), low, none, or a similarity 0–1' })),
  min_face_size: Type.Optional(Type.Integer({ minimum: 1 })),
});

const Pt = Type.Object({ x: Type.Number(), y: Type.Number() });
export const BoxSchema = Type.Object({ x1: Type.Number(), y1: Type.Number(), x2: Type.Number(), y2: Type.Number() });

const AttributesSchema = Type.Object({
  age: Type.Optional(Type.Number()),
  gender: Type.Optional(Type.Object({ label: Type.Union([Type.Literal('male'), Type.Literal('female')]), confidence: Type.Number() })),
  emotion: Type.Optional(
    Type.Object({
      dominant: Type.String({ enum: [...EMOTIONS] }),
      probabilities: Type.Record(Type.String(), Type.Number()),
      mood: Type.Number({ description: '0 very negative – 100 very positive' }),
    }),
  ),
  quality: Type.Optional(
    Type.Object({
      score: Type.Number(),
      sharpness: Type.Number(),
      exposure: Type.Number(),
      size: Type.Number(),
      frontalness: Type.Number(),
      reasons: Type.Array(Type.String()),
    }),
  ),
  eyes: Type.Optional(
    Type.Object({
      left: Type.String(),
      right: Type.String(),
      left_open_probability: Type.Number(),
      right_open_probability: Type.Number(),
    }),
  ),
  liveness: Type.Optional(Type.Object({ score: Type.Number(), label: Type.String() })),
  clothing_colors: Type.Optional(Type.Array(Type.String())),
});

export const FaceSchema = Type.Object({
  box: BoxSchema,
  score: Type.Number(),
  landmarks: Type.Object({ left_eye: Pt, right_eye: Pt, nose: Pt, mouth_left: Pt, mouth_right: Pt }),
  landmarks68: Type.Optional(Type.Array(Pt)),
  pose: Type.Object({ yaw: Type.Number(), pitch: Type.Number(), roll: Type.Number() }),
  attributes: Type.Optional(AttributesSchema),
  template: Type.Optional(Type.String({ description: 'Opaque template; only from /v1/templates' })),
});

const ModelRef = Type.Object({ id: Type.String(), version: Type.String() });

/** Faces each filter kept out of the answer; lowering that filter alone would bring them back. */
export const DroppedSchema = Type.Object(
  {
    min_face_size: Type.Integer({ description: 'Faces that passed the score threshold but were narrower than min_face_size' }),
    score_threshold: Type.Integer({ description: 'Candidates as wide as min_face_size scoring below score_threshold (from 0.4, where about half are faces)' }),
  },
  { description: 'Faces the size and score filters dropped (max_faces is not counted)' },
);

export const DetectResponse = Type.Object({
  image: Type.Object({ width: Type.Integer(), height: Type.Integer() }),
  face_count: Type.Integer(),
  faces: Type.Array(FaceSchema),
  dropped: DroppedSchema,
  models: Type.Array(ModelRef),
});

export const TemplatesResponse = Type.Object({
  ...DetectResponse.properties,
  template_model: Type.String({ description: 'model id@version the templates belong to' }),
});

export const VerifyResponse = Type.Object({
  similarity: Type.Number(),
  threshold: Type.Number(),
  preset: Type.Optional(Type.String()),
  match: Type.Boolean(),
  model: Type.String(),
  faces: Type.Object({ a: Nullable(BoxSchema), b: Nullable(BoxSchema) }),
});

