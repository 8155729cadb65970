/**
 * The answer's schema: every key and type of the document's example (less `ethnicity`), used as
 * the route's response schema so the serializer sends exactly these keys with these types.
 * Errors share it: `img_size` is absent on them and `people` is empty.
 */
import { Type } from '@sinclair/typebox';

const Int = Type.Integer();
const XY = Type.Object({ x: Int, y: Int }, { additionalProperties: false });
const Score = Type.Integer({ minimum: 0, maximum: 100 });

export const SightcorpPerson = Type.Object(
  {
    age: Type.Integer({ minimum: 0 }),
    gender: Type.Integer({ minimum: -100, maximum: 100 }),
    mood: Score,
    position: Type.Object({ x: Int, y: Int, w: Int, h: Int }, { additionalProperties: false }),
    rotation: Type.Object({ yaw: Int, pitch: Int, roll: Int }, { additionalProperties: false }),
    landmarks: Type.Object({ lefteye: XY, righteye: XY, maskpoints: Type.Array(XY) }, { additionalProperties: false }),
    clothingcolors: Type.Array(Type.String({ pattern: '^#[0-9a-f]{6}$' })),
    emotions: Type.Object(
      { happiness: Score, surprise: Score, anger: Score, disgust: Score, fear: Score, sadness: Score },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const SightcorpResponse = Type.Object(
  {
    error_code: Type.Integer(),
    description: Type.String(),
    img_size: Type.Optional(Type.Object({ w: Int, h: Int }, { additionalProperties: false })),
    // Always sent; optional only so the serializer keeps the document's key order (it writes
    // required keys first, and img_size must be optional for errors).
    people: Type.Optional(Type.Array(SightcorpPerson)),
  },
  { additionalProperties: false },
);
