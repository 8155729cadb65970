import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteRateStore } from '../../src/adapters/store/sqlite/sqlite-rate.store.js';
import { AbuseGuard } from '../../src/core/abuse-guard.js';
import { isVisageError } from '../../src/domain/error.registry.js';

const code = async (f: () => Promise<void>) => {
  try {
    await f();
    return 'ok';
  } catch (e) {
    return isVisageError(e) ? e.code : 'other';
  }
};

const policy = { failuresToBlock: 3, failureWindowMs: 10_000, blockMs: 60_000, blocksToBan: 2, banWindowMs: 3_600_000, banMs: 86_400_000 };

test('failures in a window block; the n-th block in the ban window bans; failures outside the window reset; bans survive a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'visage-guard-'));
  const store = SqliteRateStore.open(join(dir, 'visage.db'));
  let t = 1_000_000;
  const g = new AbuseGuard(store, { now: () => t }, policy);
  await g.recordFailure('1.2.3.4');
  await g.recordFailure('1.2.3.4');
  t += 11_000; // window passed: count restarts
  await g.recordFailure('1.2.3.4');
  assert.equal(await code(() => g.check('1.2.3.4')), 'ok');
  await g.recordFailure('1.2.3.4');
  assert.equal((await g.recordFailure('1.2.3.4'))?.kind, 'block');
  assert.equal(await code(() => g.check('1.2.3.4')), 'IP_BLOCKED');
  assert.equal(await code(() => g.check('1.2.3.5')), 'ok');
  t += 60_001;
  assert.equal(await code(() => g.check('1.2.3.4')), 'ok');
  for (let i = 0; i < 3; i++) await g.recordFailure('1.2.3.4');
  assert.equal(await code(() => g.check('1.2.3.4')), 'IP_BANNED');
  // A restart (another store on the same file, nothing loaded first) keeps the ban.
  await store.close();
  const reopened = SqliteRateStore.open(join(dir, 'visage.db'));
  const again = new AbuseGuard(reopened, { now: () => t }, policy);
  assert.equal(await code(() => again.check('1.2.3.4')), 'IP_BANNED');
  assert.equal(await again.lift('1.2.3.4'), true);
  assert.equal(await code(() => again.check('1.2.3.4')), 'ok');
  await reopened.close();
  rmSync(dir, { recursive: true, force: true });
});

test('two guards on one store (two processes) see each other’s blocks and lifts at once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'visage-guard-'));
  const [sa, sb] = [SqliteRateStore.open(join(dir, 'visage.db')), SqliteRateStore.open(join(dir, 'visage.db'))];
  const t = 5_000_000;
  const a = new AbuseGuard(sa, { now: () => t }, policy);
  const b = new AbuseGuard(sb, { now: () => t }, policy);
  await a.recordFailure('9.9.9.9');
  await b.recordFailure('9.9.9.9');
  assert.equal((await a.recordFailure('9.9.9.9'))?.kind, 'block', 'failures on both count together');
  assert.equal(await code(() => b.check('9.9.9.9')), 'IP_BLOCKED');
  await b.lift('9.9.9.9');
  assert.equal(await code(() => a.check('9.9.9.9')), 'ok');
  await sa.close();
  await sb.close();
  rmSync(dir, { recursive: true, force: true });
});
