/**
 * A FaceAnalyzer at the process edge for tests that are not about the models: deterministic,
 * instant. It "finds" one face in any image that is not a single flat colour, with an embedding
 * derived from the mean colour, so two images of different colours differ and one image matches itself.
 */
import type { AnalyzedFace, RgbImage } from '../../src/domain/face.model.js';
import type { EmbedderInfo, ModelInfo } from '../../src/domain/model.info.js';
import type { AnalyzeOptions, FaceAnalysis, FaceAnalyzer } from '../../src/ports/face-analyzer.port.js';

export const FAKE_EMBEDDER: EmbedderInfo = {
  id: 'fake-embedder',
  version: '1',
  source: { package: 'none', file: 'none', licence: 'MIT' },
  input: { shape: [3, 112, 112], colour: 'RGB', normalisation: 'none' },
  dim: 8,
  metric: 'cosine',
  calibration: { c0: 0.3, c1: 6, cosineAt: { strict: 0.6, medium: 0.45, low: 0.3 } },
};

const FAKE_DETECTOR: ModelInfo = { ...FAKE_EMBEDDER, id: 'fake-detector', version: '1' };

export function isFlat(img: RgbImage): boolean {
  const [r, g, b] = img.data;
  for (let i = 0; i < img.data.length; i += 3) if (img.data[i] !== r || img.data[i + 1] !== g || img.data[i + 2] !== b) return false;
  return true;
}

export function fakeFace(img: RgbImage, scale = 1, o?: AnalyzeOptions): AnalyzedFace {
  const w = (img.width / 2) * scale;
  const h = (img.height / 2) * scale;
  const x1 = img.width / 4;
  const y1 = img.height / 4;
  const p = (x: number, y: number) => ({ x: x1 + x * w, y: y1 + y * h });
  let r = 0, g = 0, b = 0;
  for (let i = 0; i < img.data.length; i += 3) {
    r += img.data[i]!;
    g += img.data[i + 1]!;
    b += img.data[i + 2]!;
  }
  const n = img.data.length / 3;
  const v = new Float32Array([r / n, g / n, b / n, 1, 2, 3, 4, 5].map((x, i) => (i < 3 ? x / 255 - 0.5 : x / 10)));
  const norm = Math.hypot(...v);
  return {
    box: { x1, y1, x2: x1 + w, y2: y1 + h },
    score: 0.987654,
    landmarks5: [p(0.3, 0.4), p(0.7, 0.4), p(0.5, 0.6), p(0.35, 0.8), p(0.65, 0.8)],
    ...(o?.landmarks68 ? { landmarks68: Array.from({ length: 68 }, (_, i) => p(i / 68, 0.5)) } : {}),
    pose: { yaw: 1.234, pitch: -2.345, roll: 0.456 },
    attributes: o?.attributes.includes('age') ? { age: 33.33, gender: { label: 'female', confidence: 0.9 } } : {},
    ...(o?.templates ? { embedding: v.map((x) => x / norm) } : {}),
  };
}

export class FakeAnalyzer implements FaceAnalyzer {
  readonly embedder = FAKE_EMBEDDER;
  readonly models = [FAKE_DETECTOR, FAKE_EMBEDDER];
  calls: AnalyzeOptions[] = [];
  /** Faces per non-flat image (tests of max_faces). */
  constructor(private readonly facesPerImage = 1) {}

  async analyze(image: RgbImage, options: AnalyzeOptions): Promise<FaceAnalysis> {
    this.calls.push(options);
    // The fake has no size or score filter of its own: it drops nothing.
    const dropped = { minFaceSize: 0, scoreThreshold: 0 };
    if (isFlat(image)) return { faces: [], dropped };
    const faces = Array.from({ length: this.facesPerImage }, (_, i) => fakeFace(image, 1 / (i + 1), options));
    return { faces: faces.slice(0, options.maxFaces), dropped };
  }

  async close(): Promise<void> {}
}
