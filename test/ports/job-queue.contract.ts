/**
 * The JobQueue contract: every implementation (SQLite now, a networked database later) runs this
 * suite through a fixture. A "world" is one backing store; each `open` is another instance on it,
 * as another process would have, so double claims and restarts are tested across instances.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Clock } from '../../src/ports/clock.port.js';
import type { JobQueue } from '../../src/ports/job-queue.port.js';

export interface JobQueueWorld {
  /** A new instance over this world's data (its own connection). */
  open(clock: Clock): Promise<JobQueue>;
  /** Whether any byte the store keeps (files, logs) still holds `needle`; omit where unreadable. */
  storedBytesContain?(needle: string): Promise<boolean>;
  /** Closes nothing the test opened; removes the world's data. */
  dispose(): Promise<void>;
}

export interface JobQueueFixture {
  /** A new, empty world. */
  world(): Promise<JobQueueWorld>;
}

/** A clock the test moves by hand, so leases expire without sleeping. */
export class ManualClock implements Clock {
  constructor(public t = Date.UTC(2025, 0, 1)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

const A = 'acme';
const B = 'other';

export function jobQueueContract(name: string, fixture: JobQueueFixture): void {
  describe(`JobQueue contract: ${name}`, () => {
    /** Runs `body` on a fresh world with one instance and its clock; closes and disposes after. */
    async function within(body: (q: JobQueue, clock: ManualClock, world: JobQueueWorld, opened: JobQueue[]) => Promise<void>) {
      const world = await fixture.world();
      const clock = new ManualClock();
      const opened: JobQueue[] = [];
      try {
        const q = await world.open(clock);
        opened.push(q);
        await body(q, clock, world, opened);
      } finally {
        for (const q of opened) await q.close();
        await world.dispose();
      }
    }

    test('enqueue is visible to its account only; claim takes the oldest job of the kinds asked', async () => {
      await within(async (q, clock) => {
        const first = await q.enqueue({ account: A, kind: 'gallery.add', payload: { n: 1, names: ['Ann'] } });
        clock.advance(1);
        await q.enqueue({ account: A, kind: 'search', payload: { n: 2 } });
        clock.advance(1);
        await q.enqueue({ account: B, kind: 'gallery.add', payload: { n: 3 } });
        assert.equal(first.status, 'queued');
        assert.equal(first.progress, 0);
        assert.equal(first.attempts, 0);
        assert.equal(first.startedAt, null);
        assert.equal(first.expiresAt, null);
        assert.deepEqual((await q.get(first.id, A))!.payload, { n: 1, names: ['Ann'] });
        assert.equal(await q.get(first.id, B), null, "another account's job does not exist for it");
        assert.equal(await q.get('no-such-job', A), null);

        assert.equal(await q.claim(['nothing'], 'n1:w', 1000), null);
        const c1 = (await q.claim(['gallery.add'], 'n1:w', 1000))!;
        assert.deepEqual(c1.job.payload, { n: 1, names: ['Ann'] });
        assert.equal(c1.job.status, 'running');
        assert.equal(c1.job.attempts, 1);
        assert.equal(c1.job.leaseOwner, 'n1:w');
        assert.equal(c1.job.leaseExpiresAt!.getTime(), clock.now() + 1000);
        assert.equal(c1.job.startedAt!.getTime(), clock.now());
        assert.deepEqual(c1.lease, { jobId: first.id, owner: 'n1:w', attempt: 1 });
        const c2 = (await q.claim(['search', 'gallery.add'], 'n1:w', 1000))!;
        assert.deepEqual(c2.job.payload, { n: 2 }, 'oldest first across the kinds asked');
        assert.deepEqual((await q.claim(['gallery.add'], 'n1:w', 1000))!.job.payload, { n: 3 });
        assert.equal(await q.claim(['gallery.add', 'search'], 'n1:w', 1000), null, 'nothing left');
      });
    });

    test('no job is claimed twice, even by two instances on the same store', async () => {
      await within(async (q1, clock, world, opened) => {
        const q2 = await world.open(clock);
        opened.push(q2);
        const ids = new Set<string>();
        for (let i = 0; i < 20; i++) ids.add((await q1.enqueue({ account: A, kind: 'k', payload: i })).id);
        const claims = await Promise.all(
          Array.from({ length: 26 }, (_, i) => (i % 2 ? q1 : q2).claim(['k'], `n${i % 2}:w`, 60_000)),
        );
        const got = claims.filter((c) => c !== null).map((c) => c!.job.id);
        assert.equal(got.length, 20);
        assert.equal(new Set(got).size, 20, 'every claim a different job');
        assert.deepEqual(new Set(got), ids);
      });
    });

    test('an expired lease is reclaimed by another worker; the stale worker is fenced off', async () => {
      await within(async (q, clock) => {
        const job = await q.enqueue({ account: A, kind: 'k', payload: null });
        const old = (await q.claim(['k'], 'n1:a', 1000))!.lease;
        clock.advance(800);
        assert.equal(await q.claim(['k'], 'n2:b', 1000), null, 'the lease still holds');
        assert.deepEqual(await q.heartbeat(old), { held: true, cancelRequested: false });
        clock.advance(800);
        assert.equal(await q.claim(['k'], 'n2:b', 1000), null, 'the heartbeat pushed the lease on');
        assert.equal((await q.get(job.id, A))!.leaseExpiresAt!.getTime(), clock.now() + 200);
        clock.advance(201);
        const again = (await q.claim(['k'], 'n2:b', 1000))!;
        assert.equal(again.job.id, job.id);
        assert.equal(again.job.attempts, 2);
        assert.equal(again.job.leaseOwner, 'n2:b');
        assert.deepEqual(again.lease, { jobId: job.id, owner: 'n2:b', attempt: 2 });
        assert.equal((await q.progress(old, 50)).held, false);
        assert.equal((await q.heartbeat(old)).held, false);
        assert.equal(await q.complete(old, 'stale'), null);
        assert.equal(await q.fail(old, { code: 'X', message: 'stale' }), null);
        assert.equal((await q.complete(again.lease, 'fresh'))!.result, 'fresh');
        // The same worker claiming again after its own lease expired is a new attempt too.
        await q.enqueue({ account: A, kind: 'k', payload: null });
        const first = (await q.claim(['k'], 'n1:a', 1000))!.lease;
        clock.advance(1001);
        const second = (await q.claim(['k'], 'n1:a', 1000))!.lease;
        assert.equal(second.attempt, first.attempt + 1);
        assert.equal(await q.complete(first, 1), null, 'the first attempt is fenced off');
      });
    });

    test('a lost worker on its last attempt fails the job; a lost worker asked to cancel cancels it', async () => {
      await within(async (q, clock) => {
        const spent = await q.enqueue({ account: A, kind: 'k', payload: 1, maxAttempts: 1 });
        const toCancel = await q.enqueue({ account: A, kind: 'k', payload: 2 });
        await q.claim(['k'], 'n1:a', 1000);
        await q.claim(['k'], 'n1:a', 1000);
        await q.cancel(toCancel.id, A);
        clock.advance(1001);
        assert.equal(await q.claim(['k'], 'n2:b', 1000), null, 'neither runs again');
        const failed = (await q.get(spent.id, A))!;
        assert.equal(failed.status, 'failed');
        assert.equal(failed.error!.code, 'JOB_INTERRUPTED');
        assert.match(failed.error!.message, /stopped/);
        assert.equal(failed.leaseOwner, null);
        assert.equal(failed.finishedAt!.getTime(), clock.now());
        assert.equal((await q.get(toCancel.id, A))!.status, 'cancelled');
      });
    });

    test('progress and stage are recorded, checked, and keep the lease alive', async () => {
      await within(async (q, clock) => {
        const job = await q.enqueue({ account: A, kind: 'k', payload: null });
        const { lease } = (await q.claim(['k'], 'n1:a', 1000))!;
        clock.advance(900);
        assert.deepEqual(await q.progress(lease, 40, 'enrolling'), { held: true, cancelRequested: false });
        let j = (await q.get(job.id, A))!;
        assert.equal(j.progress, 40);
        assert.equal(j.stage, 'enrolling');
        assert.equal(j.leaseExpiresAt!.getTime(), clock.now() + 1000, 'progress extends the lease by the claimed length');
        await q.progress(lease, 41);
        j = (await q.get(job.id, A))!;
        assert.equal(j.progress, 41);
        assert.equal(j.stage, 'enrolling', 'a report without a stage keeps the stage');
        for (const bad of [-1, 101, 2.5, Number.NaN]) await assert.rejects(q.progress(lease, bad), RangeError);
        assert.equal((await q.get(job.id, A))!.progress, 41);
      });
    });

    test('savePayload replaces the payload under the lease only, and a resumed claim sees it', async () => {
      await within(async (q, clock) => {
        const job = await q.enqueue({ account: A, kind: 'k', payload: { items: [{ id: 'a', image: 'PHOTO' }] } });
        const c = (await q.claim(['k'], 'n1:a', 1000))!;
        clock.advance(900);
        assert.deepEqual(await q.savePayload(c.lease, { items: [{ id: 'a', image: null, done: true }] }), { held: true, cancelRequested: false });
        assert.equal((await q.get(job.id, A))!.leaseExpiresAt!.getTime(), clock.now() + 1000, 'a checkpoint extends the lease');
        clock.advance(1001); // the worker dies; another takes the job and sees the checkpoint
        const again = (await q.claim(['k'], 'n2:b', 1000))!;
        assert.deepEqual(again.job.payload, { items: [{ id: 'a', image: null, done: true }] });
        assert.equal((await q.savePayload(c.lease, { stale: true })).held, false, 'the old lease cannot write');
        assert.deepEqual((await q.get(job.id, A))!.payload, { items: [{ id: 'a', image: null, done: true }] });
      });
    });

    test('complete, fail, and retry until the attempts are spent', async () => {
      await within(async (q, clock) => {
        const ok = await q.enqueue({ account: A, kind: 'k', payload: null, retainMs: 5000 });
        const c = (await q.claim(['k'], 'n1:a', 1000))!;
        await q.progress(c.lease, 60);
        clock.advance(10);
        const done = (await q.complete(c.lease, { added: 3, failed: [] }))!;
        assert.equal(done.status, 'succeeded');
        assert.equal(done.progress, 100);
        assert.deepEqual(done.result, { added: 3, failed: [] });
        assert.equal(done.finishedAt!.getTime(), clock.now());
        assert.equal(done.expiresAt!.getTime(), clock.now() + 5000);
        assert.equal(done.leaseOwner, null);
        assert.equal(done.leaseExpiresAt, null);
        assert.deepEqual((await q.get(ok.id, A))!.result, { added: 3, failed: [] });
        assert.equal(await q.complete(c.lease, 'twice'), null, 'a finished job takes no second answer');

        await q.enqueue({ account: A, kind: 'k', payload: null });
        const f = (await q.claim(['k'], 'n1:a', 1000))!;
        const failed = (await q.fail(f.lease, { code: 'BAD_PARAM', message: 'no such gallery' }, { retry: false }))!;
        assert.equal(failed.status, 'failed');
        assert.deepEqual(failed.error, { code: 'BAD_PARAM', message: 'no such gallery' });
        assert.ok(failed.expiresAt);

        const r = await q.enqueue({ account: A, kind: 'k', payload: null, maxAttempts: 2 });
        const r1 = (await q.claim(['k'], 'n1:a', 1000))!;
        const requeued = (await q.fail(r1.lease, { code: 'INTERNAL', message: 'disk hiccup' }, { retry: true, retryDelayMs: 500 }))!;
        assert.equal(requeued.status, 'queued');
        assert.deepEqual(requeued.error, { code: 'INTERNAL', message: 'disk hiccup' }, 'the last error shows while it waits');
        assert.equal(requeued.finishedAt, null);
        assert.equal(requeued.expiresAt, null);
        assert.equal(requeued.leaseOwner, null);
        assert.equal(await q.claim(['k'], 'n1:a', 1000), null, 'not before the retry delay');
        clock.advance(500);
        const r2 = (await q.claim(['k'], 'n1:a', 1000))!;
        assert.equal(r2.job.id, r.id);
        assert.equal(r2.job.attempts, 2);
        const last = (await q.fail(r2.lease, { code: 'INTERNAL', message: 'again' }, { retry: true }))!;
        assert.equal(last.status, 'failed', 'no attempts left');
        assert.equal(last.error!.message, 'again');

        const s = await q.enqueue({ account: A, kind: 'k', payload: null });
        const s1 = (await q.claim(['k'], 'n1:a', 1000))!;
        await q.fail(s1.lease, { code: 'INTERNAL', message: 'x' }, { retry: true });
        const s2 = (await q.claim(['k'], 'n1:a', 1000))!;
        const win = (await q.complete(s2.lease, 'ok'))!;
        assert.equal(win.id, s.id);
        assert.equal(win.error, null, 'success clears the earlier error');
      });
    });

    test('cancel: a queued job at once, a running one through its worker, a finished one not at all', async () => {
      await within(async (q) => {
        const queued = await q.enqueue({ account: A, kind: 'k', payload: 1 });
        const running = await q.enqueue({ account: A, kind: 'k', payload: 2 });
        assert.equal(await q.cancel(queued.id, B), null, "another account cannot cancel it");
        const c = (await q.cancel(queued.id, A))!;
        assert.equal(c.status, 'cancelled');
        assert.ok(c.finishedAt && c.expiresAt);
        const claimed = (await q.claim(['k'], 'n1:a', 1000))!;
        assert.equal(claimed.job.id, running.id, 'a cancelled job is never claimed');
        const asked = (await q.cancel(running.id, A))!;
        assert.equal(asked.status, 'running');
        assert.equal(asked.cancelRequested, true);
        assert.deepEqual(await q.heartbeat(claimed.lease), { held: true, cancelRequested: true });
        assert.deepEqual(await q.progress(claimed.lease, 30), { held: true, cancelRequested: true });
        const stopped = (await q.confirmCancel(claimed.lease, { added: 30 }))!;
        assert.equal(stopped.status, 'cancelled');
        assert.deepEqual(stopped.result, { added: 30 }, 'what was done before the cancel');
        assert.equal(stopped.leaseOwner, null);

        const done = await q.enqueue({ account: A, kind: 'k', payload: 3 });
        await q.complete((await q.claim(['k'], 'n1:a', 1000))!.lease, 'r');
        assert.equal((await q.cancel(done.id, A))!.status, 'succeeded');
        assert.equal((await q.get(done.id, A))!.cancelRequested, false);
        // A retry is not queued once a cancel was asked for.
        const r = await q.enqueue({ account: A, kind: 'k', payload: 4 });
        const rc = (await q.claim(['k'], 'n1:a', 1000))!;
        await q.cancel(r.id, A);
        assert.equal((await q.fail(rc.lease, { code: 'INTERNAL', message: 'x' }, { retry: true }))!.status, 'failed');
      });
    });

    test('position counts the queued jobs ahead of a job in its kind', async () => {
      await within(async (q) => {
        const a = [];
        for (let i = 0; i < 3; i++) a.push(await q.enqueue({ account: i === 2 ? B : A, kind: 'a', payload: i }));
        const b = await q.enqueue({ account: A, kind: 'b', payload: null });
        assert.deepEqual([await q.position(a[0]!.id, A), await q.position(a[1]!.id, A), await q.position(a[2]!.id, B)], [1, 2, 3]);
        assert.equal(await q.position(b.id, A), 1);
        assert.equal(await q.position(a[2]!.id, A), null, "not the account's job");
        await q.claim(['a'], 'n1:w', 1000);
        assert.equal(await q.position(a[0]!.id, A), null, 'running: not in the queue');
        assert.deepEqual([await q.position(a[1]!.id, A), await q.position(a[2]!.id, B)], [1, 2]);
        await q.cancel(a[1]!.id, A);
        assert.equal(await q.position(a[2]!.id, B), 1);
      });
    });

    test('list: newest first, by pages, filtered, one account only, without payloads', async () => {
      await within(async (q, clock) => {
        const ids: string[] = [];
        for (let i = 0; i < 7; i++) {
          ids.push((await q.enqueue({ account: A, kind: i % 2 ? 'odd' : 'even', payload: { big: 'x'.repeat(100) } })).id);
          clock.advance(1);
        }
        await q.enqueue({ account: B, kind: 'even', payload: null });
        const p1 = await q.list(A, {}, { limit: 3 });
        const p2 = await q.list(A, {}, { limit: 3, cursor: p1.next! });
        const p3 = await q.list(A, {}, { limit: 3, cursor: p2.next! });
        assert.deepEqual([...p1.jobs, ...p2.jobs, ...p3.jobs].map((j) => j.id), [...ids].reverse());
        assert.equal(p3.jobs.length, 1);
        assert.equal(p3.next, null);
        assert.equal((await q.list(A, {}, { limit: 7 })).next, null, 'an exact last page says so');
        assert.ok(!('payload' in p1.jobs[0]!) && !('result' in p1.jobs[0]!));
        assert.deepEqual((await q.list(A, { kind: 'odd' })).jobs.map((j) => j.id), [ids[5], ids[3], ids[1]]);
        await q.claim(['even'], 'n1:w', 1000);
        assert.deepEqual((await q.list(A, { status: ['running'] })).jobs.map((j) => j.id), [ids[0]]);
        assert.equal((await q.list(A, { status: ['queued', 'running'], kind: 'even' })).jobs.length, 4);
        assert.equal((await q.list(B)).jobs.length, 1);
        assert.deepEqual((await q.list('nobody')).jobs, []);
      });
    });

    test('resume after a restart: the old process\'s jobs are requeued, failed when spent, cancelled when asked', async () => {
      await within(async (q1, clock, world, opened) => {
        const again = await q1.enqueue({ account: A, kind: 'k', payload: 'resume me' });
        const spent = await q1.enqueue({ account: A, kind: 'k', payload: 'spent', maxAttempts: 1 });
        const asked = await q1.enqueue({ account: A, kind: 'k', payload: 'cancel me' });
        const elsewhere = await q1.enqueue({ account: A, kind: 'k', payload: 'other node' });
        const waiting = await q1.enqueue({ account: A, kind: 'k', payload: 'still queued' });
        const l = (await q1.claim(['k'], 'n1:old', 60_000))!.lease;
        await q1.progress(l, 70, 'enrolling');
        await q1.claim(['k'], 'n1:old', 60_000);
        await q1.claim(['k'], 'n1:old', 60_000);
        await q1.cancel(asked.id, A);
        await q1.claim(['k'], 'n2:live', 60_000);
        await q1.close();
        opened.length = 0;

        const q2 = await world.open(clock);
        opened.push(q2);
        assert.equal((await q2.get(again.id, A))!.status, 'running', 'state survives the reopen');
        assert.deepEqual(await q2.resumeAfterRestart('n1', 'n1:new'), { requeued: 1, failed: 1, cancelled: 1 });
        const back = (await q2.get(again.id, A))!;
        assert.equal(back.status, 'queued');
        assert.equal(back.leaseOwner, null);
        assert.equal(back.progress, 70, 'progress is kept for the next attempt to see');
        assert.equal(back.stage, 'enrolling');
        const failed = (await q2.get(spent.id, A))!;
        assert.equal(failed.status, 'failed');
        assert.equal(failed.error!.code, 'JOB_INTERRUPTED');
        assert.equal((await q2.get(asked.id, A))!.status, 'cancelled');
        assert.equal((await q2.get(elsewhere.id, A))!.leaseOwner, 'n2:live', "another node's job waits for its lease");
        assert.equal(await q2.position(again.id, A), 1, 'back at the head of its queue');
        assert.equal(await q2.position(waiting.id, A), 2);
        const c = (await q2.claim(['k'], 'n1:new', 60_000))!;
        assert.equal(c.job.id, again.id);
        assert.equal(c.job.attempts, 2);
        assert.deepEqual(await q2.resumeAfterRestart('n1', 'n1:new'), { requeued: 0, failed: 0, cancelled: 0 }, "the current owner's jobs are its own");
      });
    });

    test('purge deletes finished jobs past their expiry, payload and result with them', async () => {
      await within(async (q, clock, world) => {
        const secret = `payload-${Math.random().toString(36).slice(2)}`;
        const answer = `result-${Math.random().toString(36).slice(2)}`;
        const short = await q.enqueue({ account: A, kind: 'k', payload: { secret }, retainMs: 1000 });
        const long = await q.enqueue({ account: A, kind: 'k', payload: 'keep', retainMs: 100_000 });
        const queued = await q.enqueue({ account: A, kind: 'q', payload: 'queued' });
        const running = await q.enqueue({ account: A, kind: 'r', payload: 'running' });
        await q.complete((await q.claim(['k'], 'n1:a', 1000))!.lease, { answer });
        await q.fail((await q.claim(['k'], 'n1:a', 1000))!.lease, { code: 'X', message: 'y' });
        await q.claim(['r'], 'n1:a', 10_000_000);
        if (world.storedBytesContain) assert.equal(await world.storedBytesContain(secret), true, 'the check can see a stored payload');
        assert.equal(await q.purge(new Date(clock.now() + 999)), 0, 'not before expiry');
        clock.advance(1000);
        assert.equal(await q.purge(new Date(clock.now())), 1);
        assert.equal(await q.get(short.id, A), null);
        assert.equal((await q.list(A)).jobs.some((j) => j.id === short.id), false);
        for (const kept of [long, queued, running]) assert.ok(await q.get(kept.id, A), 'unexpired and unfinished jobs stay');
        if (world.storedBytesContain) {
          assert.equal(await world.storedBytesContain(secret), false, 'the payload is gone from storage');
          assert.equal(await world.storedBytesContain(answer), false, 'the result is gone from storage');
        }
        assert.equal(await q.purge(new Date(clock.now() + 10 ** 12)), 1, 'running and queued jobs are never purged');
      });
    });
  });
}
