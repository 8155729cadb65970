/**
 * 512-d face embeddings with fr_feature.onnx (an ArcFace-style net, faceplugin). The face is
 * aligned by a least-squares similarity transform from its 5 points onto the standard ArcFace
 * 112x112 template, fed as BGR with (x − 127)/128 (measured better than the package's own RGB:
 * 99.38% vs 99.13% LFW, ../shared/research/models.md) and L2-normalised.
 */
import type { Landmarks5, RgbImage } from '../../domain/face.model.js';
import type { EmbedderInfo } from '../../domain/model.info.js';
import { l2normalize } from '../../domain/similarity.rules.js';
import type { Embedder, FaceLandmarks } from '../../ports/face-models.port.js';
import { similarityTransform, type Affine, type TensorSpec, warpToTensor } from '../image/pixel-ops.js';
import { MODEL_FILES, readVerifiedModelFile } from '../models/model-files.registry.js';
import { ARCFACE_CALIBRATION } from './arcface-calibration.js';
import { createSession, runSession, type OrtSession } from './onnx-session.js';

const SIZE = 112;
const DIM = 512;

/** Where the 5 points (left eye, right eye, nose, left mouth, right mouth) land in the 112x112 crop. */
export const ARCFACE_TEMPLATE: ReadonlyArray<{ x: number; y: number }> = [
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
];

export const ARCFACE_SPEC: TensorSpec = { width: SIZE, height: SIZE, colour: 'BGR', mean: 127, std: 128 };

/**
 * The dst → src affine of the alignment: fitting the template onto the face's points directly
 * (rather than inverting points → template) gives the sampling matrix warpToTensor wants.
 */
export function arcfaceAlignment(points5: Landmarks5): Affine {
  return similarityTransform([...ARCFACE_TEMPLATE], points5);
}

export class ArcFaceEmbedder implements Embedder {
  readonly info: EmbedderInfo = {
    id: 'fr-arcface-512',
    version: '1',
    source: { package: `${MODEL_FILES.frFeature.package}@${MODEL_FILES.frFeature.version}`, file: MODEL_FILES.frFeature.file, licence: MODEL_FILES.frFeature.licence },
    input: { shape: [3, SIZE, SIZE], colour: 'BGR', normalisation: '(x - 127) / 128, 5-point similarity alignment to the ArcFace 112x112 template' },
    dim: DIM,
    metric: 'cosine',
    calibration: ARCFACE_CALIBRATION,
  };
  private readonly input = new Float32Array(3 * SIZE * SIZE);

  private constructor(
    private readonly session: OrtSession,
    private readonly spec: TensorSpec,
  ) {}

  /** `spec` exists for evaluation of preprocessing variants; production uses the default. */
  static async load(spec: TensorSpec = ARCFACE_SPEC): Promise<ArcFaceEmbedder> {
    return new ArcFaceEmbedder(await createSession(readVerifiedModelFile(MODEL_FILES.frFeature)), spec);
  }

  async embed(image: RgbImage, landmarks: FaceLandmarks): Promise<Float32Array> {
    warpToTensor(image, arcfaceAlignment(landmarks.points5), this.spec, this.input);
    const out = await runSession(this.session, this.input, [1, 3, SIZE, SIZE]);
    const v = Object.values(out)[0]!;
    if (v.length !== DIM) throw new Error(`fr_feature returned ${v.length} values, expected ${DIM}`);
    return l2normalize(v);
  }
}
