/**
 * Durable jobs: work that answers once it is durably accepted and runs in the background
 * (large gallery adds, searches over many photos), surviving a restart. Every method returns a
 * Promise so a networked store can implement the same contract (test/ports/job-queue.contract.ts).
 *
 * A worker that claims a job holds a lease: an owner, the attempt it claimed, and an expiry it
 * must keep pushing forward (heartbeat or progress). Every worker call is fenced by that lease,
 * so a worker that stalled and lost its job to another cannot report over the new attempt.
 */
import type { JsonValue } from '../domain/gallery.rules.js';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export const FINISHED_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

/** A client-safe failure: a stable code (the error registry's where one fits) and a message. */
export interface JobError {
  code: string;
  message: string;
}

export interface Job {
  id: string;
  account: string;
  /** What the job does, e.g. 'gallery.add'; workers claim by kind. */
  kind: string;
  payload: JsonValue;
  status: JobStatus;
  /** 0–100, an integer; kept across a requeue, so a resumed handler can see where it stopped. */
  progress: number;
  stage: string | null;
  /** Set on success (and on a cancel the handler acknowledged with a partial result). */
  result: JsonValue | null;
  /** The last failure; kept while a retry is queued, cleared on success. */
  error: JobError | null;
  /** Claims so far (each claim, including a reclaim after a lost worker, is one attempt). */
  attempts: number;
  maxAttempts: number;
  /** A cancel was asked for while the job ran; its worker sees it on its next heartbeat or progress. */
  cancelRequested: boolean;
  createdAt: Date;
  /** The first claim. */
  startedAt: Date | null;
  finishedAt: Date | null;
  /** When a finished job is purged (finishedAt + its retention); null until it finishes. */
  expiresAt: Date | null;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
}

/** A job as listings show it: without its payload and result, which may be large. */
export type JobSummary = Omit<Job, 'payload' | 'result'>;

export interface NewJob {
  account: string;
  kind: string;
  payload: JsonValue;
  /** Default DEFAULT_JOB_MAX_ATTEMPTS. */
  maxAttempts?: number;
  /** How long the job is kept once finished; default DEFAULT_JOB_RETENTION_MS. */
  retainMs?: number;
}

export const DEFAULT_JOB_MAX_ATTEMPTS = 3;
export const DEFAULT_JOB_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** What fences a worker's calls: the job, the worker and the attempt it claimed. */
export interface JobLease {
  readonly jobId: string;
  readonly owner: string;
  readonly attempt: number;
}

export interface ClaimedJob {
  job: Job;
  lease: JobLease;
}

/** The answer to a worker's heartbeat or progress report. */
export interface LeaseState {
  /** False: the job is no longer this worker's (reclaimed, settled or gone); stop working on it. */
  held: boolean;
  cancelRequested: boolean;
}

export interface JobFilter {
  kind?: string;
  status?: readonly JobStatus[];
}

export interface JobPage {
  /** At most 1000; default 50. */
  limit?: number;
  /** The `next` of the previous page. */
  cursor?: string;
}

export interface JobList {
  /** Newest first. */
  jobs: JobSummary[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next: string | null;
}

export interface FailOptions {
  /** Queue the job again if it has attempts left (and no cancel was asked for). */
  retry?: boolean;
  /** A retried job is not claimed before this delay has passed. */
  retryDelayMs?: number;
}

/** What resumeAfterRestart did. */
export interface ResumeReport {
  requeued: number;
  failed: number;
  cancelled: number;
}

export interface JobQueue {
  /** Durably records a queued job; when this resolves the job survives a crash. */
  enqueue(job: NewJob): Promise<Job>;

  /**
   * Atomically takes the oldest claimable job of these kinds: queued (and past any retry delay),
   * or running with an expired lease (its worker died). Two workers never claim the same attempt.
   * A job with an expired lease and no attempts left is failed (JOB_INTERRUPTED) instead, and one
   * whose cancel was asked for is cancelled. The lease lasts `leaseMs` from now.
   */
  claim(kinds: readonly string[], owner: string, leaseMs: number): Promise<ClaimedJob | null>;

  /** Pushes the lease `leaseMs` (default: the claim's) from now. */
  heartbeat(lease: JobLease, leaseMs?: number): Promise<LeaseState>;

  /** Records progress (an integer 0–100) and an optional stage; extends the lease like a heartbeat. */
  progress(lease: JobLease, percent: number, stage?: string): Promise<LeaseState>;

  /**
   * Replaces the job's payload (fenced by the lease, like progress): a handler checkpoints what
   * it has done, so a resumed attempt skips it, and drops inputs it no longer needs (photos once
   * enrolled). Extends the lease like a heartbeat.
   */
  savePayload(lease: JobLease, payload: JsonValue): Promise<LeaseState>;

  /** Success: progress 100, the result kept until the job expires. Null when the lease was lost. */
  complete(lease: JobLease, result: JsonValue): Promise<Job | null>;

  /** Failure, or with `retry` a requeue while attempts remain. Null when the lease was lost. */
  fail(lease: JobLease, error: JobError, options?: FailOptions): Promise<Job | null>;

  /** The worker stops on a requested cancel, optionally with what it did so far. Null when the lease was lost. */
  confirmCancel(lease: JobLease, result?: JsonValue): Promise<Job | null>;

  /**
   * A queued job is cancelled at once; a running one gets `cancelRequested`; a finished one is
   * left as it is. Null when the account has no such job.
   */
  cancel(id: string, account: string): Promise<Job | null>;

  /** Null when the account has no such job (another account's jobs do not exist for it). */
  get(id: string, account: string): Promise<Job | null>;

  list(account: string, filter?: JobFilter, page?: JobPage): Promise<JobList>;

  /** 1 for the next queued job of its kind; null when the job is not queued (or not the account's). */
  position(id: string, account: string): Promise<number | null>;

  /**
   * After a restart of `node`: its jobs still marked running (owner `<node>:<anything>` other
   * than `currentOwner`) lost their worker with the old process. They go back to the queue, are
   * failed with JOB_INTERRUPTED when they have no attempts left, or cancelled if that was asked.
   * Other nodes' jobs are left to their leases.
   */
  resumeAfterRestart(node: string, currentOwner: string): Promise<ResumeReport>;

  /** Deletes finished jobs whose expiresAt is at or before `now`, payload and result with them. */
  purge(now: Date): Promise<number>;

  close(): Promise<void>;
}

/** The worker id convention resumeAfterRestart relies on: `<node>:<instance>`. */
export const workerId = (node: string, instance: string): string => `${node}:${instance}`;
