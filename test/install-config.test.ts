// The install settings: npm commands run without config warnings, and onnxruntime-node's
// install script (a CUDA download from outside the npm registry) is denied while the native
// packages that need theirs keep them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

test('npm prints no config warning in the project', () => {
  const r = spawnSync('npm', ['--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.doesNotMatch(r.stderr, /Unknown (project|user|env) config/);
});

test('allowScripts denies onnxruntime-node and allows the packages that build or fetch their binaries', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { allowScripts?: Record<string, boolean> };
  assert.equal(pkg.allowScripts?.['onnxruntime-node'], false);
  for (const name of ['better-sqlite3', 'sharp', 'usearch']) assert.equal(pkg.allowScripts?.[name], true, name);
  assert.match(readFileSync('.ci/run', 'utf8'), /export ONNXRUNTIME_NODE_INSTALL=skip/);
});
