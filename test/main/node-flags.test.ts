// The V8 flags Visage runs with (src/main/node-flags.ts) are on every command line that starts it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { NODE_FLAGS } from '../../src/main/node-flags.js';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };

test('npm start, eval and bench, and the visage bin, pass the V8 flags', () => {
  for (const script of ['start', 'eval', 'bench']) {
    for (const flag of NODE_FLAGS) assert.ok(pkg.scripts[script]!.includes(` ${flag} `), `npm run ${script} lacks ${flag}`);
  }
  const shebang = readFileSync('bin/visage.mjs', 'utf8').split('\n')[0]!;
  assert.equal(shebang, `#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`);
});

test('the bin run directly gets the flags from its first line', () => {
  const r = spawnSync('./bin/visage.mjs', ['--help'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(r.status, 0, r.stderr);
});
