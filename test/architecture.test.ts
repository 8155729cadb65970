// The dependency rule of the ports-and-adapters layout, checked on every import in src/:
// domain ← core ← {http, compat, cli}; adapters implement ports; only composition roots
// (files named *.compose.ts, in src/main/) wire adapters into the rest. Core never names a vendor.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const SRC = resolve('src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : /\.(ts|mts)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

function layerOf(file: string): string {
  return relative(SRC, file).split('/')[0]!;
}

/** Relative imports of a file, as absolute paths (static and dynamic). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((s) => resolve(dirname(file), s));
}

const ALLOWED: Record<string, string[]> = {
  domain: ['domain'],
  ports: ['domain', 'ports'],
  core: ['domain', 'ports', 'core'],
  adapters: ['domain', 'ports', 'core', 'adapters'],
  http: ['domain', 'ports', 'core', 'http', 'config'],
  compat: ['domain', 'ports', 'core', 'compat', 'http', 'config'],
  // The CLI starts the server through the composition roots in main/.
  cli: ['domain', 'ports', 'core', 'cli', 'config', 'main'],
  config: ['domain', 'config'],
};

test('every import points inward (composition roots excepted)', () => {
  const violations: string[] = [];
  for (const f of files(SRC)) {
    if (f.endsWith('.compose.ts')) continue;
    const layer = layerOf(f);
    const allowed = ALLOWED[layer];
    if (!allowed) continue;
    for (const target of importsOf(f)) {
      if (!target.startsWith(SRC)) continue;
      const to = layerOf(target);
      // The eval tool measures the adapters themselves: it may load them.
      if (layer === 'cli' && relative(SRC, f).startsWith('cli/eval/') && to === 'adapters') continue;
      // `visage detect --json` prints exactly what /v1/detect answers, through the same mapper.
      if (layer === 'cli' && relative(SRC, target).startsWith('http/mappers/')) continue;
      if (!allowed.includes(to)) violations.push(`${relative(SRC, f)} → ${relative(SRC, target)}`);
    }
  }
  assert.deepEqual(violations, [], `imports that break the layering:\n${violations.join('\n')}`);
});

test('core and domain never name a vendor dialect', () => {
  const vendors = /findface|face\.?match|sightcorp|facecheck|facehub/i;
  const hits = files(join(SRC, 'core'))
    .concat(files(join(SRC, 'domain')))
    .filter((f) => vendors.test(readFileSync(f, 'utf8')))
    .map((f) => relative(SRC, f));
  assert.deepEqual(hits, []);
});
