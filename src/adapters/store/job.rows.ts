/**
 * The job row every SQL job queue reads (SQLite, PostgreSQL: the same columns), its mapping to
 * the port's types, and the SQL fragments both write the same way. The engines differ only in
 * how a boolean comes back (0/1 from SQLite, true/false from PostgreSQL) and in how a parameter
 * is named, so the fence and finish clauses stay in each queue.
 */
import type { ErrorCode } from '../../domain/error.registry.js';
import type { JsonValue } from '../../domain/gallery.rules.js';
import type { Job, JobStatus, JobSummary } from '../../ports/job-queue.port.js';
import { bool, type SqlBool } from './face.rows.js';

export interface JobRowOf<B extends SqlBool> {
  seq: number;
  id: string;
  account_id: string;
  kind: string;
  payload?: string;
  status: JobStatus;
  progress: number;
  stage: string | null;
  result?: string | null;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  max_attempts: number;
  cancel_requested: B;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  expires_at: number | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
}

/** Every column but the payload and result, which a listing does not read. */
export const JOB_SUMMARY_COLUMNS = `seq, id, account_id, kind, status, progress, stage, error_code, error_message, attempts, max_attempts,
  cancel_requested, created_at, started_at, finished_at, expires_at, lease_owner, lease_expires_at`;

/** The error a job gets when every attempt's worker stopped before it finished. */
export const JOB_INTERRUPTED = `'${'JOB_INTERRUPTED' satisfies ErrorCode}'`;
export const JOB_INTERRUPTED_MESSAGE = `'The worker running this job stopped before it finished, on each of its ' || attempts || ' attempts'`;

const date = (ms: number | null) => (ms === null ? null : new Date(ms));

export function toJobSummary(r: JobRowOf<SqlBool>): JobSummary {
  return {
    id: r.id,
    account: r.account_id,
    kind: r.kind,
    status: r.status,
    progress: r.progress,
    stage: r.stage,
    error: r.error_code === null ? null : { code: r.error_code, message: r.error_message ?? '' },
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    cancelRequested: bool(r.cancel_requested),
    createdAt: new Date(r.created_at),
    startedAt: date(r.started_at),
    finishedAt: date(r.finished_at),
    expiresAt: date(r.expires_at),
    leaseOwner: r.lease_owner,
    leaseExpiresAt: date(r.lease_expires_at),
  };
}

export const toJob = (r: JobRowOf<SqlBool>): Job => ({
  ...toJobSummary(r),
  payload: JSON.parse(r.payload!) as JsonValue,
  result: r.result == null ? null : (JSON.parse(r.result) as JsonValue),
});
