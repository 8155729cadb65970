/**
 * Pieces the search benchmarks share: the LFW label file (read from the shared eval folder,
 * never copied into the repo), percentiles, and a result writer.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const evalDir = () => resolve(process.env.EVAL_DIR ?? '../shared/eval');

export interface LfwIdentity {
  name: string;
  /** Absolute paths, in file order. */
  photos: string[];
}

/** LFW identities in LABELS order (alphabetical), each with its photos. */
export function lfwIdentities(): LfwIdentity[] {
  const dir = join(evalDir(), 'lfw');
  const file = join(dir, 'LABELS');
  if (!existsSync(file)) throw new Error(`LFW not found: ${file} is missing. Set EVAL_DIR to the shared eval folder.`);
  const by = new Map<string, string[]>();
  for (const line of readFileSync(file, 'utf8').trim().split('\n').slice(1)) {
    const [path, name] = line.split(',');
    if (!path || !name) continue;
    const list = by.get(name) ?? [];
    list.push(join(dir, path));
    by.set(name, list);
  }
  return [...by].map(([name, photos]) => ({ name, photos: photos.sort() }));
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function latency(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return { queries: s.length, p50: round(percentile(s, 50), 2), p99: round(percentile(s, 99), 2), max: round(s.at(-1) ?? NaN, 2) };
}

export const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

export function machine() {
  return { date: new Date().toISOString(), cpu: cpus()[0]?.model ?? '?', cores: availableParallelism(), node: process.version, loadAverageAtStart: loadavg().map((x) => round(x, 2)) };
}

export function writeResult(path: string, result: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
}

export const log = (s: string) => void process.stderr.write(`${s}\n`);
