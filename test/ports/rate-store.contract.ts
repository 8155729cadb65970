// What every RateStore (src/ports/rate-store.port.ts) must do, run by one test file per
// implementation. `open` gives a fresh, empty store; `reopen`, where the store persists, a second
// handle on the same data (another process, or the same one after a restart).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IpBan, RateStore } from '../../src/ports/rate-store.port.js';

export interface ContractTarget {
  open(): Promise<RateStore>;
  /** A second store over the same data; absent for a store that lives in one process only. */
  reopen?(): Promise<RateStore>;
}

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);
const ban = (ip: string, kind: IpBan['kind'], until: number, strikes = 1): IpBan => ({
  ip,
  kind,
  until: new Date(until),
  strikes,
  reason: `test ${kind}`,
  updatedAt: new Date(T0),
});

export function rateStoreContract(name: string, target: ContractTarget): void {
  describe(`RateStore contract: ${name}`, () => {
    test('a new bucket starts full; each take costs one token; an empty bucket refuses and keeps its count', async () => {
      const s = await target.open();
      const lim = { perSecond: 2, burst: 3 };
      const got = [];
      for (let i = 0; i < 4; i++) got.push(await s.take('k', lim, T0));
      assert.deepEqual(got.map((g) => g.allowed), [true, true, true, false]);
      assert.deepEqual(got.map((g) => g.tokens), [2, 1, 0, 0]);
      await s.close();
    });

    test('refill is elapsed × rate, capped at the burst; time going backwards refills nothing', async () => {
      const s = await target.open();
      const lim = { perSecond: 2, burst: 3 };
      for (let i = 0; i < 3; i++) await s.take('k', lim, T0);
      const half = await s.take('k', lim, T0 + 250); // 0.5 token: refused
      assert.equal(half.allowed, false);
      assert.ok(Math.abs(half.tokens - 0.5) < 1e-9);
      assert.equal((await s.take('k', lim, T0 + 500)).allowed, true); // 1 token back
      assert.equal((await s.take('k', lim, T0 - 60_000)).allowed, false, 'an earlier clock adds no tokens');
      const later = await s.take('k', lim, T0 + 3_600_000);
      assert.equal(later.allowed, true);
      assert.equal(later.tokens, 2, 'capped at the burst, then one taken');
      await s.close();
    });

    test('buckets are independent, and a limit change applies to the tokens already there', async () => {
      const s = await target.open();
      assert.equal((await s.take('a', { perSecond: 1, burst: 1 }, T0)).allowed, true);
      assert.equal((await s.take('a', { perSecond: 1, burst: 1 }, T0)).allowed, false);
      assert.equal((await s.take('b', { perSecond: 1, burst: 1 }, T0)).allowed, true);
      assert.equal((await s.take('a', { perSecond: 1, burst: 5 }, T0 + 1000)).tokens, 0);
      await s.close();
    });

    test('parallel takes from one bucket never hand out more tokens than it holds', async () => {
      const s = await target.open();
      const lim = { perSecond: 1, burst: 50 };
      const results = await Promise.all(Array.from({ length: 200 }, () => s.take('hot', lim, T0)));
      assert.equal(results.filter((r) => r.allowed).length, 50);
      await s.close();
    });

    test('failures count within a window that starts at the first one; a later failure opens a new window', async () => {
      const s = await target.open();
      assert.equal(await s.recordFailure('10.0.0.1', 10_000, T0), 1);
      assert.equal(await s.recordFailure('10.0.0.1', 10_000, T0 + 5_000), 2);
      assert.equal(await s.recordFailure('10.0.0.2', 10_000, T0 + 5_000), 1, 'per IP');
      assert.equal(await s.recordFailure('10.0.0.1', 10_000, T0 + 10_000), 3, 'the window is inclusive');
      assert.equal(await s.recordFailure('10.0.0.1', 10_000, T0 + 10_001), 1, 'counted from the first failure, not the last');
      await s.clearFailures('10.0.0.1');
      assert.equal(await s.recordFailure('10.0.0.1', 10_000, T0 + 10_002), 1);
      await s.close();
    });

    test('bans: put replaces, get returns it in force or not, active lists those in force (ending last first), delete lifts', async () => {
      const s = await target.open();
      await s.putBan(ban('10.0.0.1', 'block', T0 + 60_000));
      await s.putBan(ban('10.0.0.2', 'ban', T0 + 86_400_000, 2));
      await s.putBan(ban('10.0.0.3', 'block', T0 - 1)); // over
      assert.deepEqual(await s.getBan('10.0.0.2'), ban('10.0.0.2', 'ban', T0 + 86_400_000, 2));
      assert.equal((await s.getBan('10.0.0.3'))?.kind, 'block', 'an expired record is still read (its strikes count)');
      assert.equal(await s.getBan('10.9.9.9'), null);
      assert.deepEqual((await s.activeBans(new Date(T0))).map((b) => b.ip), ['10.0.0.2', '10.0.0.1']);
      await s.putBan(ban('10.0.0.1', 'ban', T0 + 2 * 86_400_000, 3));
      assert.deepEqual((await s.activeBans(new Date(T0))).map((b) => [b.ip, b.kind, b.strikes]), [['10.0.0.1', 'ban', 3], ['10.0.0.2', 'ban', 2]]);
      await s.recordFailure('10.0.0.2', 10_000, T0);
      assert.equal(await s.deleteBan('10.0.0.2'), true);
      assert.equal(await s.deleteBan('10.0.0.2'), false);
      assert.equal(await s.getBan('10.0.0.2'), null);
      assert.equal(await s.recordFailure('10.0.0.2', 10_000, T0 + 1), 1, 'lifting forgets the failures too');
      await s.close();
    });

    if (target.reopen) {
      const reopen = target.reopen;
      test('a second store on the same data shares buckets, failures and bans', async () => {
        const a = await target.open();
        const b = await reopen();
        const lim = { perSecond: 1, burst: 2 };
        assert.equal((await a.take('shared', lim, T0)).allowed, true);
        assert.equal((await b.take('shared', lim, T0)).allowed, true);
        assert.equal((await a.take('shared', lim, T0)).allowed, false, 'the other store took the second token');
        await a.recordFailure('10.0.0.9', 60_000, T0);
        assert.equal(await b.recordFailure('10.0.0.9', 60_000, T0 + 1), 2);
        await a.putBan(ban('10.0.0.9', 'block', T0 + 60_000));
        assert.deepEqual((await b.activeBans(new Date(T0))).map((x) => x.ip), ['10.0.0.9']);
        assert.equal(await b.deleteBan('10.0.0.9'), true);
        assert.equal(await a.getBan('10.0.0.9'), null);
        await a.close();
        await b.close();
      });
    }
  });
}
