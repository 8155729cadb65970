import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../src/main/server.compose.js';
import type { FaceAnalyzer } from '../../src/ports/face-analyzer.port.js';
import { FakeAnalyzer } from '../helpers/fake-analyzer.js';

test('listens before the models load: /ready is 503 then 200; close shuts the analyzer', async () => {
  let release!: (a: FaceAnalyzer) => void;
  const fake = new FakeAnalyzer();
  let closed = false;
  fake.close = async () => void (closed = true);
  const dataDir = mkdtempSync(join(tmpdir(), 'visage-serve-'));
  const server = await startServer({
    env: { VISAGE_PORT: '0', VISAGE_HOST: '127.0.0.1', VISAGE_LOG_LEVEL: 'silent', VISAGE_DATA_DIR: dataDir },
    loadAnalyzer: () => new Promise((r) => (release = r)),
  });
  try {
    const port = (server.app.server.address() as { port: number }).port;
    const base = `http://127.0.0.1:${port}`;
    assert.equal((await fetch(`${base}/health`)).status, 200);
    const notReady = await fetch(`${base}/ready`);
    assert.equal(notReady.status, 503);
    assert.equal(((await notReady.json()) as { code: string }).code, 'NOT_READY');
    release(fake);
    await server.loaded;
    assert.equal((await fetch(`${base}/ready`)).status, 200);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  assert.equal(closed, true);
});
