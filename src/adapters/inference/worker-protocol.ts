/** Messages between the pool (main thread) and an analysis worker. */
import type { AnalyzedFace, DroppedFaces } from '../../domain/face.model.js';
import type { ErrorCode, ErrorDetails } from '../../domain/error.registry.js';
import type { EmbedderInfo, ModelInfo } from '../../domain/model.info.js';
import type { AnalyzeOptions } from '../../ports/face-analyzer.port.js';

export interface AnalyzeRequest {
  id: number;
  width: number;
  height: number;
  /**
   * Where the photo is: the caller's own pixels, in place (`address`, from the native kernels;
   * the pool keeps them alive until this request is answered), or copied into one of the worker's
   * pixel buffers (`buffer`, its width × height × 3 bytes from the start).
   */
  address?: bigint;
  buffer?: number;
  /** That buffer, sent only when the pool has (re)allocated it; the worker keeps it. */
  pixels?: SharedArrayBuffer;
  options: AnalyzeOptions;
}

/** Sent instead of an AnalyzeRequest to let a worker finish and exit on its own. */
export interface CloseRequest {
  type: 'close';
}

export type WorkerMessage =
  | { type: 'ready'; embedder: EmbedderInfo; models: ModelInfo[] }
  | { type: 'load-failed'; message: string }
  | { type: 'result'; id: number; faces: AnalyzedFace[]; dropped: DroppedFaces; modelMs?: Record<string, number> }
  | { type: 'error'; id: number; code?: ErrorCode; message: string; details?: ErrorDetails };
