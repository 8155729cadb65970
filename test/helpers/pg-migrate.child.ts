/**
 * Child process for the migration race test: opens a pool on TEST_DATABASE_URL with schema
 * <schema> on its search_path, migrates, and prints the versions it applied as JSON.
 */
import pg from 'pg';
import { migratePg } from '../../src/adapters/store/postgres/pg-database.js';

const [schema] = process.argv.slice(2) as [string];
const pool = new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 1, options: `-c search_path=${schema}` });
const { applied } = await migratePg(() => pool.connect(), schema);
process.stdout.write(JSON.stringify(applied));
await pool.end();
