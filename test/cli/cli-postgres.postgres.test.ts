// The CLI on a node whose state is in PostgreSQL (DATABASE_URL): `visage keys` and `visage bans`
// work on the shared database, name it without its password, and make no SQLite file in the
// data dir (they used to refuse a data dir without visage.db, or create one they never read).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { freshSchema, PG_URL, poolOn, withPostgres } from '../helpers/postgres.js';

async function run(args: string[], env: NodeJS.ProcessEnv) {
  const o = { out: '', err: '' };
  const code = await main(args, { stdout: (s: string) => void (o.out += s), stderr: (s: string) => void (o.err += s), env });
  process.exitCode = 0;
  return { code, ...o };
}

withPostgres('cli on PostgreSQL', () => {
  test('keys and bans use DATABASE_URL, named without its password, and leave the data dir without a SQLite file', async () => {
    const schema = freshSchema();
    await poolOn(schema);
    const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'visage-cli-pg-')));
    try {
      const env = { VISAGE_DATA_DIR: join(dir, 'data'), DATABASE_URL: url };
      const made = await run(['keys', 'create', '--account', 'shared', '--name', 'app'], env);
      assert.equal(made.code, 0, made.err);
      assert.match(made.err, /^database: postgres(ql)?:\/\/.*\(DATABASE_URL\)\n$/);
      const password = new URL(PG_URL).password;
      if (password) assert.ok(!made.err.includes(password), 'the password is not printed');
      const list = await run(['keys', 'list', '--account', 'shared'], env);
      assert.equal(list.code, 0, list.err);
      assert.match(list.out, /shared +app/);
      const bans = await run(['bans', 'list'], env);
      assert.equal(bans.code, 0, bans.err);
      assert.equal(existsSync(join(dir, 'data', 'visage.db')), false, 'no SQLite database made');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
