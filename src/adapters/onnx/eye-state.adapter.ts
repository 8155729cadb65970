/**
 * Eye state with fr_eye.onnx (faceplugin): one 24×24 grey crop per eye, pixel / 255, 2 logits
 * (lib/fr_eye.js). Each eye's square is centred on its 4 lid landmarks, 1.6 × the
 * corner-to-corner width (attribute-crops.ts eyeBoxes). Without 68 landmarks the eyes are
 * cut around the 5-point eye centres with a width of 0.25 × the face box.
 *
 * Output order: index 1 (OPEN) is the open-eye class, read off real photos: on 80 LFW eye crops
 * sorted by it, the top 70 (P ≥ 0.6) were all visibly open eyes and the lowest were closed or
 * half-closed eyes, sunglasses and misplaced crops. An eye is reported closed when P(open) < 0.5.
 * No labelled closed-eye set exists here, so its accuracy is not measured.
 */
import type { Box, EyesEstimate, RgbImage } from '../../domain/face.model.js';
import type { ModelInfo } from '../../domain/model.info.js';
import type { EyeStateModel, LocatedFace } from '../../ports/face-models.port.js';
import { cropToTensor, type TensorSpec } from '../image/pixel-ops.js';
import { MODEL_FILES, readVerifiedModelFile } from '../models/model-files.registry.js';
import { clipBox, eyeBoxes, softmax } from './attribute-crops.js';
import { createSession, runSession, type OrtSession } from './onnx-session.js';

const SIZE = 24;
const SPEC: TensorSpec = { width: SIZE, height: SIZE, colour: 'GREY', mean: 0, std: 255 };
const OPEN = 1;

export class FrEyeState implements EyeStateModel {
  readonly info: ModelInfo = {
    id: 'fr-eye',
    version: '1',
    source: { package: `${MODEL_FILES.frEye.package}@${MODEL_FILES.frEye.version}`, file: MODEL_FILES.frEye.file, licence: MODEL_FILES.frEye.licence },
    input: { shape: [1, SIZE, SIZE], colour: 'GREY', normalisation: 'x / 255; square 1.6 × eye width around the lids' },
  };

  private constructor(private readonly session: OrtSession) {}

  static async load(): Promise<FrEyeState> {
    return new FrEyeState(await createSession(readVerifiedModelFile(MODEL_FILES.frEye)));
  }

  async estimate(image: RgbImage, face: LocatedFace): Promise<EyesEstimate> {
    const [lb, rb] = this.boxes(image, face);
    const left = await this.openProbability(image, lb);
    const right = await this.openProbability(image, rb);
    return {
      left: left >= 0.5 ? 'open' : 'closed',
      right: right >= 0.5 ? 'open' : 'closed',
      leftOpenProbability: Math.round(left * 1000) / 1000,
      rightOpenProbability: Math.round(right * 1000) / 1000,
    };
  }

  private boxes(image: RgbImage, face: LocatedFace): [Box, Box] {
    if (face.landmarks.points68.length >= 68) return eyeBoxes(face.landmarks.points68, image.width, image.height);
    const half = ((face.box.x2 - face.box.x1) * 0.25) / 2;
    const around = (p: { x: number; y: number }) =>
      clipBox({ x1: p.x - half, y1: p.y - half, x2: p.x + half, y2: p.y + half }, image.width, image.height);
    return [around(face.landmarks.points5[0]), around(face.landmarks.points5[1])];
  }

  private async openProbability(image: RgbImage, box: Box): Promise<number> {
    const input = cropToTensor(image, box, SPEC);
    const out = await runSession(this.session, input, [1, 1, SIZE, SIZE]);
    return softmax(out['output']!)[OPEN]!;
  }
}
