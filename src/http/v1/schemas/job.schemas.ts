/** The shapes of /v1/jobs: a durable background job as a client sees it. */
import { Type } from '@sinclair/typebox';
import { errorResponses } from '../../shared/error.schema.js';

const Nullable = <T extends import('@sinclair/typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const JobSchema = Type.Object(
  {
    id: Type.String(),
    kind: Type.String({ description: 'What the job does, e.g. gallery.add' }),
    status: Type.Union(['queued', 'running', 'succeeded', 'failed', 'cancelled'].map((s) => Type.Literal(s))),
    progress: Type.Integer({ minimum: 0, maximum: 100 }),
    stage: Nullable(Type.String()),
    position: Nullable(Type.Integer({ description: 'Place in the queue (1 = next) while queued' })),
    result: Type.Optional(Nullable(Type.Unknown())),
    error: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
    attempts: Type.Integer(),
    cancel_requested: Type.Boolean(),
    created_at: Type.String({ format: 'date-time' }),
    started_at: Nullable(Type.String({ format: 'date-time' })),
    finished_at: Nullable(Type.String({ format: 'date-time' })),
    expires_at: Nullable(Type.String({ format: 'date-time' })),
  },
  { title: 'Job' },
);

export const JobParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const JobListQuery = Type.Object({
  kind: Type.Optional(Type.String()),
  status: Type.Optional(Type.String({ description: 'Comma-separated statuses' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  cursor: Type.Optional(Type.String()),
});
export const JobListResponse = Type.Object({ jobs: Type.Array(JobSchema), next: Nullable(Type.String()) });
export const jobErrorResponses = errorResponses(400, 401, 403, 404, 429, 500, 503);
