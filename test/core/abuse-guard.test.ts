import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SqliteAccountStore } from '../../src/adapters/store/sqlite/sqlite-account.store.js';
import { AbuseGuard } from '../../src/core/abuse-guard.js';
import { isVisageError } from '../../src/domain/error.registry.js';

const code = (f: () => void) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return isVisageError(e) ? e.code : 'other';
  }
};

test('failures in a window block; the n-th block in the ban window bans; failures outside the window reset', async () => {
  const store = SqliteAccountStore.open(':memory:');
  let t = 1_000_000;
  const policy = { failuresToBlock: 3, failureWindowMs: 10_000, blockMs: 60_000, blocksToBan: 2, banWindowMs: 3_600_000, banMs: 86_400_000 };
  const g = new AbuseGuard(store, { now: () => t }, policy);
  await g.recordFailure('1.2.3.4');
  await g.recordFailure('1.2.3.4');
  t += 11_000; // window passed: count restarts
  await g.recordFailure('1.2.3.4');
  assert.equal(code(() => g.check('1.2.3.4')), 'ok');
  await g.recordFailure('1.2.3.4');
  assert.equal((await g.recordFailure('1.2.3.4'))?.kind, 'block');
  assert.equal(code(() => g.check('1.2.3.4')), 'IP_BLOCKED');
  assert.equal(code(() => g.check('1.2.3.5')), 'ok');
  t += 60_001;
  assert.equal(code(() => g.check('1.2.3.4')), 'ok');
  for (let i = 0; i < 3; i++) await g.recordFailure('1.2.3.4');
  assert.equal(code(() => g.check('1.2.3.4')), 'IP_BANNED');
  // A restart keeps the ban.
  const again = new AbuseGuard(store, { now: () => t }, policy);
  await again.load();
  assert.equal(code(() => again.check('1.2.3.4')), 'IP_BANNED');
  await store.close();
});
