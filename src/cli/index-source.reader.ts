/**
 * What `visage index` enrols: every image under a folder (recursively, in path order), or the
 * records of a JSONL file (`{"path": "...", "id": "...", "meta": ...}`, paths relative to the
 * file). A bad record becomes an item that fails on its own, so one typo does not stop a run.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';

export interface IndexItem {
  /** Where the item came from, for messages: the path, or `file.jsonl:line`. */
  label: string;
  path: string;
  clientId: string;
  meta?: unknown;
  /** Set when the record itself is unusable. */
  error?: { code: string; message: string };
}

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.avif', '.tif', '.tiff', '.bmp']);

/** The file name without its extension: `photos/ann_01.jpg` → `ann_01`. */
export const idFromPath = (p: string) => basename(p, extname(p));

function walk(dir: string): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile() && IMAGE_EXT.has(extname(e.name).toLowerCase())) out.push(p);
  }
  return out;
}

function fromJsonl(file: string): IndexItem[] {
  const base = dirname(resolve(file));
  const items: IndexItem[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      const label = `${file}:${i + 1}`;
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch {
        items.push({ label, path: '', clientId: '', error: { code: 'BAD_RECORD', message: 'not a JSON object' } });
        return;
      }
      const r = rec as { path?: unknown; id?: unknown; meta?: unknown };
      if (typeof rec !== 'object' || rec === null || typeof r.path !== 'string' || r.path === '') {
        items.push({ label, path: '', clientId: '', error: { code: 'BAD_RECORD', message: 'a record needs a "path" string' } });
        return;
      }
      if (r.id !== undefined && typeof r.id !== 'string' && typeof r.id !== 'number') {
        items.push({ label, path: r.path, clientId: '', error: { code: 'BAD_RECORD', message: '"id" must be a string' } });
        return;
      }
      const path = resolve(base, r.path);
      items.push({ label, path, clientId: r.id === undefined ? idFromPath(path) : String(r.id), ...(r.meta !== undefined ? { meta: r.meta } : {}) });
    });
  return items;
}

/**
 * The items of a folder or a `.jsonl` file; null when `source` is neither. A client id seen
 * twice fails its later items: they would otherwise be skipped as "already enrolled".
 */
export function readIndexSource(source: string): IndexItem[] | null {
  const st = statSync(source, { throwIfNoEntry: false });
  if (!st) return null;
  let items: IndexItem[];
  if (st.isDirectory()) items = walk(source).map((p) => ({ label: p, path: p, clientId: idFromPath(p) }));
  else if (st.isFile() && /\.jsonl$/i.test(source)) items = fromJsonl(source);
  else return null;
  const seen = new Map<string, string>();
  for (const it of items) {
    if (it.error) continue;
    const first = seen.get(it.clientId);
    if (first !== undefined) it.error = { code: 'DUPLICATE_ID', message: `id ${it.clientId} is also given to ${first}` };
    else seen.set(it.clientId, it.label);
  }
  return items;
}
