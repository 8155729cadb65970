/** Loads every model adapter (weights verified) into the set the pipeline runs over. */
import { LandmarkPose } from '../../core/landmark-pose.rules.js';
import { usePixelKernels, type PixelKernelMode } from '../image/native-kernels.js';
import type { FaceModels } from '../../ports/face-models.port.js';
import { FaceApiAgeGender } from '../onnx/age-gender.adapter.js';
import { ArcFaceEmbedder } from '../onnx/arcface-embedder.adapter.js';
import { FrEmotion } from '../onnx/emotion.adapter.js';
import { FrEyeState } from '../onnx/eye-state.adapter.js';
import { Landmark68Locator } from '../onnx/landmark68.adapter.js';
import { FrLiveness } from '../onnx/liveness.adapter.js';
import { FrPose } from '../onnx/pose.adapter.js';
import { RfbDetector } from '../onnx/rfb-detector.adapter.js';

/** Engine settings that change what the models do (from config; plain data, sent to workers). */
export interface EngineOptions {
  /** The detector's coarse-to-fine early exit (RfbDetectorOptions.earlyExit); default on. */
  detectorEarlyExit?: boolean;
  /** C++ or JS pixel loops (native-kernels.ts); default auto. */
  pixelKernels?: PixelKernelMode;
}

export async function loadFaceModels(o: EngineOptions = {}): Promise<FaceModels> {
  usePixelKernels(o.pixelKernels ?? 'auto');
  // Sequential on purpose: loading is start-up work, and it keeps the error for a bad file clear.
  const detector = await RfbDetector.load(o.detectorEarlyExit === false ? { earlyExit: null } : {});
  const landmarker = await Landmark68Locator.load();
  const embedder = await ArcFaceEmbedder.load();
  const pose = await FrPose.load();
  const ageGender = await FaceApiAgeGender.load();
  const emotion = await FrEmotion.load();
  const eyes = await FrEyeState.load();
  const liveness = await FrLiveness.load();
  return { detector, landmarker, embedder, quickPose: new LandmarkPose(), pose, ageGender, emotion, eyes, liveness };
}
