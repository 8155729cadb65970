// The reference docs list everything the code defines: every error code and every variable.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ENV_VARS } from '../src/config/config.schema.js';
import { ERRORS } from '../src/domain/error.registry.js';

test('docs/api.md lists every error code with its status', () => {
  const doc = readFileSync('docs/api.md', 'utf8');
  const missing = Object.entries(ERRORS).filter(([code, e]) => !doc.includes(`| \`${code}\` | ${e.status} |`));
  assert.deepEqual(missing.map(([c]) => c), []);
});

test('docs/configuration.md lists every environment variable', () => {
  const doc = readFileSync('docs/configuration.md', 'utf8');
  assert.deepEqual(Object.keys(ENV_VARS).filter((v) => !doc.includes(`\`${v}\``)), []);
});
