import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateLimiter } from '../../src/core/rate-limiter.js';

test('token bucket: burst at once, then perSecond; over T seconds at most burst + rate × T', () => {
  let t = 0;
  const rl = new RateLimiter({ now: () => t }, { perSecond: 10, burst: 20 });
  let allowed = 0;
  for (; t <= 60_000; t += 100) for (let i = 0; i < 3; i++) if (rl.take('k').allowed) allowed++;
  assert.equal(allowed, 20 + 600);
});

test('refusal says when to retry; keys and per-key limits are independent', () => {
  let t = 0;
  const rl = new RateLimiter({ now: () => t }, { perSecond: 10, burst: 20 });
  const lim = { perSecond: 2, burst: 1 };
  assert.equal(rl.take('a', lim).allowed, true);
  const no = rl.take('a', lim);
  assert.equal(no.allowed, false);
  assert.equal(no.retryAfterMs, 500);
  assert.equal(rl.take('b').remaining, 19);
  t = 500;
  assert.equal(rl.take('a', lim).allowed, true);
});
