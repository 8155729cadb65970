/**
 * Runs one eval section in this process and writes its JSON: `eval-section.ts <section> <dataDir> <out> [limit]`.
 * Only the models a section needs are loaded.
 */
import { writeFileSync } from 'node:fs';
import { SharpDecoder } from '../adapters/image/sharp-decoder.adapter.js';
import { EVAL_SECTIONS, type EvalSection } from '../eval/eval-sections.js';


const decoder = new SharpDecoder({ maxPixels: 100_000_000 });
const decode = (b: Uint8Array) => decoder.decode(b);
const log = (msg: string) => process.stderr.write(`[eval] ${msg}\n`);

async function run(section: EvalSection, dataDir: string, limit?: number): Promise<unknown> {
  const { RfbDetector } = await import('../adapters/onnx/rfb-detector.adapter.js');
  const { Landmark68Locator } = await import('../adapters/onnx/landmark68.adapter.js');
  const detector = await RfbDetector.load();
  switch (section) {
    case 'detection': {
      const { evalDetection } = await import('../eval/detection.eval.js');
      return evalDetection({ dataDir, detector, decode, log, limit });
    }
    case 'lfw': {
      const { evalLfw } = await import('../eval/lfw.eval.js');
      const { ArcFaceEmbedder } = await import('../adapters/onnx/arcface-embedder.adapter.js');
      const [landmarker, embedder] = [await Landmark68Locator.load(), await ArcFaceEmbedder.load()];
      return evalLfw({ dataDir, detector, landmarker, embedder, decode, log, limit });
    }
    case 'age_gender': {
      const { evalAgeGender } = await import('../eval/age-gender.eval.js');
      const { FaceApiAgeGender } = await import('../adapters/onnx/age-gender.adapter.js');
      return evalAgeGender({ dataDir, model: await FaceApiAgeGender.load(), detector, landmarker: await Landmark68Locator.load(), decode, log, limit });
    }
    case 'emotion': {
      const { evalEmotion } = await import('../eval/emotion.eval.js');
      const { FrEmotion } = await import('../adapters/onnx/emotion.adapter.js');
      return evalEmotion({ dataDir, model: await FrEmotion.load(), detector, landmarker: await Landmark68Locator.load(), decode, log, limit });
    }
    case 'speed': {
      const { evalSpeed } = await import('../eval/speed.eval.js');
      const { createFaceAnalyzer } = await import('./face-analyzer.compose.js');
      return evalSpeed({ dataDir, decode, log, limit, loadAnalyzer: () => createFaceAnalyzer({ poolSize: 0 }) });
    }
  }
}

{
  const [section, dataDir, out, limit] = process.argv.slice(2);
  if (!(EVAL_SECTIONS as readonly string[]).includes(section ?? '') || !dataDir || !out) {
    console.error(`usage: eval-section.ts <${EVAL_SECTIONS.join('|')}> <dataDir> <out.json> [limit]`);
    process.exit(2);
  }
  const result = await run(section as EvalSection, dataDir, limit ? Number(limit) : undefined);
  writeFileSync(out, JSON.stringify(result, null, 2));
}
