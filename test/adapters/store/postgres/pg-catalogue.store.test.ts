import { PgCatalogueStore } from '../../../../src/adapters/store/postgres/pg-catalogue.store.js';
import { createPgPool } from '../../../../src/adapters/store/postgres/pg-database.js';
import { catalogueStoreContract } from '../../../ports/catalogue-store.contract.js';
import { freshSchema, PG_URL, withPostgres } from '../../../helpers/postgres.js';

withPostgres('catalogue store', () => {
  // The contract's `dir` names a store: here one schema per dir, so a reopen sees the same data.
  const schemas = new Map<string, string>();
  catalogueStoreContract('PostgreSQL', {
    open: (dir) => {
      let schema = schemas.get(dir);
      if (!schema) schemas.set(dir, (schema = freshSchema()));
      const pool = createPgPool(PG_URL, { schema, max: 4 });
      return new PgCatalogueStore(pool, () => pool.end());
    },
  });
});
