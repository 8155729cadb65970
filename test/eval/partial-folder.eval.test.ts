/**
 * `visage eval` on folders laid out like ../shared/eval but holding only some of its sets, built
 * in a temp dir from symlinks to real photos: absent sets are skipped with one line each, the
 * report says so, and every figure the data allows is still computed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EVAL_DIR } from '../helpers/eval-photos.js';

for (const set of ['lfw', 'facemask_boxes', 'utkface', 'fer2013'])
  if (!existsSync(join(EVAL_DIR, set, 'LABELS'))) throw new Error(`${join(EVAL_DIR, set, 'LABELS')} is missing: set EVAL_DIR to the shared eval folder`);

const root = mkdtempSync(join(tmpdir(), 'visage-eval-partial-'));
after(() => rmSync(root, { recursive: true, force: true }));

/**
 * `visage eval ARGS` as src/cli/main.ts runs it (runEval with the section composition root), in
 * its own process, without the rest of the CLI's imports.
 */
const EVAL_MAIN = `const { runEval } = await import(${JSON.stringify(fileURLToPath(new URL('../../src/eval/run-eval.ts', import.meta.url)))});
const { EVAL_SECTION_SCRIPT } = await import(${JSON.stringify(fileURLToPath(new URL('../../src/main/eval.compose.ts', import.meta.url)))});
await runEval(process.argv.slice(1), EVAL_SECTION_SCRIPT);`;

function runEval(args: string[]): Promise<{ code: number | null; stderr: string; report: any }> {
  const out = join(root, `report-${Math.random().toString(36).slice(2)}.json`);
  return new Promise((ok, fail) => {
    const argv = ['--single-threaded-gc', '--import', 'tsx', '--input-type=module', '-e', EVAL_MAIN, '--', ...args, '--out', out];
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', fail);
    child.on('exit', (code) => ok({ code, stderr, report: existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : undefined }));
  });
}

/** lfw/ alone: 8 identities × 3 real photos, every pair of them (276) over two folds. */
function lfwOnlyFolder(): string {
  const dir = join(root, 'lfw-only');
  const rows = readFileSync(join(EVAL_DIR, 'lfw', 'LABELS'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
  const byId = new Map<string, string[]>();
  for (const [path, id] of rows) byId.set(id!, [...(byId.get(id!) ?? []), path!]);
  const picked = [...byId].filter(([, ps]) => ps.length >= 3).slice(0, 8).flatMap(([id, ps]) => ps.slice(0, 3).map((p) => ({ id, p })));
  for (const { p } of picked) {
    mkdirSync(dirname(join(dir, 'lfw', p)), { recursive: true });
    symlinkSync(join(EVAL_DIR, 'lfw', p), join(dir, 'lfw', p));
  }
  writeFileSync(join(dir, 'lfw', 'LABELS'), ['path,identity', ...picked.map(({ id, p }) => `${p},${id}`)].join('\n') + '\n');
  const pairs = ['fold,path_a,path_b,same'];
  for (let i = 0; i < picked.length; i++)
    for (let j = i + 1; j < picked.length; j++) pairs.push(`${(pairs.length % 2) + 1},${picked[i]!.p},${picked[j]!.p},${picked[i]!.id === picked[j]!.id ? 1 : 0}`);
  writeFileSync(join(dir, 'lfw', 'pairs.csv'), pairs.join('\n') + '\n');
  return dir;
}

/** Every set the eval reads except dlib_faces/ and lfw/ (symlinked whole; --limit keeps it quick). */
function noDlibFolder(): string {
  const dir = join(root, 'no-dlib');
  mkdirSync(dir);
  for (const set of ['facemask_boxes', 'utkface', 'fer2013']) symlinkSync(join(EVAL_DIR, set), join(dir, set));
  return dir;
}

test('a folder with only lfw/ and 276 pairs gives accuracy, AUC and rank-1, and skips what needs many impostors', async () => {
  const dir = lfwOnlyFolder();
  const { code, stderr, report } = await runEval(['--data', dir]);
  assert.equal(code, 0, stderr);
  for (const s of ['detection', 'age_gender', 'emotion', 'speed']) assert.ok(typeof report[s].skipped === 'string', `${s} says why it was skipped`);
  assert.match(stderr, new RegExp(`\\[eval\\] skipped detection: facemask_boxes not found in ${dir}; dlib_faces not found in ${dir}`));
  assert.match(stderr, new RegExp(`\\[eval\\] skipped age_gender: utkface not found in ${dir}`));
  assert.match(stderr, new RegExp(`\\[eval\\] skipped emotion: fer2013 not found in ${dir}`));
  assert.match(stderr, /\[eval\] skipped lfw\/calibration: needs ≥ 1\/FAR impostor scores/);
  const lfw = report.lfw;
  assert.equal(lfw.pairs, 276);
  assert.equal(lfw.identities, 8);
  assert.equal(lfw.probes, 16);
  for (const k of ['accuracy', 'auc', 'rank1']) {
    assert.equal(typeof lfw[k], 'number', k);
    assert.ok(lfw[k] > 0.9 && lfw[k] <= 1, `${k} ${lfw[k]}`);
  }
  for (const k of ['tar_at_far_1e-3', 'calibration', 'open_set', 'false_match_rate_medium']) assert.equal(typeof lfw[k].skipped, 'string', k);
});

test('a folder missing dlib_faces/ (and lfw/) still measures the street photos, ages and emotions', async () => {
  const dir = noDlibFolder();
  const { code, stderr, report } = await runEval(['--data', dir, '--limit', '3']);
  assert.equal(code, 0, stderr);
  assert.ok(stderr.includes(`[eval] skipped detection/dlib_faces: dlib_faces not found in ${dir}\n`), stderr);
  assert.ok(stderr.includes(`[eval] skipped lfw: lfw not found in ${dir}\n`), stderr);
  assert.equal(report.lfw.skipped, `lfw not found in ${dir}`);
  assert.equal(report.detection.dlib_faces.skipped, `dlib_faces not found in ${dir}`);
  const fm = report.detection.facemask_boxes;
  assert.equal(fm.images, 3);
  for (const k of ['recall', 'precision', 'recall_ge32']) assert.ok(Number.isFinite(fm[k]), `${k} ${fm[k]}`);
  assert.ok(Number.isFinite(report.age_gender.utkface.age_mae));
  assert.ok(Number.isFinite(report.emotion.fer2013.accuracy));
  assert.ok(Number.isFinite(report.speed.detect_ms_p50));
});

test('a folder holding none of the sets fails, saying where it looked', async () => {
  const dir = join(root, 'empty');
  mkdirSync(dir);
  const { code, stderr } = await runEval(['--data', dir, '--only', 'lfw,emotion']);
  assert.notEqual(code, 0);
  assert.match(stderr, new RegExp(`no eval data for lfw, emotion in ${dir}`));
});
