#!/usr/bin/env node
// Builds the C++ pixel kernels (native/, src/adapters/image/native-kernels.ts) with node-gyp and
// the machine's C++ compiler. Runs as the package's `install` script, so `npm ci` builds them;
// there a failed build only warns (the server then runs the same loops in JS: same results, ~30 % fewer photos/s).
// `npm run build:native` (--strict) fails instead, for machines that must have them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const strict = process.argv.includes('--strict');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// npm hands its own node-gyp to lifecycle scripts; outside npm, look beside this Node's npm.
const nodeGyp = [process.env.npm_config_node_gyp, join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js')]
  .find((p) => p && existsSync(p));
let ok = false;
if (nodeGyp) {
  const r = spawnSync(process.execPath, [nodeGyp, 'rebuild', '--directory', join(root, 'native')], { stdio: 'inherit' });
  ok = r.status === 0;
}
if (!ok) {
  const why = nodeGyp ? 'node-gyp failed (a C++ compiler, make and python3 are needed)' : 'node-gyp not found';
  console.warn(`visage: native pixel kernels not built: ${why}. The server runs the same loops in JS: same results, about 30 % fewer photos per second.`);
  if (strict) process.exit(1);
}
