import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryRateStore } from '../../src/adapters/store/memory/memory-rate.store.js';
import { RateLimiter } from '../../src/core/rate-limiter.js';

test('token bucket: burst at once, then perSecond; over T seconds at most burst + rate × T', async () => {
  let t = 0;
  const rl = new RateLimiter(new MemoryRateStore(), { now: () => t }, { perSecond: 10, burst: 20 });
  let allowed = 0;
  for (; t <= 60_000; t += 100) for (let i = 0; i < 3; i++) if ((await rl.take('k')).allowed) allowed++;
  assert.equal(allowed, 20 + 600);
});

test('refusal says when to retry; keys and per-key limits are independent', async () => {
  let t = 0;
  const rl = new RateLimiter(new MemoryRateStore(), { now: () => t }, { perSecond: 10, burst: 20 });
  const lim = { perSecond: 2, burst: 1 };
  assert.equal((await rl.take('a', lim)).allowed, true);
  const no = await rl.take('a', lim);
  assert.equal(no.allowed, false);
  assert.equal(no.retryAfterMs, 500);
  assert.deepEqual(no.limit, lim);
  const b = await rl.take('b');
  assert.equal(b.remaining, 19);
  assert.deepEqual(b.limit, { perSecond: 10, burst: 20 }, 'the decision names the limit it applied');
  assert.equal(b.resetMs, 100, 'one token short of full: 0.1 s at 10/s');
  t = 500;
  assert.equal((await rl.take('a', lim)).allowed, true);
});
