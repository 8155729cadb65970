/**
 * Runs durable jobs from a JobQueue: handlers by kind, at most `concurrency` at once, each with
 * its lease kept alive by heartbeats. A handler sees a requested cancel (or a lost lease, or a
 * stop past its grace) through ctx.cancelled() and ctx.signal, and should return early; what it
 * returns then is kept as the cancelled job's partial result.
 *
 * Failures: a VisageError is the job's own fault (bad input, no such gallery) and fails it at
 * once with its code; anything else may be passing (disk, a crashed worker) and is retried with
 * doubling delays until the job's attempts are spent, reported to clients as INTERNAL only.
 */
import { randomUUID } from 'node:crypto';
import { ERRORS, isVisageError } from '../domain/error.registry.js';
import type { JsonValue } from '../domain/gallery.rules.js';
import { systemClock, type Clock } from '../ports/clock.port.js';
import { workerId, type ClaimedJob, type Job, type JobError, type JobQueue, type LeaseState, type ResumeReport } from '../ports/job-queue.port.js';

export interface JobContext {
  /** Reports progress (rounded and clamped to 0–100); unchanged reports are not written. */
  progress(percent: number, stage?: string): Promise<void>;
  /**
   * Replaces the stored payload (what a resumed attempt will see as job.payload): a checkpoint
   * of the work done, and inputs no longer needed dropped. Unlike progress, a failure here throws.
   */
  checkpoint(payload: JsonValue): Promise<void>;
  /** True once the job should stop: cancel requested, lease lost, or the runner stopping past its grace. */
  cancelled(): boolean;
  /** Aborted when cancelled() turns true, for I/O that takes a signal. */
  signal: AbortSignal;
}

/** Returns the job's result (undefined: null). */
export type JobHandler = (job: Job, ctx: JobContext) => Promise<JsonValue | void>;

export interface JobRunnerOptions {
  /** Stable across restarts of this process slot (e.g. the host name): its old jobs resume on start. */
  node: string;
  concurrency: number;
  /** Default 30 s: how long a silent worker keeps its job before another may take it. */
  leaseMs?: number;
  /** Default leaseMs / 3. */
  heartbeatMs?: number;
  /** How often an idle runner looks for work (enqueue can call wake() instead). Default 1 s. */
  pollMs?: number;
  /** The first retry waits this long, each next one twice as long. Default 1 s. */
  retryDelayMs?: number;
  /** How often finished jobs past their expiry are purged; 0: never. Default 1 h. */
  purgeEveryMs?: number;
  clock?: Clock;
  /** Told of handler and queue failures (for the log; never given a payload). */
  onError?: (jobId: string | null, error: unknown) => void;
}

interface Running {
  claimed: ClaimedJob;
  cancel: boolean;
  lost: boolean;
  abort: AbortController;
  done: Promise<void>;
}

export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly active = new Set<Running>();
  private readonly owner: string;
  private readonly leaseMs: number;
  private readonly clock: Clock;
  private pump: Promise<void> | null = null;
  private stopping = false;
  private wakeUp: (() => void) | null = null;
  private purgeTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly queue: JobQueue,
    private readonly o: JobRunnerOptions,
  ) {
    if (!Number.isInteger(o.concurrency) || o.concurrency < 1) throw new RangeError('concurrency must be a positive integer');
    if (o.node.includes(':')) throw new RangeError('a node name must not contain ":"');
    this.owner = workerId(o.node, randomUUID());
    this.leaseMs = o.leaseMs ?? 30_000;
    this.clock = o.clock ?? systemClock;
  }

  /** This process's worker id (`<node>:<random>`). */
  get workerId(): string {
    return this.owner;
  }

  register(kind: string, handler: JobHandler): this {
    if (this.pump) throw new Error('register handlers before start()');
    if (this.handlers.has(kind)) throw new Error(`a handler for '${kind}' is registered already`);
    this.handlers.set(kind, handler);
    return this;
  }

  /** Requeues what this node's previous process left running, then starts claiming. */
  async start(): Promise<ResumeReport> {
    if (this.pump) throw new Error('the job runner is running already');
    this.stopping = false;
    const report = await this.queue.resumeAfterRestart(this.o.node, this.owner);
    this.pump = this.loop();
    const every = this.o.purgeEveryMs ?? 3600_000;
    if (every > 0) {
      const purge = () => void this.queue.purge(new Date(this.clock.now())).catch((e) => this.o.onError?.(null, e));
      purge();
      this.purgeTimer = setInterval(purge, every);
      this.purgeTimer.unref();
    }
    return report;
  }

  /**
   * A cancel asked for in this process reaches a job this runner holds at once, instead of at
   * its next heartbeat (other processes' jobs still hear it then).
   */
  cancelHere(jobId: string): void {
    for (const r of this.active) {
      if (r.claimed.job.id !== jobId) continue;
      r.cancel = true;
      if (!r.abort.signal.aborted) r.abort.abort();
    }
  }

  /** Claims at once instead of at the next poll (call after enqueueing). */
  wake(): void {
    this.wakeUp?.();
  }

  /**
   * Stops claiming and waits for the running jobs to finish. Past `graceMs` their handlers are
   * told to stop (cancelled() turns true) and left: their jobs stay running in the store and
   * are requeued by this node's next start (or taken by another worker when the lease expires).
   */
  async stop(graceMs = Infinity): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.pump;
    this.pump = null;
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    this.purgeTimer = null;
    const all = Promise.all([...this.active].map((r) => r.done));
    if (graceMs === Infinity) return void (await all);
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([all.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs)))]);
    clearTimeout(timer);
    if (late) {
      for (const r of this.active) {
        r.lost = true; // nothing it does from now on is recorded
        r.abort.abort();
      }
    }
  }

  private async loop(): Promise<void> {
    const kinds = [...this.handlers.keys()];
    while (!this.stopping) {
      while (!this.stopping && this.active.size < this.o.concurrency) {
        let claimed: ClaimedJob | null = null;
        try {
          claimed = await this.queue.claim(kinds, this.owner, this.leaseMs);
        } catch (e) {
          this.o.onError?.(null, e);
        }
        if (!claimed) break;
        this.launch(claimed);
      }
      if (this.stopping) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.o.pollMs ?? 1000);
        this.wakeUp = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }

  private launch(claimed: ClaimedJob): void {
    const r: Running = { claimed, cancel: claimed.job.cancelRequested, lost: false, abort: new AbortController(), done: Promise.resolve() };
    const stopNow = () => r.cancel || r.lost;
    const apply = (s: LeaseState) => {
      r.cancel ||= s.cancelRequested;
      r.lost ||= !s.held;
      if (stopNow() && !r.abort.signal.aborted) r.abort.abort();
    };
    const { lease, job } = claimed;
    const beat = setInterval(() => {
      if (r.lost) return;
      this.queue.heartbeat(lease).then(apply, (e) => this.o.onError?.(job.id, e));
    }, this.o.heartbeatMs ?? Math.max(1, Math.floor(this.leaseMs / 3)));
    let last: { percent: number; stage: string | undefined } | null = null;
    const ctx: JobContext = {
      progress: async (percent, stage) => {
        const p = Math.min(100, Math.max(0, Math.round(Number.isFinite(percent) ? percent : 0)));
        if (r.lost || (last && last.percent === p && (stage === undefined || stage === last.stage))) return;
        last = { percent: p, stage: stage ?? last?.stage };
        // Progress is advisory: a store hiccup here must not fail the work itself.
        await this.queue.progress(lease, p, stage).then(apply, (e) => this.o.onError?.(job.id, e));
      },
      checkpoint: async (payload) => {
        if (r.lost) return;
        apply(await this.queue.savePayload(lease, payload));
      },
      cancelled: stopNow,
      signal: r.abort.signal,
    };
    this.active.add(r);
    r.done = this.run(r, job, ctx).finally(() => {
      clearInterval(beat);
      this.active.delete(r);
      this.wake();
    });
  }

  private async run(r: Running, job: Job, ctx: JobContext): Promise<void> {
    const handler = this.handlers.get(job.kind)!;
    const { lease } = r.claimed;
    try {
      let outcome: { ok: true; result: JsonValue } | { ok: false; failure: unknown };
      try {
        outcome = { ok: true, result: (await handler(job, ctx)) ?? null };
      } catch (failure) {
        outcome = { ok: false, failure };
      }
      if (r.lost) return;
      if (r.cancel) {
        await this.queue.confirmCancel(lease, outcome.ok ? outcome.result : undefined);
      } else if (outcome.ok) {
        await this.queue.complete(lease, outcome.result);
      } else {
        const e = outcome.failure;
        const own = isVisageError(e);
        if (!own) this.o.onError?.(job.id, e);
        const error: JobError = own ? { code: e.code, message: e.message } : { code: 'INTERNAL', message: ERRORS.INTERNAL.message };
        const delay = (this.o.retryDelayMs ?? 1000) * 2 ** (lease.attempt - 1);
        await this.queue.fail(lease, error, { retry: !own, retryDelayMs: delay });
      }
    } catch (e) {
      // The store refused the outcome; the lease runs out and the job is taken again.
      this.o.onError?.(job.id, e);
    }
  }
}
