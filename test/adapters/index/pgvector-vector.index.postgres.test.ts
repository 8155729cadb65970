// The pgvector adapter against the real PostgreSQL of the tests (Debian's, which has no
// pgvector): its start is refused with the reason, and the pg client's transactions leave the
// pool usable after the failed CREATE EXTENSION.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PgvectorIndexProvider, PgvectorUnavailableError } from '../../../src/adapters/index/pgvector-vector.index.js';
import { checkPgvector, pgSqlClient, type PoolLike } from '../../../src/adapters/index/pgvector.schema.js';
import { freshSchema, poolOn, withPostgres } from '../../helpers/postgres.js';

withPostgres('pgvector adapter on a PostgreSQL without pgvector', () => {
  test('start() is refused with the reason; nothing is left behind and the pool still works', async () => {
    const pool = await poolOn(freshSchema(), 2);
    const db = pgSqlClient(pool as unknown as PoolLike);
    const available = (await pool.query(`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'vector'`)).rows[0].n;
    assert.equal(available, 0, 'this test needs a PostgreSQL without pgvector (Debian postgresql without postgresql-NN-pgvector)');
    const check = await checkPgvector(db);
    assert.equal(check.ok, false);
    assert.match(check.ok ? '' : check.reason, /CREATE EXTENSION vector failed: .*"vector"/);
    const provider = new PgvectorIndexProvider(db);
    await assert.rejects(provider.start(), (e: unknown) => e instanceof PgvectorUnavailableError && /extension/.test(e.reason));
    await assert.rejects(provider.open('g1', 4, 0), PgvectorUnavailableError, 'every call waits on the check');
    assert.equal((await pool.query(`SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'vector'`)).rows[0].n, 0);
    assert.equal((await pool.query(`SELECT to_regclass('visage_vector_indexes')::text AS r`)).rows[0].r, null, 'no table made');
    // Both connections of the pool went through a ROLLBACK and are reused.
    const [x, y] = await Promise.all([pool.query('SELECT 1 AS one'), pool.query('SELECT 2 AS two')]);
    assert.deepEqual([x.rows[0].one, y.rows[0].two], [1, 2]);
    assert.equal(await db.transaction(async (tx) => (await tx.query<{ n: number }>('SELECT 3 AS n')).rows[0]!.n), 3);
  });
});
