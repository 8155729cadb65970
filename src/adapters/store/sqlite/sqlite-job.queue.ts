/**
 * The job queue on SQLite, in the same file as the galleries. Every state change that reads
 * before it writes (claim, cancel, the restart sweep) runs in ONE IMMEDIATE transaction: it takes
 * the file's write lock before reading, so two processes on one file never claim the same job
 * (the second waits on busy_timeout, then sees the first's claim). Worker calls are single
 * UPDATEs fenced by (id, status 'running', owner, attempt), atomic on their own.
 *
 * secure_delete is turned on for the connection (payloads may name people or hold photos), and a
 * purge that deleted something checkpoints the WAL and truncates it, so deleted payloads linger
 * neither in the main file nor in old WAL frames.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { JsonValue } from '../../../domain/gallery.rules.js';
import { systemClock, type Clock } from '../../../ports/clock.port.js';
import {
  DEFAULT_JOB_MAX_ATTEMPTS,
  DEFAULT_JOB_RETENTION_MS,
  type ClaimedJob,
  type FailOptions,
  type Job,
  type JobError,
  type JobFilter,
  type JobLease,
  type JobList,
  type JobPage,
  type JobQueue,
  type LeaseState,
  type NewJob,
  type ResumeReport,
} from '../../../ports/job-queue.port.js';
import { migrate, openDatabase, StatementCache } from './sqlite-database.js';
import { JOB_INTERRUPTED, JOB_INTERRUPTED_MESSAGE, JOB_SUMMARY_COLUMNS, toJob, toJobSummary, type JobRowOf } from '../job.rows.js';

type JobRow = JobRowOf<number>;

/** The SET clause that finishes a job: lease released, expiry from its retention. */
const FINISH = `finished_at = @now, expires_at = @now + retain_ms, lease_owner = NULL, lease_expires_at = NULL`;
const FENCE = `id = @id AND status = 'running' AND lease_owner = @owner AND attempts = @attempt`;

export interface SqliteJobQueueOptions {
  clock?: Clock;
}

export class SqliteJobQueue implements JobQueue {
  private readonly stmts: StatementCache;
  private readonly clock: Clock;
  /** A purge's checkpoint found the WAL busy; the next purge tries again. */
  private checkpointOwed = false;

  /**
   * Over an opened handle (brought up to date here if it is not); the handle stays the caller's
   * unless `owned`. Turns secure_delete on for it: job payloads must not outlive their purge.
   */
  constructor(
    private readonly db: Database.Database,
    options: SqliteJobQueueOptions = {},
    private readonly owned = false,
  ) {
    this.clock = options.clock ?? systemClock;
    migrate(db);
    db.pragma('secure_delete = ON');
    this.stmts = new StatementCache(db);
  }

  /** FULL sync: an accepted job is acknowledged to the client, so it must survive power loss. */
  static open(path: string, options: SqliteJobQueueOptions = {}): SqliteJobQueue {
    return new SqliteJobQueue(openDatabase(path, { synchronous: 'FULL', secureDelete: true }), options, true);
  }

  private st(sql: string): Database.Statement {
    return this.stmts.get(sql);
  }

  private row(id: string, account?: string): JobRow | undefined {
    if (account === undefined) return this.st('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return this.st('SELECT * FROM jobs WHERE id = ? AND account_id = ?').get(id, account) as JobRow | undefined;
  }

  async enqueue(j: NewJob): Promise<Job> {
    if (!j.kind) throw new RangeError('a job needs a kind');
    const maxAttempts = j.maxAttempts ?? DEFAULT_JOB_MAX_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('maxAttempts must be a positive integer');
    const now = this.clock.now();
    const id = randomUUID();
    this.st(
      `INSERT INTO jobs (id, account_id, kind, payload, status, max_attempts, retain_ms, available_at, created_at)
       VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?)`,
    ).run(id, j.account, j.kind, JSON.stringify(j.payload), maxAttempts, j.retainMs ?? DEFAULT_JOB_RETENTION_MS, now, now);
    return toJob(this.row(id)!);
  }

  async claim(kinds: readonly string[], owner: string, leaseMs: number): Promise<ClaimedJob | null> {
    if (kinds.length === 0) return null;
    const p = { kinds: JSON.stringify(kinds), now: this.clock.now(), owner, leaseMs };
    const inKinds = `kind IN (SELECT value FROM json_each(@kinds))`;
    const claimed = this.db
      .transaction(() => {
        // Settle dead workers' jobs that must not run again: cancelled if asked, failed if spent.
        this.st(
          `UPDATE jobs SET status = 'cancelled', ${FINISH}
           WHERE status = 'running' AND ${inKinds} AND lease_expires_at <= @now AND cancel_requested = 1`,
        ).run(p);
        this.st(
          `UPDATE jobs SET status = 'failed', error_code = ${JOB_INTERRUPTED}, error_message = ${JOB_INTERRUPTED_MESSAGE}, ${FINISH}
           WHERE status = 'running' AND ${inKinds} AND lease_expires_at <= @now AND attempts >= max_attempts`,
        ).run(p);
        const queued = this.st(
          `SELECT seq FROM jobs WHERE status = 'queued' AND ${inKinds} AND available_at <= @now ORDER BY seq LIMIT 1`,
        ).get(p) as { seq: number } | undefined;
        const expired = this.st(
          `SELECT seq FROM jobs WHERE status = 'running' AND ${inKinds} AND lease_expires_at <= @now ORDER BY seq LIMIT 1`,
        ).get(p) as { seq: number } | undefined;
        const seq = Math.min(queued?.seq ?? Infinity, expired?.seq ?? Infinity);
        if (seq === Infinity) return undefined;
        this.st(
          `UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_owner = @owner, lease_ms = @leaseMs,
             lease_expires_at = @now + @leaseMs, started_at = COALESCE(started_at, @now)
           WHERE seq = @seq`,
        ).run({ ...p, seq });
        return this.st('SELECT * FROM jobs WHERE seq = ?').get(seq) as JobRow;
      })
      .immediate();
    if (!claimed) return null;
    const job = toJob(claimed);
    return { job, lease: { jobId: job.id, owner, attempt: job.attempts } };
  }

  private fenced(lease: JobLease) {
    return { id: lease.jobId, owner: lease.owner, attempt: lease.attempt, now: this.clock.now() };
  }

  private leaseState(changes: number, lease: JobLease): LeaseState {
    if (changes === 0) return { held: false, cancelRequested: this.row(lease.jobId)?.cancel_requested === 1 };
    const r = this.st('SELECT cancel_requested FROM jobs WHERE id = ?').get(lease.jobId) as { cancel_requested: number };
    return { held: true, cancelRequested: r.cancel_requested === 1 };
  }

  async heartbeat(lease: JobLease, leaseMs?: number): Promise<LeaseState> {
    const r = this.st(`UPDATE jobs SET lease_expires_at = @now + COALESCE(@leaseMs, lease_ms) WHERE ${FENCE}`).run({
      ...this.fenced(lease),
      leaseMs: leaseMs ?? null,
    });
    return this.leaseState(r.changes, lease);
  }

  async progress(lease: JobLease, percent: number, stage?: string): Promise<LeaseState> {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new RangeError('progress is an integer from 0 to 100');
    const r = this.st(
      `UPDATE jobs SET progress = @percent, stage = COALESCE(@stage, stage), lease_expires_at = @now + lease_ms WHERE ${FENCE}`,
    ).run({ ...this.fenced(lease), percent, stage: stage ?? null });
    return this.leaseState(r.changes, lease);
  }

  async savePayload(lease: JobLease, payload: JsonValue): Promise<LeaseState> {
    const r = this.st(`UPDATE jobs SET payload = @payload, lease_expires_at = @now + lease_ms WHERE ${FENCE}`).run({
      ...this.fenced(lease),
      payload: JSON.stringify(payload),
    });
    return this.leaseState(r.changes, lease);
  }

  private finished(changes: number, lease: JobLease): Job | null {
    return changes === 0 ? null : toJob(this.row(lease.jobId)!);
  }

  async complete(lease: JobLease, result: JsonValue): Promise<Job | null> {
    const r = this.st(
      `UPDATE jobs SET status = 'succeeded', progress = 100, result = @result, error_code = NULL, error_message = NULL, ${FINISH}
       WHERE ${FENCE}`,
    ).run({ ...this.fenced(lease), result: JSON.stringify(result) });
    return this.finished(r.changes, lease);
  }

  async fail(lease: JobLease, error: JobError, o: FailOptions = {}): Promise<Job | null> {
    const p = { ...this.fenced(lease), code: error.code, message: error.message };
    const r = o.retry
      ? this.st(
          `UPDATE jobs SET
             status = CASE WHEN attempts < max_attempts AND cancel_requested = 0 THEN 'queued' ELSE 'failed' END,
             error_code = @code, error_message = @message, available_at = @now + @delay,
             finished_at = CASE WHEN attempts < max_attempts AND cancel_requested = 0 THEN NULL ELSE @now END,
             expires_at = CASE WHEN attempts < max_attempts AND cancel_requested = 0 THEN NULL ELSE @now + retain_ms END,
             lease_owner = NULL, lease_expires_at = NULL
           WHERE ${FENCE}`,
        ).run({ ...p, delay: o.retryDelayMs ?? 0 })
      : this.st(`UPDATE jobs SET status = 'failed', error_code = @code, error_message = @message, ${FINISH} WHERE ${FENCE}`).run(p);
    return this.finished(r.changes, lease);
  }

  async confirmCancel(lease: JobLease, result?: JsonValue): Promise<Job | null> {
    const r = this.st(`UPDATE jobs SET status = 'cancelled', result = @result, ${FINISH} WHERE ${FENCE}`).run({
      ...this.fenced(lease),
      result: result === undefined ? null : JSON.stringify(result),
    });
    return this.finished(r.changes, lease);
  }

  async cancel(id: string, account: string): Promise<Job | null> {
    const now = this.clock.now();
    const row = this.db
      .transaction(() => {
        const r = this.row(id, account);
        if (!r) return undefined;
        if (r.status === 'queued') this.st(`UPDATE jobs SET status = 'cancelled', ${FINISH} WHERE seq = @seq`).run({ seq: r.seq, now });
        else if (r.status === 'running') this.st('UPDATE jobs SET cancel_requested = 1 WHERE seq = ?').run(r.seq);
        else return r;
        return this.row(id)!;
      })
      .immediate();
    return row ? toJob(row) : null;
  }

  async get(id: string, account: string): Promise<Job | null> {
    const r = this.row(id, account);
    return r ? toJob(r) : null;
  }

  async list(account: string, filter: JobFilter = {}, page: JobPage = {}): Promise<JobList> {
    const limit = Math.min(Math.max(1, Math.floor(page.limit ?? 50)), 1000);
    const cursor = page.cursor === undefined ? null : Number(page.cursor);
    if (cursor !== null && !Number.isSafeInteger(cursor)) throw new RangeError('invalid cursor');
    const rows = this.st(
      `SELECT ${JOB_SUMMARY_COLUMNS} FROM jobs
       WHERE account_id = @account AND (@cursor IS NULL OR seq < @cursor) AND (@kind IS NULL OR kind = @kind)
         AND (@statuses IS NULL OR status IN (SELECT value FROM json_each(@statuses)))
       ORDER BY seq DESC LIMIT @limit`,
    ).all({
      account,
      cursor,
      kind: filter.kind ?? null,
      statuses: filter.status ? JSON.stringify(filter.status) : null,
      limit: limit + 1,
    }) as JobRow[];
    const more = rows.length > limit;
    const jobs = rows.slice(0, limit);
    return { jobs: jobs.map(toJobSummary), next: more ? String(jobs[jobs.length - 1]!.seq) : null };
  }

  async position(id: string, account: string): Promise<number | null> {
    const r = this.st(
      `SELECT (SELECT COUNT(*) FROM jobs o WHERE o.status = 'queued' AND o.kind = j.kind AND o.seq < j.seq) AS ahead
       FROM jobs j WHERE j.id = ? AND j.account_id = ? AND j.status = 'queued'`,
    ).get(id, account) as { ahead: number } | undefined;
    return r ? r.ahead + 1 : null;
  }

  async resumeAfterRestart(node: string, currentOwner: string): Promise<ResumeReport> {
    const p = { prefix: `${node}:`, currentOwner, now: this.clock.now() };
    const mine = `status = 'running' AND substr(lease_owner, 1, length(@prefix)) = @prefix AND lease_owner <> @currentOwner`;
    return this.db
      .transaction(() => {
        const cancelled = this.st(`UPDATE jobs SET status = 'cancelled', ${FINISH} WHERE ${mine} AND cancel_requested = 1`).run(p).changes;
        const failed = this.st(
          `UPDATE jobs SET status = 'failed', error_code = ${JOB_INTERRUPTED}, error_message = ${JOB_INTERRUPTED_MESSAGE}, ${FINISH}
           WHERE ${mine} AND attempts >= max_attempts`,
        ).run(p).changes;
        const requeued = this.st(
          `UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, available_at = @now WHERE ${mine}`,
        ).run(p).changes;
        return { requeued, failed, cancelled };
      })
      .immediate();
  }

  async purge(now: Date): Promise<number> {
    const n = this.st(
      `DELETE FROM jobs WHERE expires_at IS NOT NULL AND expires_at <= ? AND status IN ('succeeded', 'failed', 'cancelled')`,
    ).run(now.getTime()).changes;
    // The deleted rows' earlier versions still sit in WAL frames until the WAL is rewritten;
    // a truncating checkpoint removes them. It waits for other processes' readers, so only
    // briefly here (this thread serves requests); a busy one is retried by the next purge.
    if (n > 0 || this.checkpointOwed) {
      const wait = this.db.pragma('busy_timeout', { simple: true }) as number;
      this.db.pragma('busy_timeout = 200');
      try {
        const [r] = this.db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
        this.checkpointOwed = r?.busy !== 0;
      } finally {
        this.db.pragma(`busy_timeout = ${wait}`);
      }
    }
    return n;
  }

  async close(): Promise<void> {
    if (this.owned && this.db.open) this.db.close();
  }
}
