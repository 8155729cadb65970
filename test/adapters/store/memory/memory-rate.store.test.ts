import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryRateStore } from '../../../../src/adapters/store/memory/memory-rate.store.js';
import { rateStoreContract } from '../../../ports/rate-store.contract.js';

rateStoreContract('memory', { open: async () => new MemoryRateStore() });

test('memory: past its cap the least recently used bucket is forgotten (and starts full again)', async () => {
  const s = new MemoryRateStore(2);
  const lim = { perSecond: 1, burst: 1 };
  await s.take('a', lim, 0);
  await s.take('b', lim, 0);
  await s.take('a', lim, 0); // a is now the most recent
  await s.take('c', lim, 0); // b goes
  assert.equal((await s.take('a', lim, 0)).allowed, false, 'a was kept');
  assert.equal((await s.take('b', lim, 0)).allowed, true, 'b starts full');
});
