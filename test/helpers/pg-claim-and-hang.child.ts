/**
 * Child process for the failover test: a node on the PostgreSQL schema <schema> that claims up
 * to <n> jobs of kind 'bulk' with a short lease, prints each id, then hangs holding them (no
 * heartbeat) until it is killed.
 */
import pg from 'pg';
import { PgJobQueue } from '../../src/adapters/store/postgres/pg-job.queue.js';

const [schema, n] = process.argv.slice(2) as [string, string];
const pool = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 2, options: `-c search_path=${schema}` });
const q = new PgJobQueue(pool);
for (let i = 0; i < Number(n); i++) {
  const c = await q.claim(['bulk'], 'node-a:w', 1000);
  if (!c) break;
  process.stdout.write(`${c.job.id}\n`);
}
setInterval(() => undefined, 60_000);
