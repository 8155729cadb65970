/**
 * LFW evaluation runner: `npx tsx bench/lfw-eval.ts [--limit N] [--no-refine] [--rgb] [--std127.5]
 * [--centre-box]`. Prints the JSON of evalLfw (src/cli/eval/lfw.eval.ts). Data from
 * EVAL_DIR or ../shared/eval. Flags other than --limit exist to measure preprocessing variants.
 */
import { SharpDecoder } from '../src/adapters/image/sharp-decoder.adapter.js';
import { ARCFACE_SPEC, ArcFaceEmbedder } from '../src/adapters/onnx/arcface-embedder.adapter.js';
import { Landmark68Locator } from '../src/adapters/onnx/landmark68.adapter.js';
import { evalLfw } from '../src/eval/lfw.eval.js';
import type { FaceDetector } from '../src/ports/face-models.port.js';

const args = process.argv.slice(2);
const flag = (f: string) => args.includes(f);
const limitIdx = args.indexOf('--limit');
const limit = limitIdx >= 0 ? Number(args[limitIdx + 1]) : undefined;

async function loadDetector(): Promise<FaceDetector> {
  const none: FaceDetector = {
    info: { id: 'none', version: '0', source: { package: '', file: '', licence: '' }, input: { shape: [], colour: 'RGB', normalisation: '' } },
    detect: async () => [],
  };
  if (flag('--centre-box')) return none;
  try {
    // Loaded by path at run time so this runner works before the detector adapter lands.
    const modPath = '../src/adapters/onnx/rfb-detector.adapter.js';
    const mod = (await import(modPath)) as { RfbDetector: { load(): Promise<FaceDetector> } };
    return await mod.RfbDetector.load();
  } catch (e) {
    console.error(`RFB detector unavailable (${(e as Error).message}); every photo uses the fixed centre box`);
    return none;
  }
}

const spec = { ...ARCFACE_SPEC };
if (flag('--rgb')) spec.colour = 'RGB';
if (flag('--std127.5')) Object.assign(spec, { mean: 127.5, std: 127.5 });

const t0 = performance.now();
const result = await evalLfw({
  dataDir: process.env.EVAL_DIR ?? '../shared/eval',
  detector: await loadDetector(),
  landmarker: await Landmark68Locator.load({ refine: !flag('--no-refine') }),
  embedder: await ArcFaceEmbedder.load(spec),
  decode: (b) => new SharpDecoder({ maxPixels: 50e6 }).decode(b),
  log: (m) => console.error(m),
  ...(limit !== undefined ? { limit } : {}),
});
console.log(JSON.stringify(result, null, 2));
console.error(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
