import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { PgJobQueue } from '../../../../src/adapters/store/postgres/pg-job.queue.js';
import { freshSchema, poolOn, withPostgres } from '../../../helpers/postgres.js';

withPostgres('job failover', () => {
  test('jobs held by a node killed with SIGKILL are finished by the other once their leases expire', async () => {
    const schema = freshSchema();
    const b = new PgJobQueue(await poolOn(schema));
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add((await b.enqueue({ account: 'acme', kind: 'bulk', payload: { item: i } })).id);

    // Node A claims half, then dies without a word.
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/pg-claim-and-hang.child.ts', schema, '10'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const heldByA = await new Promise<string[]>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const got = out.split('\n').filter(Boolean);
        if (got.length === 10) resolve(got);
      });
      child.on('exit', (code) => reject(new Error(`node A exited early (${code})`)));
    });
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;

    // Node B works through the queue: the other ten at once, A's as their leases run out.
    const done = new Map<string, number>();
    const deadline = Date.now() + 15_000;
    while (done.size < 20) {
      assert.ok(Date.now() < deadline, `all jobs done in time (${done.size} of 20)`);
      const c = await b.claim(['bulk'], 'node-b:w', 60_000);
      if (!c) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const finished = await b.complete(c.lease, { ok: true });
      assert.equal(finished!.status, 'succeeded');
      done.set(c.job.id, c.job.attempts);
    }
    assert.deepEqual(new Set(done.keys()), ids, 'every job finished once');
    for (const id of heldByA) assert.equal(done.get(id), 2, "A's jobs were on their second attempt");
    const failedOrLost = await b.list('acme', { status: ['queued', 'running', 'failed'] });
    assert.deepEqual(failedOrLost.jobs, []);
  });
});
