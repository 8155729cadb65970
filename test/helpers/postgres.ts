/**
 * The PostgreSQL the store tests run against: TEST_DATABASE_URL (scripts/test-postgres.sh
 * starts a local cluster and prints it; .ci/run does that). Each test world gets a schema of
 * its own, dropped when the file's tests end, so test files run in parallel on one database.
 *
 * Without TEST_DATABASE_URL a developer's run skips these tests with the reason; under CI
 * (CI=true) the same absence fails, so a CI without PostgreSQL cannot pass by skipping.
 */
import { after, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPgPool } from '../../src/adapters/store/postgres/pg-database.js';

export const PG_URL = process.env.TEST_DATABASE_URL ?? '';

const NEEDS = 'needs PostgreSQL: run `eval "$(scripts/test-postgres.sh start)"` first (apt-get install -y postgresql), or set TEST_DATABASE_URL';

/**
 * Registers the file's PostgreSQL tests through `body` when a database is configured; else one
 * test that skips (a developer's machine) or fails (CI=true) and says what is needed.
 */
export function withPostgres(name: string, body: (url: string) => void): void {
  if (PG_URL) {
    // At the file's top level: an after() registered inside a test or hook would run when that
    // one ends, dropping schemas still in use.
    registerCleanup();
    return body(PG_URL);
  }
  if (process.env.CI === 'true' || process.env.CI === '1') {
    test(`${name}: PostgreSQL`, () => {
      throw new Error(`TEST_DATABASE_URL is not set in CI: ${NEEDS}`);
    });
  } else {
    test(`${name}: PostgreSQL`, { skip: NEEDS }, () => undefined);
  }
}

const made: string[] = [];
const pools: pg.Pool[] = [];
let cleanupRegistered = false;

function registerCleanup(): void {
  if (cleanupRegistered) return;
  cleanupRegistered = true;
  after(async () => {
    for (const p of pools) await p.end().catch(() => undefined);
    if (made.length === 0) return;
    const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
    for (const s of made) await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await admin.end();
  });
}

/** A new schema name, dropped after the file's tests. */
export function freshSchema(): string {
  const s = `t_${randomBytes(6).toString('hex')}`;
  made.push(s);
  return s;
}

/** A pool on `schema` (migrated), ended after the file's tests unless the caller ends it first. */
export async function poolOn(schema: string, max = 10): Promise<pg.Pool> {
  const pool = await openPgPool(PG_URL, { schema, max });
  pools.push(pool);
  return pool;
}
