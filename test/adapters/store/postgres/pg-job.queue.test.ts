import { PgJobQueue } from '../../../../src/adapters/store/postgres/pg-job.queue.js';
import { jobQueueContract } from '../../../ports/job-queue.contract.js';
import { freshSchema, poolOn, withPostgres } from '../../../helpers/postgres.js';

withPostgres('job queue', () => {
  jobQueueContract('PostgreSQL', {
    async world() {
      const schema = freshSchema();
      return {
        // Each instance has a pool of its own, as another node would.
        open: async (clock) => {
          const pool = await poolOn(schema);
          return new PgJobQueue(pool, { clock }, () => pool.end());
        },
        // The schema is dropped with the file's others.
        dispose: async () => undefined,
      };
    },
  });
});
