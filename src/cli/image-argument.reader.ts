/**
 * What a `visage detect|verify` argument is, decided by its content: an http(s) URL, an existing
 * file, or (verify only) a string that decodes as a Visage template. Anything else is a usage
 * error that names the argument. A template is ~2,700 characters, longer than a file name may
 * be, so a stat must never throw it back as ENAMETOOLONG; and messages show only the start of
 * an argument, never a whole template.
 */
import { readFileSync, statSync, type Stats } from 'node:fs';
import type { ImageInput, VerifySide } from '../core/index.js';
import { isVisageError } from '../domain/error.registry.js';
import { decodeTemplate } from '../domain/template.codec.js';

/** A mistake in how the command was called (exit 2). */
export class UsageError extends Error {}

const isUrl = (arg: string) => /^https?:\/\//i.test(arg);

/** stat that treats every failure (missing, name too long, not a directory…) as "no such path". */
function statOf(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** The start of an argument, for messages: short names whole, long strings cut. */
export function shown(arg: string): string {
  return arg.length <= 60 ? arg : `${arg.slice(0, 24)}… (${arg.length} characters)`;
}

/** Why `arg` is not a template, or null when it is one. */
function templateProblem(arg: string): string | null {
  try {
    decodeTemplate(arg);
    return null;
  } catch (e) {
    if (isVisageError(e)) return e.message;
    throw e;
  }
}

function fileInput(arg: string, st: Stats | undefined, name: string): ImageInput {
  if (st?.isDirectory()) throw new UsageError(`argument ${name} (${shown(arg)}) is a folder, not an image file`);
  if (!st) throw new UsageError(`argument ${name} (${shown(arg)}): no such file`);
  return { bytes: readFileSync(arg) };
}

/** A detect argument: a URL or an image file. `name` says which argument, for messages. */
export function imageArgument(arg: string, name: string): ImageInput {
  if (isUrl(arg)) return { url: arg };
  const st = statOf(arg);
  if (!st && templateProblem(arg) === null) throw new UsageError(`argument ${name} (${shown(arg)}) is a template, not an image: detect needs image files or URLs`);
  return fileInput(arg, st, name);
}

/** A verify argument: a URL, an existing file, or else a template. */
export function verifyArgument(arg: string, name: 'a' | 'b'): VerifySide {
  if (isUrl(arg)) return { image: { url: arg }, param: name };
  const st = statOf(arg);
  if (st) return { image: fileInput(arg, st, name), param: name };
  // No such path. A path-like argument (a slash, an image extension) is a missing file;
  // anything else is meant as a template, and its decoding problem is the useful message.
  const problem = templateProblem(arg);
  if (problem === null) return { template: arg, param: name };
  if (/[/\\.]/.test(arg)) throw new UsageError(`argument ${name} (${shown(arg)}): no such file, and not a template`);
  throw new UsageError(`argument ${name} (${shown(arg)}) is neither an existing file, an http(s) URL nor a valid template: ${problem}`);
}
