import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteJobQueue } from '../../src/adapters/store/sqlite/sqlite-job.queue.js';
import { JobRunner, type JobRunnerOptions } from '../../src/core/job-runner.js';
import { VisageError } from '../../src/domain/error.registry.js';
import type { Job, JobQueue } from '../../src/ports/job-queue.port.js';

const A = 'acme';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setup(t: { after(fn: () => unknown): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'visage-runner-'));
  const path = join(dir, 'visage.db');
  const q = SqliteJobQueue.open(path);
  const runners: JobRunner[] = [];
  t.after(async () => {
    for (const r of runners) await r.stop(0);
    await q.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const runner = (o: Partial<JobRunnerOptions> = {}) => {
    const r = new JobRunner(q, { node: 'n1', concurrency: 2, leaseMs: 2000, pollMs: 10, retryDelayMs: 10, purgeEveryMs: 0, ...o });
    runners.push(r);
    return r;
  };
  return { q, path, runner };
}

/** Waits until the job satisfies `ok` (the runner works in the background). */
async function until(q: JobQueue, id: string, ok: (j: Job) => boolean, ms = 5000): Promise<Job> {
  const end = Date.now() + ms;
  for (;;) {
    const j = (await q.get(id, A))!;
    if (ok(j)) return j;
    if (Date.now() > end) assert.fail(`job ${id} stuck at ${j.status} ${j.progress}% (${j.stage})`);
    await sleep(5);
  }
}

test('runs at most `concurrency` handlers at once, every job to completion', async (t) => {
  const { q, runner } = setup(t);
  let now = 0;
  let most = 0;
  const r = runner({ concurrency: 3 }).register('k', async (job) => {
    most = Math.max(most, ++now);
    await sleep(20);
    now--;
    return { doubled: (job.payload as number) * 2 };
  });
  const ids = [];
  for (let i = 0; i < 10; i++) ids.push((await q.enqueue({ account: A, kind: 'k', payload: i })).id);
  await r.start();
  const done = await Promise.all(ids.map((id) => until(q, id, (j) => j.status === 'succeeded')));
  assert.deepEqual(done.map((j) => j.result), [...Array(10).keys()].map((i) => ({ doubled: i * 2 })));
  assert.equal(most, 3, 'three at once, never more');
  await r.stop();
});

test('progress reaches the store while the handler runs; unregistered kinds are left queued', async (t) => {
  const { q, runner } = setup(t);
  let release!: () => void;
  const gate = new Promise<void>((res) => (release = res));
  const r = runner().register('gallery.add', async (_job, ctx) => {
    await ctx.progress(10, 'decoding');
    await ctx.progress(49.6, 'enrolling');
    await gate;
    return { added: 2 };
  });
  const other = await q.enqueue({ account: A, kind: 'search', payload: null });
  const job = await q.enqueue({ account: A, kind: 'gallery.add', payload: { images: 2 } });
  await r.start();
  const mid = await until(q, job.id, (j) => j.progress === 50);
  assert.equal(mid.stage, 'enrolling');
  assert.equal(mid.status, 'running');
  release();
  const done = await until(q, job.id, (j) => j.status === 'succeeded');
  assert.deepEqual(done.result, { added: 2 });
  assert.equal(done.progress, 100);
  assert.equal((await q.get(other.id, A))!.status, 'queued');
  await r.stop();
});

test('a cancel reaches the running handler, which stops with a partial result', async (t) => {
  const { q, runner } = setup(t);
  const r = runner({ leaseMs: 300, heartbeatMs: 20 }).register('k', async (_job, ctx) => {
    let steps = 0;
    while (!ctx.cancelled()) {
      steps++;
      await sleep(5);
    }
    assert.equal(ctx.signal.aborted, true);
    return { steps };
  });
  const job = await q.enqueue({ account: A, kind: 'k', payload: null });
  await r.start();
  await until(q, job.id, (j) => j.status === 'running');
  await q.cancel(job.id, A);
  const done = await until(q, job.id, (j) => j.status === 'cancelled');
  assert.ok((done.result as { steps: number }).steps > 0, 'the partial result is kept');
  await r.stop();
});

test('passing failures are retried; a VisageError fails the job at once with its code', async (t) => {
  const { q, runner } = setup(t);
  const errors: unknown[] = [];
  const r = runner({ onError: (_id, e) => errors.push(e) })
    .register('flaky', async (job) => {
      if (job.attempts < 2) throw new Error('disk hiccup at /secret/path');
      return 'ok';
    })
    .register('bad', async () => {
      throw new VisageError('GALLERY_NOT_FOUND');
    })
    .register('doomed', async () => {
      throw new Error('always');
    });
  const flaky = await q.enqueue({ account: A, kind: 'flaky', payload: null });
  const bad = await q.enqueue({ account: A, kind: 'bad', payload: null });
  const doomed = await q.enqueue({ account: A, kind: 'doomed', payload: null, maxAttempts: 2 });
  await r.start();
  const f = await until(q, flaky.id, (j) => j.status === 'succeeded');
  assert.equal(f.attempts, 2);
  assert.equal(f.error, null);
  const b = await until(q, bad.id, (j) => j.status === 'failed');
  assert.equal(b.attempts, 1);
  assert.equal(b.error!.code, 'GALLERY_NOT_FOUND');
  const d = await until(q, doomed.id, (j) => j.status === 'failed');
  assert.equal(d.attempts, 2);
  assert.deepEqual(d.error, { code: 'INTERNAL', message: 'Internal error' }, 'internals are not shown to the client');
  assert.ok(errors.length >= 3, 'but they are told to the log hook');
  await r.stop();
});

test('stop() drains: it waits for the running handlers and claims nothing new', async (t) => {
  const { q, runner } = setup(t);
  const r = runner({ concurrency: 1 }).register('k', async () => {
    await sleep(50);
    return 'done';
  });
  const first = await q.enqueue({ account: A, kind: 'k', payload: null });
  const second = await q.enqueue({ account: A, kind: 'k', payload: null });
  await r.start();
  await until(q, first.id, (j) => j.status === 'running');
  await r.stop();
  assert.equal((await q.get(first.id, A))!.status, 'succeeded');
  assert.equal((await q.get(second.id, A))!.status, 'queued');
});

test('a process killed mid-job: the next start of its node resumes the job', async (t) => {
  const { q, path, runner } = setup(t);
  const job = await q.enqueue({ account: A, kind: 'slow', payload: { images: 4 } });
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/job-runner.child.ts', path], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((res, rej) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('half') && res());
    child.on('exit', (c) => rej(new Error(`child exited ${c}`)));
  });
  child.kill('SIGKILL');
  await new Promise((res) => child.once('exit', res));
  const orphan = (await q.get(job.id, A))!;
  assert.equal(orphan.status, 'running', 'the killed worker still holds it (for another minute)');
  assert.equal(orphan.progress, 50);

  let seen: Job | null = null;
  const r = runner().register('slow', async (j, ctx) => {
    seen = j;
    await ctx.progress(100, 'done');
    return { resumedFrom: j.progress };
  });
  assert.deepEqual(await r.start(), { requeued: 1, failed: 0, cancelled: 0 });
  const done = await until(q, job.id, (j) => j.status === 'succeeded');
  assert.equal(done.attempts, 2);
  assert.deepEqual(done.result, { resumedFrom: 50 }, 'the second attempt sees where the first stopped');
  assert.equal(seen!.stage, 'half way');
  assert.ok(done.leaseOwner === null && r.workerId.startsWith('n1:'));
  await r.stop();
});
