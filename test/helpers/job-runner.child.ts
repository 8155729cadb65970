/**
 * Child process for the runner's restart test: runs node 'n1' over the SQLite file <path>; its
 * 'slow' handler reports 50 % and then never finishes, so the test can kill it mid-job.
 */
import { SqliteJobQueue } from '../../src/adapters/store/sqlite/sqlite-job.queue.js';
import { JobRunner } from '../../src/core/job-runner.js';

const q = SqliteJobQueue.open(process.argv[2]!);
const runner = new JobRunner(q, { node: 'n1', concurrency: 1, leaseMs: 60_000, pollMs: 10 });
runner.register('slow', async (_job, ctx) => {
  await ctx.progress(50, 'half way');
  process.stdout.write('half\n');
  await new Promise(() => {});
});
await runner.start();
