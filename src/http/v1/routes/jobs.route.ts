/** /v1/jobs: the caller's durable background jobs (large gallery adds, searches): read, list, cancel. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { JobService } from '../../../core/index.js';
import { DEFAULT_ACCOUNT } from '../../../core/index.js';
import { mapJob } from '../mappers/job.mapper.js';
import { JobListQuery, JobListResponse, JobParams, JobSchema, jobErrorResponses } from '../schemas/job.schemas.js';

const callerJobs = (all: JobService, req: FastifyRequest) => all.scoped(req.principal?.account ?? DEFAULT_ACCOUNT);

export const jobsRoute: FastifyPluginAsyncTypebox<{ jobs: JobService }> = async (app, { jobs: all }) => {
  const tags = ['jobs'];
  app.get(
    '/jobs',
    { schema: { tags, summary: 'List your jobs, newest first', querystring: JobListQuery, response: { 200: JobListResponse, ...jobErrorResponses } } },
    async (req) => {
      const r = await callerJobs(all, req).list({ kind: req.query.kind, status: req.query.status }, { limit: req.query.limit, cursor: req.query.cursor });
      return { jobs: r.jobs.map((j) => mapJob({ ...j, position: null })), next: r.next };
    },
  );
  app.get(
    '/jobs/:id',
    { schema: { tags, summary: 'A job: status, progress, queue position, result', params: JobParams, response: { 200: JobSchema, ...jobErrorResponses } } },
    async (req) => mapJob(await callerJobs(all, req).get(req.params.id), true),
  );
  app.delete(
    '/jobs/:id',
    {
      schema: {
        tags,
        summary: 'Cancel a job',
        description: 'A queued job is cancelled at once; a running one stops at its next step (its partial result is kept).',
        params: JobParams,
        response: { 200: JobSchema, ...jobErrorResponses },
      },
    },
    async (req) => mapJob(await callerJobs(all, req).cancel(req.params.id), true),
  );
};
