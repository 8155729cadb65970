import { PgAccountStore } from '../../../../src/adapters/store/postgres/pg-account.store.js';
import { accountStoreContract } from '../../../ports/account-store.contract.js';
import { freshSchema, poolOn, withPostgres } from '../../../helpers/postgres.js';

withPostgres('account store', () => {
  // Each contract dir is a schema of its own; opening the dir again reaches the same schema.
  const schemas = new Map<string, string>();
  accountStoreContract('PostgreSQL', {
    async open(dir) {
      let schema = schemas.get(dir);
      if (!schema) schemas.set(dir, (schema = freshSchema()));
      const pool = await poolOn(schema);
      return new PgAccountStore(pool, () => pool.end());
    },
  });
});
