/** One inference worker: loads every model once, then analyses images one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { FacePipeline } from '../../core/face-pipeline.js';
import { isVisageError } from '../../domain/error.registry.js';
import { loadFaceModels, type EngineOptions } from '../models/face-models.loader.js';
import type { AnalyzeRequest, CloseRequest, WorkerMessage } from './worker-protocol.js';

const port = parentPort!;
const send = (m: WorkerMessage) => port.postMessage(m);

// Photos arrive in this worker's shared buffers (worker-pool.analyzer.ts), written by the pool
// before each request and left alone until this worker answers it. The pipeline runs one
// analysis at a time, so a request that arrives early waits its turn with its photo in place.
const pixels: (SharedArrayBuffer | undefined)[] = [];

try {
  const pipeline = new FacePipeline(await loadFaceModels((workerData ?? {}) as EngineOptions));
  port.on('message', async (req: AnalyzeRequest | CloseRequest) => {
    if ('type' in req) {
      // Exit by letting the thread drain: terminate() while onnxruntime sessions are alive
      // aborts the whole process from a native finalizer.
      port.close();
      return;
    }
    try {
      const buffer = (pixels[req.buffer] = req.pixels ?? pixels[req.buffer]);
      if (!buffer) throw new Error('no pixel buffer');
      const image = { width: req.width, height: req.height, data: new Uint8Array(buffer, 0, req.width * req.height * 3) };
      const faces = await pipeline.analyze(image, req.options);
      send({ type: 'result', id: req.id, faces });
    } catch (e) {
      if (isVisageError(e)) send({ type: 'error', id: req.id, code: e.code, message: e.message, details: e.details });
      else send({ type: 'error', id: req.id, message: e instanceof Error ? e.message : String(e) });
    }
  });
  send({ type: 'ready', embedder: pipeline.embedder, models: pipeline.models });
} catch (e) {
  send({ type: 'load-failed', message: e instanceof Error ? e.message : String(e) });
}
