import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSearchSessionStore } from '../../../../src/adapters/store/files/file-search-session.store.js';
import { searchSessionStoreContract } from '../../../ports/search-session-store.contract.js';

searchSessionStoreContract('files', { open: (dir) => ({ sessions: new FileSearchSessionStore(join(dir, 'searches')), close: async () => undefined }) });

test('files: a deleted search leaves no file behind, and a folder without a session (a crashed upload) counts as expired', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'visage-sessions-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'searches');
  const store = new FileSearchSessionStore(root);
  const s = { id: 'abcdefgh1234', account: 'acme', createdAt: new Date(0), expiresAt: new Date(10_000), jobId: null, index: null, demo: false, photoIds: ['a'] };
  await store.create(s, [new Uint8Array([1, 2, 3])], [new Uint8Array([4])]);
  await store.saveResult(s.id, { items: [] });
  assert.deepEqual(readdirSync(join(root, s.id)).sort(), ['photo-0.bin', 'preview-0.webp', 'result.json', 'session.json']);
  assert.equal(await store.delete(s.id), true);
  assert.deepEqual(readdirSync(root), [], 'the folder is unlinked, every file in it');
  await store.create({ ...s, id: 'crashed-upload' }, [new Uint8Array([1])], []);
  rmSync(join(root, 'crashed-upload', 'session.json'));
  assert.deepEqual(await store.expired(new Date(0)), ['crashed-upload']);
});
