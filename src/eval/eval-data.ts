/**
 * Which data sets of a `../shared/eval`-like folder each eval section reads, and the one rule for
 * a set or a figure that cannot be computed: it is skipped with one `skipped <what>: <reason>`
 * line and its place in the report holds `{ skipped: reason }`, so a partial folder still gives
 * every figure its data allows instead of failing the whole run.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EvalSection } from './eval-sections.js';

/** A report entry that was not computed, and why. */
export interface Skipped {
  skipped: string;
}

/** The data sets (sub-folders of the eval folder) each section reads. */
export const SECTION_SETS: Record<EvalSection, readonly string[]> = {
  lfw: ['lfw'],
  detection: ['facemask_boxes', 'dlib_faces'],
  age_gender: ['utkface'],
  emotion: ['fer2013'],
  speed: ['facemask_boxes'],
};

/** Files a set needs besides its images (LABELS for all). */
const SET_FILES: Record<string, readonly string[]> = { lfw: ['LABELS', 'pairs.csv'] };

/** Why `set` cannot be read from `dataDir` (its folder or a labels file is absent), or undefined. */
export function missingSet(dataDir: string, set: string): string | undefined {
  if (!existsSync(join(dataDir, set))) return `${set} not found in ${dataDir}`;
  for (const f of SET_FILES[set] ?? ['LABELS']) if (!existsSync(join(dataDir, set, f))) return `${set}/${f} not found in ${dataDir}`;
  return undefined;
}

/** Logs the one line for a skipped section, part or figure (`what`: `detection/dlib_faces`) and returns its report entry. */
export function skip(log: (msg: string) => void, what: string, reason: string): Skipped {
  log(`skipped ${what}: ${reason}`);
  return { skipped: reason };
}

export function isSkipped(x: unknown): x is Skipped {
  return typeof x === 'object' && x !== null && typeof (x as Skipped).skipped === 'string';
}
