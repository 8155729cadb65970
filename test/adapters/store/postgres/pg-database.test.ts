import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { PG_MIGRATIONS } from '../../../../src/adapters/store/postgres/migrations/pg-migrations.registry.js';
import { freshSchema, PG_URL, poolOn, withPostgres } from '../../../helpers/postgres.js';

/** Runs the migrating child; resolves with the versions it applied. */
function migrator(schema: string): Promise<number[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/pg-migrate.child.ts', schema], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`migrator exited ${code}: ${err}`)))),
  );
}

withPostgres('migrations', () => {
  test('two processes starting at once: one migrates, the other waits and finds nothing to do', async () => {
    const schema = freshSchema();
    // Hold the migration lock so both children are waiting on it when it is let go: without
    // the lock both would read version 0 and both run 0001 (and one would fail on its tables).
    const holder = new pg.Client({ connectionString: PG_URL });
    await holder.connect();
    const key = `hashtext('visage.migrate'), hashtext($1)`;
    await holder.query(`SELECT pg_advisory_lock(${key})`, [schema]);
    const runs = [migrator(schema), migrator(schema)];
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await holder.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid::int = hashtext('visage.migrate') AND objid::int = hashtext($1)`, [schema]);
      if (r.rows[0].n === 2) break;
      assert.ok(Date.now() < deadline, 'both children reach the lock');
      await new Promise((res) => setTimeout(res, 50));
    }
    await holder.query(`SELECT pg_advisory_unlock(${key})`, [schema]);
    await holder.end();
    const applied = (await Promise.all(runs)).sort((a, b) => b.length - a.length);
    assert.deepEqual(applied, [PG_MIGRATIONS.map((m) => m.version), []]);
    const pool = await poolOn(schema);
    const v = await pool.query('SELECT version FROM visage_schema ORDER BY version');
    assert.deepEqual(v.rows.map((r) => r.version), PG_MIGRATIONS.map((m) => m.version), 'each migration recorded once');
  });

  test('a database newer than this server is refused', async () => {
    const schema = freshSchema();
    const pool = await poolOn(schema);
    await pool.query("INSERT INTO visage_schema (version, name, applied_at) VALUES (999, 'future', 0)");
    await assert.rejects(poolOn(schema), /newer than this server/);
  });
});
