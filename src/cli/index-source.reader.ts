/**
 * What `visage index` enrols: every image under a folder (recursively, in path order, through
 * symbolic links to files and folders), or the records of a JSONL file (`{"path": "...", "id":
 * "...", "meta": ..., "url": "...", "group": 7}`, paths relative to the file; url and group only
 * matter for a search index). A bad record becomes an item that fails on
 * its own, so one typo does not stop a run.
 */
import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';

export interface IndexItem {
  /** Where the item came from, for messages: the path, or `file.jsonl:line`. */
  label: string;
  path: string;
  clientId: string;
  meta?: unknown;
  /** For a search index (`--index`): the JSONL record's "url" and "group" (else from the file name). */
  url?: string;
  group?: number;
  /** Set when the record itself is unusable. */
  error?: { code: string; message: string };
}

/** The file names enrolled from a folder. */
export const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.avif', '.tif', '.tiff', '.bmp']);

/** The file name without its extension: `photos/ann_01.jpg` → `ann_01`. */
export const idFromPath = (p: string) => basename(p, extname(p));

/** What a link points at; undefined when nothing (missing, or a link loop: ELOOP). */
function statTarget(p: string) {
  try {
    return statSync(p, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

const isImageName = (name: string) => IMAGE_EXT.has(extname(name).toLowerCase());

/**
 * Images under `dir`; ids and labels use the link's path, not its target's. `seen` holds the
 * real path of every folder walked, so a link back up the tree (or a second link to a folder
 * already walked) is not followed again: each folder is read once and a loop ends.
 */
function walk(dir: string, seen: Set<string>): IndexItem[] {
  const real = realpathSync(dir);
  if (seen.has(real)) return [];
  seen.add(real);
  const out: IndexItem[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (e.isSymbolicLink()) {
      const target = statTarget(p);
      if (!target) {
        // A dangling link with a photo's name was meant to be enrolled: say so rather than skip it.
        if (isImageName(e.name)) out.push({ label: p, path: p, clientId: idFromPath(p), error: { code: 'UNREADABLE', message: `${p} is a symbolic link that points at nothing` } });
        continue;
      }
      isDir = target.isDirectory();
      isFile = target.isFile();
    }
    if (isDir) out.push(...walk(p, seen));
    else if (isFile && isImageName(e.name)) out.push({ label: p, path: p, clientId: idFromPath(p) });
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
      const r = rec as { path?: unknown; id?: unknown; meta?: unknown; url?: unknown; group?: unknown };
      if (typeof rec !== 'object' || rec === null || typeof r.path !== 'string' || r.path === '') {
        items.push({ label, path: '', clientId: '', error: { code: 'BAD_RECORD', message: 'a record needs a "path" string' } });
        return;
      }
      if (r.id !== undefined && typeof r.id !== 'string' && typeof r.id !== 'number') {
        items.push({ label, path: r.path, clientId: '', error: { code: 'BAD_RECORD', message: '"id" must be a string' } });
        return;
      }
      if ((r.url !== undefined && (typeof r.url !== 'string' || r.url === '')) || (r.group !== undefined && !(Number.isInteger(r.group) && (r.group as number) >= 0 && (r.group as number) < 2 ** 31))) {
        items.push({ label, path: String(r.path), clientId: '', error: { code: 'BAD_RECORD', message: '"url" must be a string and "group" an integer 0 to 2^31-1' } });
        return;
      }
      const path = resolve(base, r.path);
      items.push({
        label,
        path,
        clientId: r.id === undefined ? idFromPath(path) : String(r.id),
        ...(r.meta !== undefined ? { meta: r.meta } : {}),
        ...(r.url !== undefined ? { url: r.url as string } : {}),
        ...(r.group !== undefined ? { group: r.group as number } : {}),
      });
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
  if (st.isDirectory()) items = walk(source, new Set());
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
