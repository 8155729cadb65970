/** Visage's side of the benchmark: the worker pool for throughput, its adapters one by one for stages. */
import { boxArea, type RgbImage } from '../src/domain/face.model.js';
import type { FaceAnalyzer } from '../src/ports/face-analyzer.port.js';
import type { StageTimes } from './peer-protocol.js';

/** The same request as the server's "detect with templates": no attributes, 5-point landmarks. */
export const ANALYZE = { minFaceSize: 20, maxFaces: 100, landmarks68: false, attributes: [] as [], templates: true };

export async function startPool(size: number): Promise<FaceAnalyzer> {
  const { createFaceAnalyzer } = await import('../src/main/face-analyzer.compose.js');
  return createFaceAnalyzer({ poolSize: size });
}

export interface VisageStages {
  run(image: RgbImage): Promise<StageTimes>;
  info: string;
}

/**
 * Detector, landmarker and embedder loaded in this thread (one onnxruntime thread each, as in a
 * worker), timed separately: detect, then per face (largest first) landmarks and the template.
 * The pool's analyze also estimates head pose per face; this pass leaves it out.
 */
export async function loadStages(): Promise<VisageStages> {
  const { RfbDetector } = await import('../src/adapters/onnx/rfb-detector.adapter.js');
  const { Landmark68Locator } = await import('../src/adapters/onnx/landmark68.adapter.js');
  const { ArcFaceEmbedder } = await import('../src/adapters/onnx/arcface-embedder.adapter.js');
  const detector = await RfbDetector.load();
  const landmarker = await Landmark68Locator.load();
  const embedder = await ArcFaceEmbedder.load();
  const now = () => performance.now();
  return {
    info: [detector, landmarker, embedder].map((m) => `${m.info.id}@${m.info.version}`).join(' + ') + ` (detector passes: long sides ${detector.options.longSides.join('/')}, flip ${detector.options.flip}, tiles ${detector.options.tiles ? 'on' : 'off'})`,
    async run(image) {
      const t: StageTimes = { detect: 0, landmarks: [], embed: [], total: 0, faces: 0 };
      const t0 = now();
      const found = await detector.detect(image, { minFaceSize: ANALYZE.minFaceSize });
      found.sort((a, b) => boxArea(b.box) - boxArea(a.box));
      const kept = found.slice(0, ANALYZE.maxFaces);
      t.detect = now() - t0;
      for (const d of kept) {
        let s = now();
        const landmarks = await landmarker.locate(image, d);
        t.landmarks.push(now() - s);
        s = now();
        const e = await embedder.embed(image, landmarks);
        if (e.length === 0) throw new Error('Visage returned an empty template');
        t.embed.push(now() - s);
      }
      t.faces = kept.length;
      t.total = now() - t0;
      return t;
    },
  };
}
