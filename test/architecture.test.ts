// The dependency rules of docs/architecture.md ("The rules"), checked on every import in src/
// (static, dynamic and type-only). Each file belongs to one part; a part may import only the
// parts its rule lists. There are no exemptions by path: a file that needs more belongs elsewhere.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const SRC = resolve('src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : /\.(ts|mts|mjs)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/**
 * The part a file (path relative to src/) belongs to. Dialects are `compat:<vendor>`, so one
 * dialect's rule can name its own folder and no other; `core:entry` is the core's public entry.
 */
export function partOf(path: string): string {
  const [top, sub] = path.split('/');
  if (top === 'core' && path === 'core/index.ts') return 'core:entry';
  if (top === 'http') return `http/${sub}`;
  if (top === 'compat') return path === 'compat/dialects.ts' ? 'compat:list' : `compat:${sub}`;
  return top!;
}

/** Which parts each part may import. `main` holds every composition root and may import anything. */
export function allowed(from: string, to: string): boolean {
  if (from === to) return true;
  const surface = ['domain', 'core:entry', 'http/shared'];
  const rules: Record<string, string[]> = {
    domain: [],
    ports: ['domain'],
    'core:entry': ['domain', 'ports', 'core'],
    core: ['domain', 'ports', 'core:entry'],
    adapters: ['domain', 'ports'],
    config: ['domain'],
    'http/shared': ['domain', 'core:entry'],
    'http/v1': surface,
    'compat:list': [...surface],
    eval: ['domain', 'ports', 'core:entry'],
    // The CLI prints exactly what /v1 answers (its mappers) and starts work through main's roots.
    cli: ['domain', 'core:entry', 'config', 'eval', 'http/v1', 'main'],
  };
  if (from === 'main') return true;
  if (from.startsWith('compat:') && from !== 'compat:list') return surface.includes(to);
  if (from === 'compat:list') return surface.includes(to) || to.startsWith('compat:');
  return rules[from]?.includes(to) ?? false;
}

/** Relative imports of a file, as paths relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((s) => relative(SRC, resolve(dirname(file), s)).replace(/\.js$/, '.ts'));
}

/** Packages that tie a layer to a framework or a native engine. */
const HEAVY = /^(fastify|@fastify\/|sharp|onnxruntime|better-sqlite3|usearch|@sinclair\/typebox|pg)(\/|$)/;

function violations(): string[] {
  const out: string[] = [];
  for (const f of files(SRC)) {
    const from = partOf(relative(SRC, f));
    for (const target of importsOf(f)) {
      if (target.startsWith('..')) continue;
      const to = partOf(target);
      if (!allowed(from, to)) out.push(`${relative(SRC, f)} (${from}) → ${target} (${to})`);
    }
    if (['domain', 'ports', 'core', 'core:entry'].includes(from)) {
      const pkgs = [...readFileSync(f, 'utf8').matchAll(/from\s+['"]([^.'"][^'"]*)['"]/g)].map((m) => m[1]!);
      for (const p of pkgs) if (HEAVY.test(p)) out.push(`${relative(SRC, f)} (${from}) → package ${p}`);
    }
  }
  return out;
}

test('every import in src/ follows the rules of docs/architecture.md', () => {
  const v = violations();
  assert.deepEqual(v, [], `imports that break the rules:\n${v.join('\n')}`);
});

test('each rule refuses a deliberately wrong import', () => {
  const wrong: Array<[string, string]> = [
    ['domain/face.model.ts', 'ports/face-store.port.ts'], // domain imports nothing
    ['ports/face-store.port.ts', 'core/face.service.ts'], // ports import domain only
    ['core/face.service.ts', 'adapters/image/sharp-decoder.adapter.ts'], // core never names an adapter
    ['core/face.service.ts', 'http/shared/error.plugin.ts'],
    ['adapters/store/sqlite/sqlite-face.store.ts', 'core/gallery.service.ts'], // adapters never import core
    ['adapters/store/sqlite/sqlite-face.store.ts', 'core/index.ts'],
    ['http/v1/routes/detect.route.ts', 'core/face.service.ts'], // surfaces use the core's public entry only
    ['http/v1/routes/detect.route.ts', 'adapters/image/sharp-decoder.adapter.ts'], // only composition roots wire adapters
    ['http/v1/routes/detect.route.ts', 'ports/face-store.port.ts'],
    ['http/v1/routes/detect.route.ts', 'config/config.loader.ts'],
    ['http/shared/auth.plugin.ts', 'http/v1/native-auth.policy.ts'], // shared never imports a surface
    ['compat/acme/acme.plugin.ts', 'compat/other/other.plugin.ts'], // no dialect imports another
    ['compat/acme/acme.plugin.ts', 'http/v1/routes/detect.route.ts'], // nor the native API
    ['compat/acme/acme.plugin.ts', 'core/gallery.service.ts'],
    ['eval/lfw.eval.ts', 'adapters/onnx/rfb-detector.adapter.ts'], // the eval is handed its models
    ['cli/main.ts', 'adapters/store/sqlite/sqlite-face.store.ts'],
    ['config/config.loader.ts', 'core/index.ts'],
  ];
  for (const [file, target] of wrong) {
    assert.equal(allowed(partOf(file), partOf(target)), false, `${file} → ${target} should be refused`);
  }
  // and what the rules allow, so the check is not vacuous
  const right: Array<[string, string]> = [
    ['compat/acme/acme.plugin.ts', 'compat/acme/acme.mapper.ts'],
    ['compat/acme/acme.plugin.ts', 'http/shared/auth.plugin.ts'],
    ['compat/acme/acme.plugin.ts', 'core/index.ts'],
    ['compat/dialects.ts', 'compat/acme/acme.plugin.ts'],
    ['main/server.compose.ts', 'adapters/store/sqlite/sqlite-face.store.ts'],
    ['adapters/store/sqlite/sqlite-face.store.ts', 'ports/face-store.port.ts'],
  ];
  for (const [file, target] of right) assert.equal(allowed(partOf(file), partOf(target)), true, `${file} → ${target} should be allowed`);
});

test('core, domain and ports never name a vendor dialect', () => {
  const vendors = /findface|face\.?match|sightcorp|facecheck|facehub/i;
  const hits = ['core', 'domain', 'ports']
    .flatMap((d) => files(join(SRC, d)))
    .filter((f) => vendors.test(readFileSync(f, 'utf8')))
    .map((f) => relative(SRC, f));
  assert.deepEqual(hits, []);
});

test('test/ mirrors src/: every test file sits beside the part it tests', () => {
  const parts = new Set(readdirSync(SRC));
  const misplaced = files(resolve('test'))
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => relative(resolve('test'), f))
    .filter((f) => f.includes('/') && !parts.has(f.split('/')[0]!));
  assert.deepEqual(misplaced, []);
});
