/**
 * Which onnxruntime graph optimisation level is fastest for each model (one thread, spinning
 * off, as in production): `node --import tsx bench/ort-levels.ts [runs]`. Median ms per run on
 * random input; the adapters pass the winner to createSession.
 */
import { MODEL_FILES, readVerifiedModelFile } from '../src/adapters/models/model-files.registry.js';
import { createSession, runSession, type OptimizationLevel } from '../src/adapters/onnx/onnx-session.js';
import { median } from '../src/cli/eval/stats.js';

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
  for (const level of levels) {
    const s = await createSession(bytes, level);
    for (let i = 0; i < 3; i++) await runSession(s, input, dims);
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await runSession(s, input, dims);
      ms.push(performance.now() - t);
    }
    row[level] = Math.round(median(ms) * 100) / 100;
    await s.release();
  }
  console.log(name.padEnd(14), JSON.stringify(row));
}
