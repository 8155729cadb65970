/**
 * Passive liveness with fr_liveness.onnx (faceplugin; a MiniFASNet-style anti-spoofing net):
 * 128×128, raw pixel values 0–255 (no normalisation), 3 logits (lib/fr_liveness.js). Crop: the
 * detection box scaled 2.7× about its centre (less when the image is too small) and shifted
 * inside the image: the net judges the face with its surroundings (screen edges, paper, moiré).
 *
 * Channel order and label: the package reports softmax[0] as its liveness score. We feed BGR
 * (OpenCV's order, which MiniFASNet-style nets are trained in; the package's JS passes a canvas'
 * RGBA, very likely by mistake) and read index 0 as P(real): on 214 real faces (LFW and
 * CompreFace samples) index 0 exceeded 0.5 for 81 % with BGR, while with RGB no class
 * separated real photos (index 1 won 62 %). score = P(real); real when score ≥ THRESHOLD.
 *
 * UNVALIDATED AGAINST ATTACKS: we hold no spoof samples (printed photos, screens, masks). The
 * only check made is that real photos (LFW, UTKFace, CompreFace samples) score as real; how
 * well it rejects presentation attacks is unknown. Do not use it as a security control.
 */
import type { LivenessEstimate, RgbImage } from '../../domain/face.model.js';
import type { ModelInfo } from '../../domain/model.info.js';
import type { LivenessModel, LocatedFace } from '../../ports/face-models.port.js';
import { cropToTensor, type TensorSpec } from '../image/pixel-ops.js';
import { MODEL_FILES, readVerifiedModelFile } from '../models/model-files.registry.js';
import { livenessBox, softmax } from './attribute-crops.js';
import { createSession, runSession, type OrtSession } from './onnx-session.js';

const SIZE = 128;
const SPEC: TensorSpec = { width: SIZE, height: SIZE, colour: 'BGR', mean: 0, std: 1 };
const REAL = 0;
const THRESHOLD = 0.5;

export class FrLiveness implements LivenessModel {
  readonly info: ModelInfo = {
    id: 'fr-liveness',
    version: '1',
    source: { package: `${MODEL_FILES.frLiveness.package}@${MODEL_FILES.frLiveness.version}`, file: MODEL_FILES.frLiveness.file, licence: MODEL_FILES.frLiveness.licence },
    input: { shape: [3, SIZE, SIZE], colour: 'BGR', normalisation: 'raw 0–255; box scaled 2.7× about its centre' },
  };

  private constructor(private readonly session: OrtSession) {}

  static async load(): Promise<FrLiveness> {
    return new FrLiveness(await createSession(readVerifiedModelFile(MODEL_FILES.frLiveness)));
  }

  /** All three class probabilities (for checks and research). */
  async probabilities(image: RgbImage, face: LocatedFace): Promise<number[]> {
    const input = cropToTensor(image, livenessBox(face.box, image.width, image.height), SPEC);
    const out = await runSession(this.session, input, [1, 3, SIZE, SIZE]);
    return softmax(out['output']!);
  }

  async estimate(image: RgbImage, face: LocatedFace): Promise<LivenessEstimate> {
    const score = (await this.probabilities(image, face))[REAL]!;
    return { score: Math.round(score * 1000) / 1000, label: score >= THRESHOLD ? 'real' : 'spoof' };
  }
}
