/**
 * Facial expression with fr_expression.onnx (faceplugin): 224×224 RGB, pixel / 255, 7 logits in
 * the FER order angry, disgust, fear, happy, sad, surprise, neutral (lib/fr_expression.js).
 * Crop: from the detection box's top-left, 1.2 × its width and height, as the package does.
 *
 * Mood, 0 (very negative) to 100 (very positive):
 *   mood = clip(50 + 50·(P(happy) + 0.5·P(surprise) − P(angry) − P(disgust) − P(fear) − P(sad)), 0, 100)
 * so a neutral face sits at 50, a certain smile at 100 and certain anger, disgust, fear or
 * sadness at 0; surprise counts half positive because it is as often pleasant as not.
 */
import { EMOTIONS, type Emotion, type EmotionEstimate, type RgbImage } from '../../domain/face.model.js';
import type { ModelInfo } from '../../domain/model.info.js';
import type { EmotionModel, LocatedFace } from '../../ports/face-models.port.js';
import { cropToTensor, type TensorSpec } from '../image/pixel-ops.js';
import { MODEL_FILES, readVerifiedModelFile } from '../models/model-files.registry.js';
import { expressionBox, softmax } from './attribute-crops.js';
import { createSession, runSession, type OrtSession } from './onnx-session.js';

const SIZE = 224;
const SPEC: TensorSpec = { width: SIZE, height: SIZE, colour: 'RGB', mean: 0, std: 255 };

export function moodScore(p: Record<Emotion, number>): number {
  const v = 50 + 50 * (p.happy + 0.5 * p.surprise - p.angry - p.disgust - p.fear - p.sad);
  return Math.round(Math.min(100, Math.max(0, v)) * 10) / 10;
}

export function emotionFromProbabilities(probs: ArrayLike<number>): EmotionEstimate {
  const probabilities = {} as Record<Emotion, number>;
  let dominant: Emotion = EMOTIONS[0];
  EMOTIONS.forEach((e, i) => {
    probabilities[e] = probs[i]!;
    if (probs[i]! > probs[EMOTIONS.indexOf(dominant)]!) dominant = e;
  });
  return { dominant, probabilities, mood: moodScore(probabilities) };
}

export class FrEmotion implements EmotionModel {
  readonly info: ModelInfo = {
    id: 'fr-expression',
    version: '1',
    source: { package: `${MODEL_FILES.frExpression.package}@${MODEL_FILES.frExpression.version}`, file: MODEL_FILES.frExpression.file, licence: MODEL_FILES.frExpression.licence },
    input: { shape: [3, SIZE, SIZE], colour: 'RGB', normalisation: 'x / 255; crop box.x1,y1 + 1.2·(w, h)' },
  };
  private constructor(private readonly session: OrtSession) {}

  static async load(): Promise<FrEmotion> {
    return new FrEmotion(await createSession(readVerifiedModelFile(MODEL_FILES.frExpression)));
  }

  async estimate(image: RgbImage, face: LocatedFace): Promise<EmotionEstimate> {
    const input = cropToTensor(image, expressionBox(face.box, image.width, image.height), SPEC);
    const out = await runSession(this.session, input, [1, 3, SIZE, SIZE]);
    return emotionFromProbabilities(softmax(out['output']!));
  }
}
