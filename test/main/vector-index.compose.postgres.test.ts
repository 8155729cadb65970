// VISAGE_VECTOR_BACKEND=pgvector on the PostgreSQL of the tests, which has no pgvector: the
// start is refused before the server listens, naming the variable, without the password.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config.loader.js';
import { startServer } from '../../src/main/server.compose.js';
import { FakeAnalyzer } from '../helpers/fake-analyzer.js';
import { freshSchema, PG_URL, poolOn, withPostgres } from '../helpers/postgres.js';

withPostgres('VISAGE_VECTOR_BACKEND=pgvector without the extension', () => {
  test('the start is refused, naming VISAGE_VECTOR_BACKEND and the database (password hidden)', async (t) => {
    const schema = freshSchema();
    await poolOn(schema);
    const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'visage-pgv-start-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    let loaded = false;
    const start = startServer({
      env: { DATABASE_URL: url, VISAGE_VECTOR_BACKEND: 'pgvector', VISAGE_PORT: '0', VISAGE_HOST: '127.0.0.1', VISAGE_LOG_LEVEL: 'silent', VISAGE_DATA_DIR: dataDir, VISAGE_WORKERS: '1' },
      loadAnalyzer: async () => ((loaded = true), new FakeAnalyzer()),
      print: () => undefined,
    });
    await assert.rejects(start, (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.equal(e.problems.length, 1);
      assert.match(e.problems[0]!, /^VISAGE_VECTOR_BACKEND=pgvector: the PostgreSQL at DATABASE_URL \(postgres:\/\/.*\) cannot serve it: pgvector is not installed and CREATE EXTENSION vector failed: .*vector.*set VISAGE_VECTOR_BACKEND=usearch$/);
      const password = new URL(PG_URL).password;
      if (password) assert.ok(!e.message.includes(password), 'no password in the message');
      return true;
    });
    assert.equal(loaded, false, 'refused before the models load and before it listens');
  });
});
