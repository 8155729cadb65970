/**
 * The job queue on PostgreSQL, shared by every node on the database. A claim is ONE statement:
 * it picks the oldest claimable row with `FOR UPDATE SKIP LOCKED` (a row another node is
 * claiming right now is skipped, not waited for, so nodes never claim the same attempt and
 * never queue behind each other) and marks it running under the new lease. Worker calls are
 * single UPDATEs fenced by (id, status 'running', owner, attempt), as in SQLite, so a worker
 * that stalled and lost its lease cannot report over the new attempt. Times come from the
 * queue's clock (ms), like the SQLite queue, so leases mean the same on both.
 *
 * Deleted payloads stay in dead row versions until (auto)vacuum reclaims them; docs/scale-out.md
 * says so. Rows are never updated in place by PostgreSQL, unlike SQLite's secure_delete.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
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
import { inTransaction } from './pg-database.js';
import { JOB_INTERRUPTED, JOB_INTERRUPTED_MESSAGE, JOB_SUMMARY_COLUMNS, toJob, toJobSummary, type JobRowOf } from '../job.rows.js';

type JobRow = JobRowOf<boolean>;

/** The SET clause that finishes a job at $now (the parameter named): lease released, expiry from its retention. */
const finish = (now: string) => `finished_at = ${now}, expires_at = ${now} + retain_ms, lease_owner = NULL, lease_expires_at = NULL`;
/** Lease fence: $1 id, $2 owner, $3 attempt ($4 is always now). */
const FENCE = `id = $1 AND status = 'running' AND lease_owner = $2 AND attempts = $3`;

export interface PgJobQueueOptions {
  clock?: Clock;
}

export class PgJobQueue implements JobQueue {
  private readonly clock: Clock;

  constructor(
    private readonly pool: pg.Pool,
    options: PgJobQueueOptions = {},
    /** Called by close(): ends the pool when the queue owns it, or releases a share of the process's. */
    private readonly release: () => Promise<void> = async () => undefined,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  private async one(sql: string, args: unknown[]): Promise<JobRow | undefined> {
    return (await this.pool.query<JobRow>(sql, args)).rows[0];
  }

  private row(id: string, account?: string): Promise<JobRow | undefined> {
    return account === undefined
      ? this.one('SELECT * FROM jobs WHERE id = $1', [id])
      : this.one('SELECT * FROM jobs WHERE id = $1 AND account_id = $2', [id, account]);
  }

  async enqueue(j: NewJob): Promise<Job> {
    if (!j.kind) throw new RangeError('a job needs a kind');
    const maxAttempts = j.maxAttempts ?? DEFAULT_JOB_MAX_ATTEMPTS;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError('maxAttempts must be a positive integer');
    const now = this.clock.now();
    const r = await this.one(
      `INSERT INTO jobs (id, account_id, kind, payload, status, max_attempts, retain_ms, available_at, created_at)
       VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $7) RETURNING *`,
      [randomUUID(), j.account, j.kind, JSON.stringify(j.payload), maxAttempts, j.retainMs ?? DEFAULT_JOB_RETENTION_MS, now],
    );
    return toJob(r!);
  }

  async claim(kinds: readonly string[], owner: string, leaseMs: number): Promise<ClaimedJob | null> {
    if (kinds.length === 0) return null;
    const now = this.clock.now();
    const expired = `status = 'running' AND kind = ANY($1::text[]) AND lease_expires_at <= $2::bigint`;
    // Settle dead workers' jobs that must not run again: cancelled if asked, failed if spent.
    // Rows another node is settling or claiming are skipped; the next claim sees them.
    await this.pool.query(
      `UPDATE jobs SET status = 'cancelled', ${finish('$2::bigint')}
       WHERE seq IN (SELECT seq FROM jobs WHERE ${expired} AND cancel_requested FOR UPDATE SKIP LOCKED)`,
      [kinds, now],
    );
    await this.pool.query(
      `UPDATE jobs SET status = 'failed', error_code = ${JOB_INTERRUPTED}, error_message = ${JOB_INTERRUPTED_MESSAGE}, ${finish('$2::bigint')}
       WHERE seq IN (SELECT seq FROM jobs WHERE ${expired} AND attempts >= max_attempts FOR UPDATE SKIP LOCKED)`,
      [kinds, now],
    );
    // The claim re-checks, on the locked row, that a reclaimed job may still run: a lease that
    // expired since the sweep above is settled by the next claim, never run once too often.
    const r = await this.one(
      `WITH next AS (
         SELECT seq FROM jobs
         WHERE kind = ANY($1::text[])
           AND ((status = 'queued' AND available_at <= $2::bigint)
             OR (${expired} AND attempts < max_attempts AND NOT cancel_requested))
         ORDER BY seq LIMIT 1
         FOR UPDATE SKIP LOCKED
       )
       UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_owner = $3, lease_ms = $4::bigint,
         lease_expires_at = $2::bigint + $4::bigint, started_at = COALESCE(started_at, $2::bigint)
       FROM next WHERE jobs.seq = next.seq
       RETURNING jobs.*`,
      [kinds, now, owner, leaseMs],
    );
    if (!r) return null;
    const job = toJob(r);
    return { job, lease: { jobId: job.id, owner, attempt: job.attempts } };
  }

  private fenced(lease: JobLease): unknown[] {
    return [lease.jobId, lease.owner, lease.attempt, this.clock.now()];
  }

  /** Runs a fenced UPDATE … RETURNING cancel_requested and answers as the port says. */
  private async leaseState(sql: string, args: unknown[], lease: JobLease): Promise<LeaseState> {
    const r = (await this.pool.query<{ cancel_requested: boolean }>(`${sql} RETURNING cancel_requested`, args)).rows[0];
    if (r) return { held: true, cancelRequested: r.cancel_requested };
    return { held: false, cancelRequested: (await this.row(lease.jobId))?.cancel_requested === true };
  }

  heartbeat(lease: JobLease, leaseMs?: number): Promise<LeaseState> {
    return this.leaseState(
      `UPDATE jobs SET lease_expires_at = $4::bigint + COALESCE($5::bigint, lease_ms) WHERE ${FENCE}`,
      [...this.fenced(lease), leaseMs ?? null],
      lease,
    );
  }

  async progress(lease: JobLease, percent: number, stage?: string): Promise<LeaseState> {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new RangeError('progress is an integer from 0 to 100');
    return this.leaseState(
      `UPDATE jobs SET progress = $5, stage = COALESCE($6, stage), lease_expires_at = $4::bigint + lease_ms WHERE ${FENCE}`,
      [...this.fenced(lease), percent, stage ?? null],
      lease,
    );
  }

  savePayload(lease: JobLease, payload: JsonValue): Promise<LeaseState> {
    return this.leaseState(
      `UPDATE jobs SET payload = $5, lease_expires_at = $4::bigint + lease_ms WHERE ${FENCE}`,
      [...this.fenced(lease), JSON.stringify(payload)],
      lease,
    );
  }

  private async finished(sql: string, args: unknown[]): Promise<Job | null> {
    const r = await this.one(`${sql} RETURNING *`, args);
    return r ? toJob(r) : null;
  }

  complete(lease: JobLease, result: JsonValue): Promise<Job | null> {
    return this.finished(
      `UPDATE jobs SET status = 'succeeded', progress = 100, result = $5, error_code = NULL, error_message = NULL, ${finish('$4::bigint')}
       WHERE ${FENCE}`,
      [...this.fenced(lease), JSON.stringify(result)],
    );
  }

  fail(lease: JobLease, error: JobError, o: FailOptions = {}): Promise<Job | null> {
    const args = [...this.fenced(lease), error.code, error.message];
    if (!o.retry) {
      return this.finished(`UPDATE jobs SET status = 'failed', error_code = $5, error_message = $6, ${finish('$4::bigint')} WHERE ${FENCE}`, args);
    }
    const again = `attempts < max_attempts AND NOT cancel_requested`;
    return this.finished(
      `UPDATE jobs SET
         status = CASE WHEN ${again} THEN 'queued' ELSE 'failed' END,
         error_code = $5, error_message = $6, available_at = $4::bigint + $7::bigint,
         finished_at = CASE WHEN ${again} THEN NULL ELSE $4::bigint END,
         expires_at = CASE WHEN ${again} THEN NULL ELSE $4::bigint + retain_ms END,
         lease_owner = NULL, lease_expires_at = NULL
       WHERE ${FENCE}`,
      [...args, o.retryDelayMs ?? 0],
    );
  }

  confirmCancel(lease: JobLease, result?: JsonValue): Promise<Job | null> {
    return this.finished(`UPDATE jobs SET status = 'cancelled', result = $5, ${finish('$4::bigint')} WHERE ${FENCE}`, [
      ...this.fenced(lease),
      result === undefined ? null : JSON.stringify(result),
    ]);
  }

  async cancel(id: string, account: string): Promise<Job | null> {
    const now = this.clock.now();
    // One statement per case, each conditional on the status it acts on: no read-then-write gap.
    const r =
      (await this.one(`UPDATE jobs SET status = 'cancelled', ${finish('$3::bigint')} WHERE id = $1 AND account_id = $2 AND status = 'queued' RETURNING *`, [id, account, now])) ??
      (await this.one(`UPDATE jobs SET cancel_requested = true WHERE id = $1 AND account_id = $2 AND status = 'running' RETURNING *`, [id, account])) ??
      (await this.row(id, account));
    return r ? toJob(r) : null;
  }

  async get(id: string, account: string): Promise<Job | null> {
    const r = await this.row(id, account);
    return r ? toJob(r) : null;
  }

  async list(account: string, filter: JobFilter = {}, page: JobPage = {}): Promise<JobList> {
    const limit = Math.min(Math.max(1, Math.floor(page.limit ?? 50)), 1000);
    const cursor = page.cursor === undefined ? null : Number(page.cursor);
    if (cursor !== null && !Number.isSafeInteger(cursor)) throw new RangeError('invalid cursor');
    const rows = (
      await this.pool.query<JobRow>(
        `SELECT ${JOB_SUMMARY_COLUMNS} FROM jobs
         WHERE account_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint) AND ($3::text IS NULL OR kind = $3::text)
           AND ($4::text[] IS NULL OR status = ANY($4::text[]))
         ORDER BY seq DESC LIMIT $5`,
        [account, cursor, filter.kind ?? null, filter.status ? [...filter.status] : null, limit + 1],
      )
    ).rows;
    const more = rows.length > limit;
    const jobs = rows.slice(0, limit);
    return { jobs: jobs.map(toJobSummary), next: more ? String(jobs[jobs.length - 1]!.seq) : null };
  }

  async position(id: string, account: string): Promise<number | null> {
    const r = (
      await this.pool.query<{ ahead: number }>(
        `SELECT (SELECT COUNT(*) FROM jobs o WHERE o.status = 'queued' AND o.kind = j.kind AND o.seq < j.seq)::bigint AS ahead
         FROM jobs j WHERE j.id = $1 AND j.account_id = $2 AND j.status = 'queued'`,
        [id, account],
      )
    ).rows[0];
    return r ? r.ahead + 1 : null;
  }

  async resumeAfterRestart(node: string, currentOwner: string): Promise<ResumeReport> {
    const args = [`${node}:`, currentOwner, this.clock.now()];
    const mine = `status = 'running' AND left(lease_owner, length($1)) = $1 AND lease_owner <> $2`;
    return inTransaction(this.pool, async (c) => {
      const n = async (sql: string) => (await c.query(sql, args)).rowCount ?? 0;
      const cancelled = await n(`UPDATE jobs SET status = 'cancelled', ${finish('$3::bigint')} WHERE ${mine} AND cancel_requested`);
      const failed = await n(
        `UPDATE jobs SET status = 'failed', error_code = ${JOB_INTERRUPTED}, error_message = ${JOB_INTERRUPTED_MESSAGE}, ${finish('$3::bigint')}
         WHERE ${mine} AND attempts >= max_attempts`,
      );
      const requeued = await n(`UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, available_at = $3::bigint WHERE ${mine}`);
      return { requeued, failed, cancelled };
    });
  }

  async purge(now: Date): Promise<number> {
    const r = await this.pool.query(
      `DELETE FROM jobs WHERE expires_at IS NOT NULL AND expires_at <= $1 AND status IN ('succeeded', 'failed', 'cancelled')`,
      [now.getTime()],
    );
    return r.rowCount ?? 0;
  }

  async close(): Promise<void> {
    await this.release();
  }
}
