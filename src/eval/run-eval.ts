/**
 * `visage eval --data <dir> --out <file.json> [--only lfw,detection,age_gender,emotion,speed] [--limit n]`
 *
 * Runs each section of our self-measurement in its own process (as many at once as there are
 * cores: the sections are independent and single-threaded), then writes one JSON report.
 * The report's keys are a contract other tools rely on (docs/accuracy.md). A section whose data
 * sets are all absent is skipped here, without starting a process; one that has some of them
 * skips the rest itself (eval-data.ts). A run that computes nothing at all fails.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EVAL_SECTIONS, type EvalSection } from './eval-sections.js';
import { SECTION_SETS, missingSet, skip, type Skipped } from './eval-data.js';

export function defaultEvalDir(): string {
  return resolve(process.env.EVAL_DIR ?? '../shared/eval');
}

function runSection(script: string, section: EvalSection, dataDir: string, out: string, limit?: number): Promise<void> {
  return new Promise((ok, fail) => {
    const args = ['--import', 'tsx', script, section, dataDir, out];
    if (limit !== undefined) args.push(String(limit));
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`eval section ${section} failed (exit ${code})`))));
    child.on('error', fail);
  });
}

/** `sectionScript`: the composition root that runs one section with the real models. */
export async function runEval(argv: string[], sectionScript: string): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      out: { type: 'string' },
      only: { type: 'string' },
      limit: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(`usage: visage eval [--data DIR] [--out FILE.json] [--only ${EVAL_SECTIONS.join(',')}] [--limit N]`);
    return;
  }
  const dataDir = resolve(values.data ?? defaultEvalDir());
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : [...EVAL_SECTIONS];
  const unknown = only.filter((s) => !(EVAL_SECTIONS as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`unknown eval section(s): ${unknown.join(', ')}; known: ${EVAL_SECTIONS.join(', ')}`);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  const tmp = mkdtempSync(join(tmpdir(), 'visage-eval-'));
  const report: Record<string, unknown> = {};
  const started = Date.now();
  const log = (msg: string) => process.stderr.write(`[eval] ${msg}\n`);
  const absent = (s: EvalSection): Skipped | undefined => {
    const reasons = SECTION_SETS[s].map((set) => missingSet(dataDir, set));
    return reasons.every((r) => r !== undefined) ? skip(log, s, reasons.join('; ')) : undefined;
  };
  const runnable: EvalSection[] = [];
  for (const s of only as EvalSection[]) {
    const skipped = absent(s);
    if (skipped) report[s] = skipped;
    else runnable.push(s);
  }
  if (runnable.length === 0) throw new Error(`no eval data for ${only.join(', ')} in ${dataDir} (--data or EVAL_DIR: a folder laid out like ../shared/eval)`);
  try {
    const pending = [...runnable];
    const lanes = Array.from({ length: Math.min(availableParallelism(), pending.length) }, async () => {
      for (let s = pending.shift(); s; s = pending.shift()) {
        const file = join(tmp, `${s}.json`);
        await runSection(sectionScript, s, dataDir, file, limit);
        report[s] = JSON.parse(readFileSync(file, 'utf8'));
      }
    });
    await Promise.all(lanes);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const ordered: Record<string, unknown> = {};
  for (const s of EVAL_SECTIONS) if (s in report) ordered[s] = report[s];
  ordered.meta = { data: dataDir, limit: limit ?? null, seconds: Math.round((Date.now() - started) / 1000), node: process.version };
  const json = JSON.stringify(ordered, null, 2);
  if (values.out) writeFileSync(values.out, json + '\n');
  console.log(json);
}
