/**
 * onnxruntime-node sessions as we run them: one intra-op thread each (parallelism comes from the
 * worker pool, one worker per core) and spinning off, which measured about 2x faster for the whole
 * pipeline because sharp and JS keep their core (../shared/research/models.md).
 */
import ort from 'onnxruntime-node';
import { applyGraphSpeedups } from './graph-speedups.rewrite.js';

export type OrtSession = ort.InferenceSession;
export const OrtTensor = ort.Tensor;

/**
 * Graph optimisation level: 'all' (layout transforms to NCHWc) is the fastest for every model of
 * ours once the graph rewrites have run (fr_feature was 3x slower at 'all' before them, from its
 * subnormal weights); bench/ort-levels.ts measures each model at each level.
 */
export type OptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

export async function createSession(model: Uint8Array, level: OptimizationLevel = 'all'): Promise<OrtSession> {
  // Function-preserving rewrites first: near-zero weights to zero, PRelu as Mul/Relu/Add (graph-speedups.rewrite.ts).
  return ort.InferenceSession.create(applyGraphSpeedups(model), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: level,
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  });
}

/** Runs a single-input session and returns its outputs by name. */
export async function runSession(
  session: OrtSession,
  input: Float32Array,
  dims: readonly number[],
): Promise<Record<string, Float32Array>> {
  const name = session.inputNames[0]!;
  const out = await session.run({ [name]: new ort.Tensor('float32', input, dims) });
  const result: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(out)) result[k] = v.data as Float32Array;
  return result;
}
