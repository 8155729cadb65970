import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPgPool } from '../../../../src/adapters/store/postgres/pg-database.js';
import { PgSearchSessionStore } from '../../../../src/adapters/store/postgres/pg-search-session.store.js';
import { searchSessionStoreContract } from '../../../ports/search-session-store.contract.js';
import { freshSchema, PG_URL, poolOn, withPostgres } from '../../../helpers/postgres.js';

withPostgres('search-session store', () => {
  // The contract's `dir` names a store: here one schema per dir, so a reopen sees the same data.
  const schemas = new Map<string, string>();
  searchSessionStoreContract('PostgreSQL', {
    open: (dir) => {
      let schema = schemas.get(dir);
      if (!schema) schemas.set(dir, (schema = freshSchema()));
      const pool = createPgPool(PG_URL, { schema, max: 4 });
      return { sessions: new PgSearchSessionStore(pool), close: () => pool.end() };
    },
  });

  test('PostgreSQL: delete and the expiry sweep remove the rows themselves (record and every photo, preview and result row)', async () => {
    const pool = await poolOn(freshSchema());
    const store = new PgSearchSessionStore(pool);
    const mk = (id: string, expires: number) => ({ id, account: 'acme', createdAt: new Date(0), expiresAt: new Date(expires), jobId: null, index: null, demo: false, photoIds: ['a', 'b'] });
    const rows = async (id: string) =>
      (await pool.query<{ n: number }>('SELECT (SELECT count(*) FROM search_sessions WHERE id = $1) + (SELECT count(*) FROM search_session_blobs WHERE session_id = $1) AS n', [id])).rows[0]!.n;
    for (const [id, exp] of [['deleted-by-client', 50_000], ['expired-one', 1000], ['still-kept', 50_000]] as const) {
      await store.create(mk(id, exp), [new Uint8Array(5000).fill(7), new Uint8Array([1])], [new Uint8Array([2]), new Uint8Array([3])]);
      await store.saveResult(id, { items: [] });
      assert.equal(await rows(id), 6, 'one record, two photos, two previews, one result');
    }
    assert.equal(await store.delete('deleted-by-client'), true);
    assert.equal(await rows('deleted-by-client'), 0);
    // What FaceSearchService.sweep does on every node.
    for (const id of await store.expired(new Date(2000))) await store.delete(id);
    assert.equal(await rows('expired-one'), 0);
    assert.equal(await rows('still-kept'), 6);
  });
});
