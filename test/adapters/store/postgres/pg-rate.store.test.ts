import { PgRateStore } from '../../../../src/adapters/store/postgres/pg-rate.store.js';
import { rateStoreContract } from '../../../ports/rate-store.contract.js';
import { freshSchema, poolOn, withPostgres } from '../../../helpers/postgres.js';

withPostgres('rate store', () => {
  let last = '';
  const open = async (schema: string) => {
    const pool = await poolOn(schema);
    return new PgRateStore(pool, () => pool.end());
  };
  rateStoreContract('PostgreSQL', {
    open: () => open((last = freshSchema())),
    // Another node's pool on the same database.
    reopen: () => open(last),
  });
});
