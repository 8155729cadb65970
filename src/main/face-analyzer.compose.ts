/** Builds the real engine: a worker pool, or the pipeline in this thread when poolSize is 0. */
import { availableParallelism } from 'node:os';
import { FacePipeline } from '../core/face-pipeline.js';
import type { FaceAnalyzer } from '../ports/face-analyzer.port.js';
import { WorkerPoolAnalyzer } from '../adapters/inference/worker-pool.analyzer.js';
import { loadFaceModels, type EngineOptions } from './face-models.compose.js';

/** Each worker runs this composition root (analysis-worker.compose.ts, through tsx). */
const WORKER_ENTRY = new URL('./analysis-worker.entry.mjs', import.meta.url);

export interface FaceAnalyzerOptions {
  /** Worker threads; 0 runs inference in the calling thread (CLI one-offs, tests). Default: cores. */
  poolSize?: number;
  /** Requests allowed to wait for a worker before OVERLOADED. */
  maxQueue?: number;
  engine?: EngineOptions;
}

export async function createFaceAnalyzer(opts: FaceAnalyzerOptions = {}): Promise<FaceAnalyzer> {
  const size = opts.poolSize ?? availableParallelism();
  if (size === 0) return new FacePipeline(await loadFaceModels(opts.engine));
  return WorkerPoolAnalyzer.start({ size, maxQueue: opts.maxQueue ?? 64 * size, engine: opts.engine ?? {}, entry: WORKER_ENTRY });
}
