// One SQLite handle per process: the galleries and the accounts of a data dir share it, and it
// closes when the last of them closes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../src/config/config.loader.js';
import { leaseDatabase } from '../../src/main/database.compose.js';
import { openAccountStore } from '../../src/main/accounts.compose.js';
import { buildFaceService, buildGalleries, databasePath } from '../../src/main/services.compose.js';
import { FakeAnalyzer } from '../helpers/fake-analyzer.js';

test('the stores of one data dir share one database handle, closed with the last of them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'visage-db-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = Object.freeze({ ...defaultConfig(), dataDir: dir });
  const galleries = buildGalleries(config, buildFaceService(config, new FakeAnalyzer()), { info() {}, warn() {} });
  const accounts = openAccountStore(config);
  const probe = leaseDatabase(databasePath(config));
  await galleries.galleries.createGallery({ name: 'g' });
  await accounts.ensureAccount('acme', 10);
  // The lease sees both writes through the same connection.
  assert.equal((probe.db.prepare('SELECT count(*) AS n FROM galleries').get() as { n: number }).n, 1);
  assert.ok(probe.db.open);
  await galleries.close();
  await accounts.close();
  assert.ok(probe.db.open, 'still open while a lease is held');
  probe.release();
  assert.equal(probe.db.open, false, 'closed by the last release');
  const later = leaseDatabase(databasePath(config));
  assert.notEqual(later.db, probe.db, "a later lease opens a fresh handle");
  later.release();
});
