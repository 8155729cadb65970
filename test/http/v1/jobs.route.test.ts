// /v1/jobs over the real app, queue and runner: a submitted job is read with its progress and
// result, listed, cancelled while it waits or runs; unknown ids are JOB_NOT_FOUND.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_ACCOUNT } from '../../../src/core/index.js';
import { buildTestApp } from '../../helpers/test-app.js';

test('jobs: progress and result, listing, cancel, not found', async (t) => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const { app, jobs } = await buildTestApp({
    jobHandlers: {
      'test.count': async (job, ctx) => {
        await ctx.progress(50, 'halfway');
        await gate;
        return { counted: (job.payload as { n: number }).n };
      },
      'test.wait': async (_job, ctx) => {
        while (!ctx.cancelled()) await new Promise((r) => setTimeout(r, 10));
        return { stopped: true };
      },
    },
  });
  t.after(() => app.close());
  const mine = jobs!.scoped(DEFAULT_ACCOUNT);
  const job = await mine.submit('test.count', { n: 3 });
  const poll = async (pred: (j: { status: string; progress: number }) => boolean) => {
    for (let i = 0; i < 200; i++) {
      const r = await app.inject({ url: `/v1/jobs/${job.id}` });
      assert.equal(r.statusCode, 200, r.body);
      if (pred(r.json())) return r.json();
      await new Promise((ok) => setTimeout(ok, 10));
    }
    throw new Error('job did not get there');
  };
  const half = await poll((j) => j.progress === 50);
  assert.equal(half.status, 'running');
  assert.equal(half.stage, 'halfway');
  release();
  const done = await poll((j) => j.status === 'succeeded');
  assert.deepEqual(done.result, { counted: 3 });
  assert.equal(done.progress, 100);
  assert.equal(typeof done.created_at, 'string');
  assert.ok(!('payload' in done), 'the payload never leaves the server');

  const list = await app.inject({ url: '/v1/jobs?status=succeeded' });
  assert.deepEqual(list.json().jobs.map((j: { id: string }) => j.id), [job.id]);
  assert.equal((await app.inject({ url: '/v1/jobs?status=nope' })).json().code, 'BAD_PARAM');

  const waiting = await mine.submit('test.wait', {});
  for (let i = 0; i < 200 && (await mine.get(waiting.id)).status !== 'running'; i++) await new Promise((r) => setTimeout(r, 10));
  const asked = await app.inject({ method: 'DELETE', url: `/v1/jobs/${waiting.id}` });
  assert.equal(asked.statusCode, 200);
  for (let i = 0; i < 200 && (await mine.get(waiting.id)).status === 'running'; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal((await mine.get(waiting.id)).status, 'cancelled');

  const missing = await app.inject({ url: '/v1/jobs/no-such-job' });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().code, 'JOB_NOT_FOUND');
});
