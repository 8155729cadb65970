/**
 * Which onnxruntime graph optimisation level is fastest for each model (one thread, spinning
 * off, as in production): `node --import tsx bench/ort-levels.ts [runs]`. Median ms per run on
 * random input, for the graph as shipped ("shipped", 'basic' level, no rewrites) and as
 * createSession runs it (with graph-speedups.rewrite.ts) at each level, and the largest output
 * difference between the two; the adapters pass the winner to createSession.
 */
import ort from 'onnxruntime-node';
import { MODEL_FILES, readVerifiedModelFile } from '../src/adapters/models/model-files.registry.js';
import { createSession, runSession, type OptimizationLevel } from '../src/adapters/onnx/onnx-session.js';
import { median } from '../src/eval/stats.js';

const runs = Number(process.argv[2] ?? 30);
const models = {
  frDetect: [1, 3, 240, 320],
  frLandmark: [1, 1, 64, 64],
  frFeature: [1, 3, 112, 112],
  frExpression: [1, 3, 224, 224],
  frPose: [1, 3, 224, 224],
  frEye: [1, 1, 24, 24],
  frLiveness: [1, 3, 128, 128],
} as const;
const levels: OptimizationLevel[] = ['basic', 'extended', 'all'];

for (const [name, dims] of Object.entries(models)) {
  const bytes = readVerifiedModelFile(MODEL_FILES[name as keyof typeof models]);
  const input = Float32Array.from({ length: dims.reduce((a: number, b: number) => a * b, 1) }, () => Math.random() * 2 - 1);
  const row: Record<string, number> = {};
  let reference: Record<string, Float32Array> | undefined;
  let maxDiff = 0;
  const shipped = await ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: 'basic',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  for (const [label, s] of [['shipped', shipped], ...(await Promise.all(levels.map(async (l) => [l, await createSession(bytes, l)] as const)))] as const) {
    for (let i = 0; i < 3; i++) await runSession(s, input, dims);
    const ms: number[] = [];
    let out: Record<string, Float32Array> = {};
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      out = await runSession(s, input, dims);
      ms.push(performance.now() - t);
    }
    row[label] = Math.round(median(ms) * 100) / 100;
    reference ??= out;
    for (const [k, v] of Object.entries(out)) v.forEach((x, i) => (maxDiff = Math.max(maxDiff, Math.abs(x - reference![k]![i]!))));
    await s.release();
  }
  console.log(name.padEnd(14), JSON.stringify(row), `max output difference ${maxDiff.toExponential(1)}`);
}
