import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openDatabase } from '../../../../src/adapters/store/sqlite/sqlite-database.js';
import { SqliteRateStore } from '../../../../src/adapters/store/sqlite/sqlite-rate.store.js';
import { rateStoreContract } from '../../../ports/rate-store.contract.js';

const root = mkdtempSync(join(tmpdir(), 'visage-rate-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
let current = '';

rateStoreContract('sqlite', {
  open: async () => {
    current = join(root, `db-${n++}`, 'visage.db');
    return SqliteRateStore.open(current);
  },
  // A second connection on the same file, as a second server process would open it.
  reopen: async () => SqliteRateStore.open(current),
});

test('sqlite: works on a handle it is given (one per process) and leaves it open on close', async () => {
  const db = openDatabase(join(root, 'shared', 'visage.db'), { synchronous: 'NORMAL' });
  const s = new SqliteRateStore(db);
  assert.equal((await s.take('k', { perSecond: 1, burst: 1 }, 0)).allowed, true);
  await s.close();
  assert.equal(db.open, true);
  assert.equal((db.prepare('SELECT count(*) AS n FROM rate_buckets').get() as { n: number }).n, 1);
  db.close();
});

test('sqlite: bans written before 0005 (in ip_bans) are still read after the upgrade', async () => {
  const path = join(root, 'old', 'visage.db');
  const db = openDatabase(path, { synchronous: 'NORMAL' });
  db.prepare("INSERT INTO ip_bans (ip, kind, until, strikes, reason, updated_at) VALUES ('10.1.1.1', 'ban', 9e12, 3, 'old', 0)").run();
  const s = new SqliteRateStore(db);
  assert.equal((await s.getBan('10.1.1.1'))?.kind, 'ban');
  db.close();
});
