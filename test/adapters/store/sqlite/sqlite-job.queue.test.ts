import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../../src/adapters/store/sqlite/sqlite-database.js';
import { SqliteJobQueue } from '../../../../src/adapters/store/sqlite/sqlite-job.queue.js';
import { jobQueueContract } from '../../../ports/job-queue.contract.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'visage-jobs-'));

jobQueueContract('SQLite files', {
  async world() {
    const dir = tmp();
    const path = join(dir, 'visage.db');
    return {
      open: async (clock) => SqliteJobQueue.open(path, { clock }),
      // Everything SQLite keeps for the file: the database and its write-ahead log.
      storedBytesContain: async (needle) =>
        [path, `${path}-wal`].some((f) => existsSync(f) && readFileSync(f).includes(Buffer.from(needle))),
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});

test('over a shared handle: the queue does not close it, and turns secure_delete on', async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = openDatabase(join(dir, 'visage.db'), { synchronous: 'NORMAL' });
  const q = new SqliteJobQueue(db);
  assert.equal(db.pragma('secure_delete', { simple: true }), 1);
  await q.enqueue({ account: 'a', kind: 'k', payload: null });
  await q.close();
  assert.equal(db.open, true);
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM jobs').get() as { n: number }).n, 1);
  db.close();
});

/** Runs a child process that claims jobs of kind 'race' from the file until none are left. */
function claimer(path: string, name: string): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/claim-all.ts', path, name], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(out.split('\n').filter(Boolean)) : reject(new Error(`claimer exited ${code}`)))),
  );
}

test('three processes claiming from one file never take the same job', async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'visage.db');
  const q = SqliteJobQueue.open(path);
  const ids = new Set<string>();
  for (let i = 0; i < 300; i++) ids.add((await q.enqueue({ account: 'a', kind: 'race', payload: i })).id);
  const names = ['p1', 'p2', 'p3'];
  const running = Promise.all(names.map((n) => claimer(path, n)));
  while (!names.every((n) => existsSync(`${path}.ready-${n}`))) await new Promise((r) => setTimeout(r, 5));
  writeFileSync(`${path}.go`, '');
  const claimed = (await running).flat();
  assert.equal(claimed.length, 300, 'every job claimed once');
  assert.deepEqual(new Set(claimed), ids);
  const { jobs } = await q.list('a', { status: ['running'] }, { limit: 1000 });
  assert.equal(jobs.length, 300);
  assert.ok(jobs.every((j) => j.attempts === 1));
  const owners = new Set(jobs.map((j) => j.leaseOwner));
  assert.ok(owners.size >= 2, `the processes raced (owners: ${[...owners].join(', ')})`);
  await q.close();
});
