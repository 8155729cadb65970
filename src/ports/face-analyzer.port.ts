/** The whole analysis of one image, as the use cases see it (run in a worker pool in production). */
import type { AnalyzedFace, AttributeName, DroppedFaces, RgbImage } from '../domain/face.model.js';
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

export interface FaceAnalysis {
  /** Sorted by box area, largest first. */
  faces: AnalyzedFace[];
  /** What min_face_size and score_threshold removed (not max_faces). */
  dropped: DroppedFaces;
  /** Milliseconds spent in each model on this image, by model role (detector, landmarker, embedder, …). */
  modelMs?: Record<string, number>;
}

export interface FaceAnalyzer {
  analyze(image: RgbImage, options: AnalyzeOptions): Promise<FaceAnalysis>;
  readonly embedder: EmbedderInfo;
  readonly models: ModelInfo[];
  close(): Promise<void>;
}
