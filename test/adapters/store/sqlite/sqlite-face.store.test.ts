import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteFaceStore } from '../../../../src/adapters/store/sqlite/sqlite-face.store.js';
import { DEFAULT_ACCOUNT, type NewGallery } from '../../../../src/ports/face-store.port.js';
import { randomUnit, rng } from '../../../helpers/synthetic-vectors.js';
import { faceStoreContract } from '../../../ports/face-store.contract.js';

const DIM = 16;
const tmp = () => mkdtempSync(join(tmpdir(), 'visage-store-'));
const gal = (name: string): NewGallery => ({ account: DEFAULT_ACCOUNT, name, description: '', modelKey: 'm@1', dimensions: DIM, thumbnails: false });
const rand = rng(7);
const vec = () => randomUnit(DIM, rand);

faceStoreContract('SQLite', { open: (dir) => SqliteFaceStore.open(join(dir, 'visage.db')) });

test('SQLite: no template bytes of a deleted face are left in the file or its WAL (secure_delete)', async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'visage.db');
  const s = SqliteFaceStore.open(path);
  const g = await s.createGallery(gal('g'));
  const secret = vec();
  await s.addFaces(g.id, [{ clientId: 'x', vector: secret }, { vector: vec() }]);
  await s.deleteFaces(g.id, [{ clientId: 'x' }]);
  await s.close();
  const needle = Buffer.from(secret.buffer);
  const files = [path, `${path}-wal`].map((p) => {
    try {
      return readFileSync(p);
    } catch {
      return Buffer.alloc(0);
    }
  });
  assert.ok(files.every((b) => b.indexOf(needle) < 0));
});

test('a database from a newer server is refused', async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'visage.db');
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(path);
  db.pragma('user_version = 999');
  db.close();
  assert.throws(() => SqliteFaceStore.open(path), /newer than this server/);
});
