import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/config.loader.js';

const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.problems;
  }
};

test('DATABASE_URL unset: the embedded SQLite, buckets in memory', () => {
  const c = loadConfig({});
  assert.equal(c.databaseUrl, '');
  assert.equal(c.rateLimitStore, 'memory');
});

test('DATABASE_URL selects PostgreSQL and shares the buckets unless memory is asked for', () => {
  const url = 'postgres://visage:secret@db.internal:5432/visage';
  assert.equal(loadConfig({ DATABASE_URL: url }).databaseUrl, url);
  assert.equal(loadConfig({ DATABASE_URL: url }).rateLimitStore, 'postgres');
  assert.equal(loadConfig({ DATABASE_URL: url, VISAGE_RATE_LIMIT_STORE: 'memory' }).rateLimitStore, 'memory');
  assert.equal(loadConfig({ DATABASE_URL: 'postgresql://h/db?host=/run/postgresql' }).databaseUrl, 'postgresql://h/db?host=/run/postgresql');
});

test('DATABASE_URL puts every store in PostgreSQL unless VISAGE_GALLERIES_ON_POSTGRES=false keeps the gallery side per node', () => {
  const url = 'postgres://visage:secret@db.internal:5432/visage';
  assert.equal(loadConfig({}).galleriesOnPostgres, false, 'no database: SQLite');
  assert.equal(loadConfig({ DATABASE_URL: url }).galleriesOnPostgres, true);
  assert.equal(loadConfig({ DATABASE_URL: url, VISAGE_GALLERIES_ON_POSTGRES: 'false' }).galleriesOnPostgres, false);
  assert.equal(loadConfig({ DATABASE_URL: url, VISAGE_GALLERIES_ON_POSTGRES: 'true' }).galleriesOnPostgres, true);
  assert.match(problems({ VISAGE_GALLERIES_ON_POSTGRES: 'true' }).join(), /VISAGE_GALLERIES_ON_POSTGRES: needs DATABASE_URL/);
  assert.match(problems({ DATABASE_URL: url, VISAGE_GALLERIES_ON_POSTGRES: 'maybe' }).join(), /^VISAGE_GALLERIES_ON_POSTGRES="maybe"/);
});

test('a bad DATABASE_URL fails the start, naming the variable and never the password', () => {
  for (const [raw, why] of [
    ['not a url', /not a URL/],
    ['mysql://u:hunter22@h/db', /postgres:\/\//],
    ['postgres://u:hunter22@h', /no database name/],
  ] as const) {
    const p = problems({ DATABASE_URL: raw });
    assert.equal(p.length, 1, raw);
    assert.match(p[0]!, /^DATABASE_URL/);
    assert.match(p[0]!, why);
    assert.doesNotMatch(p[0]!, /hunter22/, 'the password is not echoed');
  }
  assert.match(problems({ VISAGE_RATE_LIMIT_STORE: 'postgres' }).join(), /needs DATABASE_URL/);
  assert.match(problems({ DATABASE_URL: 'postgres://h/db', VISAGE_RATE_LIMIT_STORE: 'sqlite' }).join(), /VISAGE_RATE_LIMIT_STORE=sqlite/);
});
