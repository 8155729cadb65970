/**
 * The analysis of one image over the model ports: detect → landmarks → (template, attributes).
 * It runs wherever the models live (inside each inference worker in production).
 */
import { boxArea, noneDropped, type AnalyzedFace, type AttributeName, type FaceAttributes, type RgbImage } from '../domain/face.model.js';
import type { EmbedderInfo, ModelInfo } from '../domain/model.info.js';
import type { AnalyzeOptions, FaceAnalysis, FaceAnalyzer } from '../ports/face-analyzer.port.js';
import type { FaceModels, LocatedFace } from '../ports/face-models.port.js';
import { assessQuality } from './quality.rules.js';
import { dominantClothingColours } from './clothing-colours.rules.js';

export class FacePipeline implements FaceAnalyzer {
  /**
   * One analysis at a time: the model adapters reuse their input buffers, and their sessions
   * run one intra-op thread each, so overlapping calls in one thread would gain nothing and
   * could mix inputs. Parallelism comes from running one pipeline per worker thread.
   */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly m: FaceModels) {}

  get embedder(): EmbedderInfo {
    return this.m.embedder.info;
  }

  get models(): ModelInfo[] {
    const { detector, landmarker, embedder, quickPose, pose, ageGender, emotion, eyes, liveness } = this.m;
    return [detector, landmarker, embedder, quickPose, pose, ageGender, emotion, eyes, liveness].map((x) => x.info);
  }

  analyze(image: RgbImage, o: AnalyzeOptions): Promise<FaceAnalysis> {
    const run = this.tail.then(() => this.analyzeNow(image, o));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async analyzeNow(image: RgbImage, o: AnalyzeOptions): Promise<FaceAnalysis> {
    const dropped = noneDropped();
    // Per-model time for /metrics: two clock reads a call (well under a microsecond each).
    const modelMs: Record<string, number> = {};
    const timed = async <T>(model: string, run: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      try {
        return await run();
      } finally {
        modelMs[model] = (modelMs[model] ?? 0) + performance.now() - t0;
      }
    };
    const detections = await timed('detector', () => this.m.detector.detect(image, { minFaceSize: o.minFaceSize, scoreThreshold: o.scoreThreshold, dropped }));
    // Largest first: the face a user means in a portrait, and the one kept by max_faces.
    detections.sort((a, b) => boxArea(b.box) - boxArea(a.box));
    const kept = detections.slice(0, Math.max(0, o.maxFaces));
    const want = new Set<AttributeName>(o.attributes);
    const faces: AnalyzedFace[] = [];
    for (const d of kept) {
      const landmarks = await timed('landmarker', () => this.m.landmarker.locate(image, d));
      const located: LocatedFace = { box: d.box, landmarks };
      // Landmark geometry (~0.01 ms) for every face; the network (~7 ms) only when asked for.
      const pose = await timed(want.has('pose') ? 'pose' : 'quick_pose', () => (want.has('pose') ? this.m.pose : this.m.quickPose).estimate(image, located));
      const attributes: FaceAttributes = {};
      if (want.has('age') || want.has('gender')) {
        const ag = await timed('age_gender', () => this.m.ageGender.estimate(image, located));
        if (want.has('age')) attributes.age = ag.age;
        if (want.has('gender')) attributes.gender = ag.gender;
      }
      if (want.has('emotion')) attributes.emotion = await timed('emotion', () => this.m.emotion.estimate(image, located));
      if (want.has('eyes')) attributes.eyes = await timed('eyes', () => this.m.eyes.estimate(image, located));
      if (want.has('liveness')) attributes.liveness = await timed('liveness', () => this.m.liveness.estimate(image, located));
      if (want.has('quality')) attributes.quality = assessQuality(image, located, pose);
      if (want.has('clothing_colors')) attributes.clothingColors = dominantClothingColours(image, d.box);
      const face: AnalyzedFace = { box: d.box, score: d.score, landmarks5: landmarks.points5, pose, attributes };
      if (o.landmarks68) face.landmarks68 = landmarks.points68;
      if (o.templates) face.embedding = await timed('embedder', () => this.m.embedder.embed(image, landmarks));
      faces.push(face);
    }
    return { faces, dropped, modelMs };
  }

  async close(): Promise<void> {}
}
