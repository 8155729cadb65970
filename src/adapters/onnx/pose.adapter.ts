/**
 * Head pose with fr_pose.onnx (faceplugin, Hopenet-style): 224×224 RGB, ImageNet normalisation
 * ((x/255 − [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]), three heads of 66 bins of 3°
 * (outputs `output` yaw, `617` pitch, `618` roll). angle = Σ softmax(bins)ᵢ · i · 3 − 99 degrees
 * (lib/fr_pose.js). Crop: the detection box grown by a quarter on every side, clipped.
 *
 * Signs are turned to HeadPose's convention (positive yaw = face turned towards the image's
 * right, positive pitch = looking up, positive roll = clockwise in the image), checked on
 * photos against the landmark geometry (core/landmark-pose.rules.ts) and on mirrored copies.
 * Latency: 6.8 ms per face (p50, one thread, LFW); the pipeline may prefer the landmark
 * geometry, which agrees within a few degrees on ordinary photos.
 */
import type { HeadPose, RgbImage } from '../../domain/face.model.js';
import type { ModelInfo } from '../../domain/model.info.js';
import type { LocatedFace, PoseEstimator } from '../../ports/face-models.port.js';
import { cropToTensor, type TensorSpec } from '../image/pixel-ops.js';
import { MODEL_FILES, readVerifiedModelFile } from '../models/model-files.registry.js';
import { poseBox, softmax } from './attribute-crops.js';
import { createSession, runSession, type OrtSession } from './onnx-session.js';

const SIZE = 224;
const SPEC: TensorSpec = {
  width: SIZE,
  height: SIZE,
  colour: 'RGB',
  mean: [0.485 * 255, 0.456 * 255, 0.406 * 255],
  std: [0.229 * 255, 0.224 * 255, 0.225 * 255],
};
/**
 * Sign of each model angle in HeadPose's convention. The model's yaw is positive for a face
 * turned to the image's left (on LFW it correlates −0.97 with the nose's offset from the jaw
 * midpoint, and a face seen turned right read −48°), so it is negated; pitch is positive
 * looking up and roll positive clockwise, as HeadPose wants.
 */
const SIGN = { yaw: -1, pitch: 1, roll: 1 };

/** Expected bin under the softmax, in degrees: Σ pᵢ · (3i − 99). */
export function binsToDegrees(logits: ArrayLike<number>): number {
  const p = softmax(logits);
  let e = 0;
  for (let i = 0; i < p.length; i++) e += p[i]! * i;
  return e * 3 - 99;
}

export class FrPose implements PoseEstimator {
  readonly info: ModelInfo = {
    id: 'fr-pose',
    version: '1',
    source: { package: `${MODEL_FILES.frPose.package}@${MODEL_FILES.frPose.version}`, file: MODEL_FILES.frPose.file, licence: MODEL_FILES.frPose.licence },
    input: { shape: [3, SIZE, SIZE], colour: 'RGB', normalisation: 'ImageNet mean/std; box grown 25 % a side' },
  };

  private constructor(private readonly session: OrtSession) {}

  static async load(): Promise<FrPose> {
    return new FrPose(await createSession(readVerifiedModelFile(MODEL_FILES.frPose)));
  }

  async estimate(image: RgbImage, face: LocatedFace): Promise<HeadPose> {
    const input = cropToTensor(image, poseBox(face.box, image.width, image.height), SPEC);
    const out = await runSession(this.session, input, [1, 3, SIZE, SIZE]);
    const r = (x: number) => Math.round(x * 10) / 10;
    return {
      yaw: r(SIGN.yaw * binsToDegrees(out['output']!)),
      pitch: r(SIGN.pitch * binsToDegrees(out['617']!)),
      roll: r(SIGN.roll * binsToDegrees(out['618']!)),
    };
  }
}
