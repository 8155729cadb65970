/**
 * FaceAnalyzer over a pool of worker threads, one per core by default: each worker holds its own
 * onnxruntime sessions with one intra-op thread, so inference never blocks the HTTP thread and
 * the cores are used without oversubscription. Requests queue FIFO; a bounded queue turns
 * overload into OVERLOADED (503) instead of unbounded memory. Each worker holds up to two
 * requests, so it never waits for the pool between photos. A crashed worker fails only the
 * requests it held and is replaced.
 *
 * With the native kernels (native-kernels.ts) a photo reaches its worker in place: the worker
 * reads the caller's pixels by address, the pool keeps them alive until the worker answers, and
 * the worker detaches its view before answering. Copying the bench's photos cost the HTTP thread
 * ~4.8 ms of CPU per photo with both workers busy (a 36 MP photo alone: 25 ms) and the workers
 * memory bandwidth; in place, the bench's two workers went from ~80 to ~100 photos/s. Callers
 * must not change the pixels until the promise settles (none does: decoded photos are never
 * written). Without the kernels, each photo is copied into one of the worker's shared buffers,
 * the next while the worker runs the current one.
 */
import { Worker } from 'node:worker_threads';
import { VisageError } from '../../domain/error.registry.js';
import type { RgbImage } from '../../domain/face.model.js';
import type { EmbedderInfo, ModelInfo } from '../../domain/model.info.js';
import type { AnalyzeOptions, FaceAnalysis, FaceAnalyzer } from '../../ports/face-analyzer.port.js';
import type { AnalyzerStats, AnalyzerStatsSource } from '../../ports/analyzer-stats.port.js';
import type { EngineOptions } from '../../ports/face-models.port.js';
import { nativeAddon, type NativePixelKernels } from '../image/native-kernels.js';
import type { AnalyzeRequest, WorkerMessage } from './worker-protocol.js';

interface Task {
  req: Omit<AnalyzeRequest, 'buffer' | 'pixels' | 'address'>;
  /**
   * The caller's pixels: read by the worker in place, or copied into one of its buffers when the
   * task is dispatched. Held here until the worker answers or exits, so they stay alive.
   */
  data: Uint8Array;
  resolve: (analysis: FaceAnalysis) => void;
  reject: (e: Error) => void;
  /** performance.now() when a worker took it (stats: analysis time without the queue wait). */
  handedAt?: number;
}

/** Requests a worker holds at once: the one it runs and the next, already copied. */
const DEPTH = 2;

interface Slot {
  worker: Worker;
  /** The requests this worker holds, by id, with the buffer each photo is in (−1: in place). */
  tasks: Map<number, { task: Task; buffer: number }>;
  /** performance.now() when it last went from holding nothing to holding a request. */
  busySince: number;
  /**
   * This worker's pixel buffers, one per request it can hold, shared with it and grown to the
   * largest photo each has had. A fresh ArrayBuffer per photo cost a page fault per 4 KiB on the
   * HTTP thread (a 36 MP photo: 60 ms, mostly kernel time, against 25 ms for a copy into memory
   * already mapped), and transferring recycled buffers back and forth tripled garbage-collection
   * time, so each worker keeps its own.
   */
  pixels: (SharedArrayBuffer | undefined)[];
}

export interface WorkerPoolOptions {
  size: number;
  /** Requests waiting beyond this many are refused with OVERLOADED. */
  maxQueue: number;
  /** Passed to every worker's model loader. */
  engine: EngineOptions;
  /**
   * The worker's script: a composition root that builds the pipeline from the models (this
   * adapter only runs it, so it needs no knowledge of the core).
   */
  entry: URL;
}

export class WorkerPoolAnalyzer implements FaceAnalyzer, AnalyzerStatsSource {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  /** Worker-milliseconds spent holding requests, of idle spells ended so far (stats()). */
  private busyMs = 0;
  /** Requests workers answered, and the milliseconds from hand-over to answer, summed. */
  private answered = 0;
  private answerMs = 0;
  private closing = false;
  private info?: { embedder: EmbedderInfo; models: ModelInfo[] };
  /** Hands photos to workers by address (no copy); null: copies them into shared buffers. */
  private readonly inPlace: NativePixelKernels | null;

  private constructor(private readonly options: WorkerPoolOptions) {
    this.inPlace = options.engine.pixelKernels === 'js' ? null : nativeAddon();
  }

  /** Starts the workers and resolves once every one has loaded its models. */
  static async start(options: WorkerPoolOptions): Promise<WorkerPoolAnalyzer> {
    const pool = new WorkerPoolAnalyzer(options);
    try {
      await Promise.all(Array.from({ length: Math.max(1, options.size) }, () => pool.spawn()));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  get embedder(): EmbedderInfo {
    return this.info!.embedder;
  }

  get models(): ModelInfo[] {
    return this.info!.models;
  }

  analyze(image: RgbImage, options: AnalyzeOptions): Promise<FaceAnalysis> {
    if (this.closing) return Promise.reject(new VisageError('NOT_READY', 'The server is shutting down'));
    if (this.queue.length >= this.options.maxQueue) return Promise.reject(new VisageError('OVERLOADED'));
    // Checked here, so handing the photo over (by address or by copy) cannot throw later, inside
    // a worker's message handler.
    if (!(image.data instanceof Uint8Array) || !(image.width > 0 && image.height > 0) || image.data.byteLength < image.width * image.height * 3) {
      return Promise.reject(new Error(`analyze: expected ${image.width}x${image.height}x3 bytes of RGB`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ req: { id: this.nextId++, width: image.width, height: image.height, options }, data: image.data, resolve, reject });
      this.pump();
    });
  }

  /** Per model role: images it ran on and milliseconds spent, summed (from each answer's modelMs). */
  private readonly modelTime: Record<string, { calls: number; ms: number }> = {};

  /** Load for /metrics: cheap counts, read on each scrape. */
  stats(): AnalyzerStats {
    const now = performance.now();
    let busy = 0;
    let open = 0;
    for (const s of this.slots) {
      if (s.tasks.size === 0) continue;
      busy++;
      open += now - s.busySince;
    }
    return {
      workers: this.slots.length,
      busyWorkers: busy,
      queued: this.queue.length,
      busySeconds: (this.busyMs + open) / 1000,
      analyses: this.answered,
      analysisSeconds: this.answerMs / 1000,
      models: Object.fromEntries(Object.entries(this.modelTime).map(([m, t]) => [m, { images: t.calls, seconds: t.ms / 1000 }])),
    };
  }

  /** Called after a request leaves a slot (answered, or not when its worker died): an idle worker ends its busy spell. */
  private settled(slot: Slot, answered?: Task): void {
    if (answered?.handedAt !== undefined) {
      this.answered++;
      this.answerMs += performance.now() - answered.handedAt;
    }
    if (slot.tasks.size === 0 && slot.busySince > 0) {
      this.busyMs += performance.now() - slot.busySince;
      slot.busySince = 0;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.queue.splice(0)) t.reject(new VisageError('NOT_READY', 'The server is shutting down'));
    await Promise.all(this.slots.map((s) => this.stopWorker(s.worker)));
  }

  /** Asks a worker to exit on its own; terminates it only if it does not within a few seconds. */
  private stopWorker(worker: Worker): Promise<void> {
    return new Promise((done) => {
      const timer = setTimeout(() => void worker.terminate(), 5000);
      worker.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      worker.postMessage({ type: 'close' });
    });
  }

  /** Hands queued requests to workers: idle workers first, then each worker its next one. */
  private pump(): void {
    for (let depth = 1; depth <= DEPTH; depth++) {
      for (const slot of this.slots) {
        if (this.queue.length === 0) return;
        if (slot.tasks.size >= depth) continue;
        const task = this.queue.shift()!;
        try {
          this.handOver(slot, task);
        } catch (e) {
          // Only a caller that emptied (detached) its pixels after asking gets here.
          task.reject(e instanceof Error ? e : new Error(String(e)));
        }
      }
    }
  }

  /** Gives `task` to the worker of `slot`: its photo in place, or copied into a free buffer. */
  private handOver(slot: Slot, task: Task): void {
    if (task.data.byteLength < task.req.width * task.req.height * 3) throw new Error('analyze: the photo\'s pixels were emptied before a worker took it');
    task.handedAt = performance.now();
    if (slot.tasks.size === 0) slot.busySince = task.handedAt;
    if (this.inPlace) {
      const address = this.inPlace.address(task.data);
      slot.tasks.set(task.req.id, { task, buffer: -1 });
      slot.worker.postMessage({ ...task.req, address });
      return;
    }
    const used = new Set([...slot.tasks.values()].map((t) => t.buffer));
    const buffer = [...Array(DEPTH).keys()].find((b) => !used.has(b))!;
    let pixels = slot.pixels[buffer];
    const grow = !pixels || pixels.byteLength < task.data.byteLength;
    if (grow) pixels = slot.pixels[buffer] = new SharedArrayBuffer(task.data.byteLength);
    new Uint8Array(pixels!, 0, task.data.byteLength).set(task.data);
    slot.tasks.set(task.req.id, { task, buffer });
    slot.worker.postMessage({ ...task.req, buffer, ...(grow ? { pixels } : {}) });
  }

  private spawn(): Promise<void> {
    return new Promise((resolveReady, rejectReady) => {
      const worker = new Worker(this.options.entry, { workerData: this.options.engine });
      const slot: Slot = { worker, tasks: new Map(), pixels: [], busySince: 0 };
      let ready = false;
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') {
          ready = true;
          this.info ??= { embedder: m.embedder, models: m.models };
          this.slots.push(slot);
          resolveReady();
          this.pump();
        } else if (m.type === 'load-failed') {
          rejectReady(new Error(m.message));
        } else {
          const task = slot.tasks.get(m.id)?.task;
          slot.tasks.delete(m.id);
          this.settled(slot, task);
          if (task) {
            if (m.type === 'result') {
              for (const [model, ms] of Object.entries(m.modelMs ?? {})) {
                const t = (this.modelTime[model] ??= { calls: 0, ms: 0 });
                t.calls++;
                t.ms += ms;
              }
              task.resolve({ faces: m.faces, dropped: m.dropped, modelMs: m.modelMs });
            }
            else task.reject(m.code ? new VisageError(m.code, m.message, m.details) : new Error(m.message));
          }
          this.pump();
        }
      });
      worker.on('error', (e) => {
        if (!ready) rejectReady(e);
      });
      worker.on('exit', (code) => {
        const i = this.slots.indexOf(slot);
        if (i >= 0) this.slots.splice(i, 1);
        for (const { task } of slot.tasks.values()) task.reject(new Error(`inference worker exited with code ${code}`));
        slot.tasks.clear();
        this.settled(slot);
        if (!ready) rejectReady(new Error(`inference worker exited with code ${code} while loading models`));
        else if (!this.closing) void this.spawn().catch(() => undefined);
      });
    });
  }
}
