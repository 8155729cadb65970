/**
 * What the analysis pipeline needs from models. Each adapter wraps one model (or a tuned
 * combination) and carries its metadata. All coordinates are in the given image's pixels.
 */
import type {
  AnalyzedFace,
  Box,
  DroppedFaces,
  EmotionEstimate,
  EyesEstimate,
  GenderEstimate,
  HeadPose,
  Landmarks5,
  LivenessEstimate,
  Point,
  RgbImage,
} from '../domain/face.model.js';
import type { EmbedderInfo, ModelInfo } from '../domain/model.info.js';

export interface Detection {
  box: Box;
  score: number;
  /** Some detectors give 5 points; the landmarker refines them. */
  landmarks5?: Landmarks5;
}

export interface DetectOptions {
  /** Faces narrower than this (pixels) are dropped. */
  minFaceSize: number;
  /** Detections scoring below this are dropped; undefined means the detector's tuned default. */
  scoreThreshold?: number;
  /**
   * When given, the candidates each filter dropped are added to it (DroppedFaces). An out
   * parameter, so the many callers that want only the list keep their plain array.
   */
  dropped?: DroppedFaces;
}

export interface FaceDetector {
  readonly info: ModelInfo;
  /** Detections sorted by score, best first. */
  detect(image: RgbImage, options: DetectOptions): Promise<Detection[]>;
}

export interface FaceLandmarks {
  points68: Point[];
  points5: Landmarks5;
}

export interface Landmarker {
  readonly info: ModelInfo;
  locate(image: RgbImage, detection: Detection): Promise<FaceLandmarks>;
}

export interface Embedder {
  readonly info: EmbedderInfo;
  /** Aligns the face from its 5 points and returns an L2-normalised embedding. */
  embed(image: RgbImage, landmarks: FaceLandmarks): Promise<Float32Array>;
}

/** The face as the attribute models see it: where it is and its landmarks. */
export interface LocatedFace {
  box: Box;
  landmarks: FaceLandmarks;
}

export interface PoseEstimator {
  readonly info: ModelInfo;
  estimate(image: RgbImage, face: LocatedFace): Promise<HeadPose>;
}

export interface AgeGenderModel {
  readonly info: ModelInfo;
  estimate(image: RgbImage, face: LocatedFace): Promise<{ age: number; gender: GenderEstimate }>;
}

export interface EmotionModel {
  readonly info: ModelInfo;
  estimate(image: RgbImage, face: LocatedFace): Promise<EmotionEstimate>;
}

export interface EyeStateModel {
  readonly info: ModelInfo;
  estimate(image: RgbImage, face: LocatedFace): Promise<EyesEstimate>;
}

export interface LivenessModel {
  readonly info: ModelInfo;
  estimate(image: RgbImage, face: LocatedFace): Promise<LivenessEstimate>;
}

/** Everything the pipeline can run; the composition root builds it. */
export interface FaceModels {
  detector: FaceDetector;
  landmarker: Landmarker;
  embedder: Embedder;
  /** Cheap pose for every face (quality, the response's `pose`). */
  quickPose: PoseEstimator;
  /** The more precise pose network, run when a caller asks for the `pose` attribute. */
  pose: PoseEstimator;
  ageGender: AgeGenderModel;
  emotion: EmotionModel;
  eyes: EyeStateModel;
  liveness: LivenessModel;
}

export type { AnalyzedFace };

/** How the pixel loops run: the C++ kernels when built (auto), required (native), or JS. */
export type PixelKernelMode = 'auto' | 'native' | 'js';

/** Engine settings that change what the models do (from config; plain data, sent to workers). */
export interface EngineOptions {
  /** The detector's coarse-to-fine early exit (RfbDetectorOptions.earlyExit); default on. */
  detectorEarlyExit?: boolean;
  /** C++ or JS pixel loops (native-kernels.ts); default auto. */
  pixelKernels?: PixelKernelMode;
}
