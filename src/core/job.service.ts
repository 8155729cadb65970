/**
 * Durable background work for the surfaces: submit a job of a registered kind for the
 * caller's account, read it (with its place in the queue while it waits), list, cancel. Use
 * cases register their handlers with `handle(kind, handler)` before the runner starts; the
 * composition root starts it once the engine and indexes are ready.
 */
import { VisageError, badParam } from '../domain/error.registry.js';
import type { JsonValue } from '../domain/gallery.rules.js';
import type { Job, JobFilter, JobList, JobPage, JobQueue, JobStatus } from '../ports/job-queue.port.js';
import type { JobHandler, JobRunner } from './job-runner.js';

export type { Job, JobList, JobStatus } from '../ports/job-queue.port.js';
export type { JobContext, JobHandler } from './job-runner.js';

/** A job as a client sees it: with its queue position while it waits. */
export type JobView = Job & { position: number | null };

export interface SubmitOptions {
  maxAttempts?: number;
  retainMs?: number;
}

const STATUSES: readonly JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

export class JobService {
  constructor(
    private readonly queue: JobQueue,
    private readonly runner: JobRunner,
    readonly account?: string,
  ) {}

  /** The same service acting for an account. */
  scoped(account: string): JobService {
    return new JobService(this.queue, this.runner, account);
  }

  /** Registers the handler of a kind of job (before the runner starts). */
  handle(kind: string, handler: JobHandler): void {
    this.runner.register(kind, handler);
  }

  /** Durable once this resolves: the job survives a restart from here on. */
  async submit(kind: string, payload: JsonValue, o: SubmitOptions = {}): Promise<Job> {
    const job = await this.queue.enqueue({ account: this.who(), kind, payload, ...o });
    this.runner.wake();
    return job;
  }

  async get(id: string): Promise<JobView> {
    const job = await this.queue.get(id, this.who());
    if (!job) throw new VisageError('JOB_NOT_FOUND', `Job ${id} does not exist`, { param: 'id' });
    return { ...job, position: job.status === 'queued' ? await this.queue.position(id, this.who()) : null };
  }

  async list(filter: { kind?: unknown; status?: unknown } = {}, page: { limit?: unknown; cursor?: unknown } = {}): Promise<JobList> {
    const f: JobFilter = {};
    if (typeof filter.kind === 'string' && filter.kind !== '') f.kind = filter.kind;
    if (filter.status !== undefined && filter.status !== '') {
      const list = String(filter.status).split(',');
      for (const s of list) if (!STATUSES.includes(s as JobStatus)) throw badParam('status', `status must be among ${STATUSES.join(', ')}`);
      f.status = list as JobStatus[];
    }
    const p: JobPage = {};
    if (page.limit !== undefined) {
      const n = Number(page.limit);
      if (!Number.isInteger(n) || n < 1 || n > 1000) throw badParam('limit', 'limit must be 1 to 1000');
      p.limit = n;
    }
    if (typeof page.cursor === 'string' && page.cursor !== '') p.cursor = page.cursor;
    return this.queue.list(this.who(), f, p);
  }

  /** A queued job ends at once; a running one is asked to stop and ends when its worker sees it. */
  async cancel(id: string): Promise<JobView> {
    const job = await this.queue.cancel(id, this.who());
    if (!job) throw new VisageError('JOB_NOT_FOUND', `Job ${id} does not exist`, { param: 'id' });
    if (job.status === 'running') this.runner.cancelHere(id);
    return this.get(id);
  }

  private who(): string {
    if (this.account === undefined) throw new Error('JobService used without an account (call scoped)');
    return this.account;
  }
}
