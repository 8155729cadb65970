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
