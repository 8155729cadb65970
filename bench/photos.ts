/**
 * The benchmark's photo set: real photos from the shared eval folder (never copied into the repo),
 * a fixed, named list so every run and every engine sees the same pixels.
 *
 * Three sources, taken in turn (1st of each, 2nd of each, ...), each in its LABELS file order:
 *   - compreface_samples: group photos and portraits, 0 to 8 faces, 348 px to 7,360 px (18 photos)
 *   - facemask_boxes: street photos, about 400x300, many small and masked faces
 *   - lfw: deep-funneled 250x250 portraits, one centred face (first photo of each identity)
 * so `--photos 36` is 12 of each, and any N is a prefix of the same order.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface PhotoFile {
  source: 'compreface_samples' | 'facemask_boxes' | 'lfw';
  /** Path relative to the eval folder, e.g. `lfw/images/AJ_Cook/AJ_Cook_0001.jpg`. */
  name: string;
  path: string;
}

export function evalDir(): string {
  return resolve(process.env.EVAL_DIR ?? '../shared/eval');
}

function labelPaths(dir: string, source: string): string[] {
  const file = join(dir, source, 'LABELS');
  if (!existsSync(file)) {
    throw new Error(`Benchmark photos not found: ${file} is missing. Set EVAL_DIR to the shared eval folder (see its README.md).`);
  }
  const rows = readFileSync(file, 'utf8').trim().split('\n').slice(1);
  return [...new Set(rows.map((l) => l.split(',')[0]!))];
}

function firstPerIdentity(paths: string[]): string[] {
  const seen = new Set<string>();
  return paths.filter((p) => {
    const id = p.split('/').at(-2)!;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

export function selectPhotos(n: number, dir = evalDir()): PhotoFile[] {
  const lists = {
    compreface_samples: labelPaths(dir, 'compreface_samples'),
    facemask_boxes: labelPaths(dir, 'facemask_boxes'),
    lfw: firstPerIdentity(labelPaths(dir, 'lfw')),
  } as const;
  const sources = Object.keys(lists) as PhotoFile['source'][];
  const out: PhotoFile[] = [];
  for (let i = 0; out.length < n; i++) {
    let added = false;
    for (const source of sources) {
      const p = lists[source][i];
      if (p === undefined || out.length >= n) continue;
      out.push({ source, name: `${source}/${p}`, path: join(dir, source, p) });
      added = true;
    }
    if (!added) break; // every list exhausted
  }
  return out;
}
