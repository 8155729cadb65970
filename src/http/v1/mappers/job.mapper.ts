/** A core job → the /v1 job shape (snake_case, ISO times; the payload never leaves the server). */
import type { JobView } from '../../../core/index.js';

type Listed = Omit<JobView, 'payload' | 'result'> & { result?: unknown };

export function mapJob(j: Listed, withResult = false) {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: j.id,
    kind: j.kind,
    status: j.status,
    progress: j.progress,
    stage: j.stage,
    position: j.position,
    ...(withResult ? { result: (j.result ?? null) as unknown } : {}),
    error: j.error,
    attempts: j.attempts,
    cancel_requested: j.cancelRequested,
    created_at: j.createdAt.toISOString(),
    started_at: iso(j.startedAt),
    finished_at: iso(j.finishedAt),
    expires_at: iso(j.expiresAt),
  };
}
