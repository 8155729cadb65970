/** Real photos from the shared eval set; tests that need them fail loudly when it is missing. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const EVAL_DIR = resolve(process.env.EVAL_DIR ?? '../shared/eval');

export function evalPhoto(relPath: string): Buffer {
  const p = join(EVAL_DIR, relPath);
  if (!existsSync(p)) throw new Error(`Eval photo ${p} is missing: set EVAL_DIR to the shared eval folder (see ${EVAL_DIR}/README.md)`);
  return readFileSync(p);
}

/** The first LFW photo, a real 250x250 JPEG with one face. */
export function someLfwPhoto(index = 0): Buffer {
  const labels = readFileSync(join(EVAL_DIR, 'lfw', 'LABELS'), 'utf8').trim().split('\n').slice(1);
  const line = labels[index];
  if (!line) throw new Error(`LFW LABELS in ${EVAL_DIR} has no row ${index}`);
  return evalPhoto(join('lfw', line.split(',')[0]!));
}

