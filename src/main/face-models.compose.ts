/** Loads every model adapter (weights verified) into the set the pipeline runs over. */
import { LandmarkPose } from '../core/landmark-pose.rules.js';
import { usePixelKernels } from '../adapters/image/native-kernels.js';
import type { EngineOptions, FaceModels } from '../ports/face-models.port.js';
import { FaceApiAgeGender } from '../adapters/onnx/age-gender.adapter.js';
import { ArcFaceEmbedder } from '../adapters/onnx/arcface-embedder.adapter.js';
import { FrEmotion } from '../adapters/onnx/emotion.adapter.js';
import { FrEyeState } from '../adapters/onnx/eye-state.adapter.js';
import { Landmark68Locator } from '../adapters/onnx/landmark68.adapter.js';
import { FrLiveness } from '../adapters/onnx/liveness.adapter.js';
import { FrPose } from '../adapters/onnx/pose.adapter.js';
import { RfbDetector } from '../adapters/onnx/rfb-detector.adapter.js';

export type { EngineOptions };

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
