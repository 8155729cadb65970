import { createPgPool } from '../../../../src/adapters/store/postgres/pg-database.js';
import { PgFaceStore } from '../../../../src/adapters/store/postgres/pg-face.store.js';
import { PgSearchIndexStore } from '../../../../src/adapters/store/postgres/pg-search-index.store.js';
import { searchIndexStoreContract } from '../../../ports/search-index-store.contract.js';
import { freshSchema, PG_URL, withPostgres } from '../../../helpers/postgres.js';

withPostgres('search-index store', () => {
  // The contract's `dir` names a store: here one schema per dir, so a reopen sees the same data.
  const schemas = new Map<string, string>();
  searchIndexStoreContract('PostgreSQL', {
    open: (dir) => {
      let schema = schemas.get(dir);
      if (!schema) schemas.set(dir, (schema = freshSchema()));
      const pool = createPgPool(PG_URL, { schema, max: 4 });
      const faces = new PgFaceStore(pool);
      return {
        index: new PgSearchIndexStore(pool),
        faces,
        close: async () => {
          await faces.close();
          await pool.end();
        },
      };
    },
  });
});
