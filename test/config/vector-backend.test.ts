import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/config.loader.js';

const URL = 'postgres://visage:secret@db.internal:5432/visage';
const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

test('VISAGE_VECTOR_BACKEND: usearch by default; pgvector with DATABASE_URL and shared galleries', () => {
  assert.equal(loadConfig({}).vectorBackend, 'usearch');
  assert.equal(loadConfig({ DATABASE_URL: URL }).vectorBackend, 'usearch');
  const c = loadConfig({ DATABASE_URL: URL, VISAGE_VECTOR_BACKEND: 'pgvector', VISAGE_INDEX_QUANTIZATION: 'f16' });
  assert.equal(c.vectorBackend, 'pgvector');
  assert.equal(c.indexQuantization, 'f16');
});

test('VISAGE_VECTOR_BACKEND: a bad value or a pgvector it cannot have is refused, naming the variable', () => {
  assert.match(problems({ VISAGE_VECTOR_BACKEND: 'qdrant' }).join('\n'), /^VISAGE_VECTOR_BACKEND="qdrant"/);
  assert.deepEqual(problems({ VISAGE_VECTOR_BACKEND: 'pgvector' }), ['VISAGE_VECTOR_BACKEND=pgvector: needs DATABASE_URL (a PostgreSQL with the pgvector extension)']);
  assert.deepEqual(problems({ VISAGE_VECTOR_BACKEND: 'pgvector', DATABASE_URL: URL, VISAGE_GALLERIES_ON_POSTGRES: 'false' }), [
    'VISAGE_VECTOR_BACKEND=pgvector: needs the galleries in PostgreSQL (not VISAGE_GALLERIES_ON_POSTGRES=false)',
  ]);
  assert.deepEqual(problems({ VISAGE_VECTOR_BACKEND: 'pgvector', DATABASE_URL: URL, VISAGE_INDEX_QUANTIZATION: 'i8' }), ['VISAGE_INDEX_QUANTIZATION=i8: pgvector stores f32 (vector) or f16 (halfvec)']);
});
