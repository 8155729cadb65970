/** One inference worker: loads every model once, then analyses images one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { FacePipeline } from '../core/face-pipeline.js';
import { isVisageError } from '../domain/error.registry.js';
import { loadFaceModels, type EngineOptions } from './face-models.compose.js';
import { nativeAddon } from '../adapters/image/native-kernels.js';
import type { AnalyzeRequest, CloseRequest, WorkerMessage } from '../adapters/inference/worker-protocol.js';

const port = parentPort!;
const send = (m: WorkerMessage) => port.postMessage(m);

// Photos arrive in place (the caller's memory, by address) or in this worker's shared buffers
// (worker-pool.analyzer.ts); either way they are left alone until this worker answers, and an
// in-place view is detached before the answer goes. The two requests a worker holds may
// interleave at the pipeline's awaits; each reads only its own photo.
const pixels: (SharedArrayBuffer | undefined)[] = [];

/** The request's pixels: read in place from the caller's memory, or from a shared buffer. */
function photoOf(req: AnalyzeRequest): Uint8Array {
  const length = req.width * req.height * 3;
  if (req.address !== undefined) {
    const native = nativeAddon();
    if (!native) throw new Error('pixels sent in place, but the native addon does not load here');
    return native.view(req.address, length);
  }
  const buffer = (pixels[req.buffer!] = req.pixels ?? pixels[req.buffer!]);
  if (!buffer) throw new Error('no pixel buffer');
  return new Uint8Array(buffer, 0, length);
}

try {
  const pipeline = new FacePipeline(await loadFaceModels((workerData ?? {}) as EngineOptions));
  port.on('message', async (req: AnalyzeRequest | CloseRequest) => {
    if ('type' in req) {
      // Exit by letting the thread drain: terminate() while onnxruntime sessions are alive
      // aborts the whole process from a native finalizer.
      port.close();
      return;
    }
    let data: Uint8Array | undefined;
    let answer: WorkerMessage;
    try {
      data = photoOf(req);
      answer = { type: 'result', id: req.id, ...(await pipeline.analyze({ width: req.width, height: req.height, data }, req.options)) };
    } catch (e) {
      if (isVisageError(e)) answer = { type: 'error', id: req.id, code: e.code, message: e.message, details: e.details };
      else answer = { type: 'error', id: req.id, message: e instanceof Error ? e.message : String(e) };
    }
    // An in-place photo is detached before the pool hears back and lets the caller free it.
    if (data && req.address !== undefined) nativeAddon()!.release(data);
    send(answer);
  });
  send({ type: 'ready', embedder: pipeline.embedder, models: pipeline.models });
} catch (e) {
  send({ type: 'load-failed', message: e instanceof Error ? e.message : String(e) });
}
