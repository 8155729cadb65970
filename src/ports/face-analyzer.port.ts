/** The whole analysis of one image, as the use cases see it (run in a worker pool in production). */
import type { AnalyzedFace, AttributeName, RgbImage } from '../domain/face.model.js';
import type { EmbedderInfo, ModelInfo } from '../domain/model.info.js';

export interface AnalyzeOptions {
  minFaceSize: number;
  /** Keep at most this many faces, largest first. */
  maxFaces: number;
  scoreThreshold?: number;
  landmarks68: boolean;
  attributes: AttributeName[];
  templates: boolean;
}

export interface FaceAnalyzer {
  /** Faces sorted by box area, largest first. */
  analyze(image: RgbImage, options: AnalyzeOptions): Promise<AnalyzedFace[]>;
  readonly embedder: EmbedderInfo;
  readonly models: ModelInfo[];
  close(): Promise<void>;
}
