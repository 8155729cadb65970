/**
 * `visage index <folder | list.jsonl> --gallery NAME [--all-faces] [--data-dir DIR]`: enrols a
 * folder of photos into a gallery, in this process, against the server's data dir. Resumable:
 * a photo whose client id is already in the gallery is skipped, and every batch is committed
 * on its own, so running the same command again after Ctrl-C continues where it stopped. The
 * server keeps its own copy of each index: run this while the server is stopped (or restart it
 * afterwards) for the server to see the new faces. It writes to an existing database only
 * (--create-database makes a new one), so a wrong folder or --data-dir is not silently a new,
 * empty gallery.
 *
 * With `--index NAME` instead of `--gallery`, the photos go into a search index (created when
 * missing): every face of each photo, with its source URL and group from the JSONL record
 * ("url", "group") or, for a folder, `file:<path>` and a group derived from it. Resumable by
 * source URL: a URL already indexed is skipped; faces on the opt-out list are left out.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.loader.js';
import type { BulkItem, BulkItemResult, GalleryService } from '../core/index.js';
import { isVisageError } from '../domain/error.registry.js';
import { MAX_BULK_ITEMS } from '../domain/gallery.rules.js';
import { buildLocalStack, type AnalyzerLoader, type LocalStack } from '../main/services.compose.js';
import { buildFaceSearch } from '../main/face-search.compose.js';
import type { SearchIndexService } from '../core/index.js';
import { dataDirOrigin, useDatabase } from './database.guard.js';
import { IMAGE_EXT, readIndexSource, type IndexItem } from './index-source.reader.js';
import { ProgressReporter } from './progress.reporter.js';

export interface IndexDeps {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  loadAnalyzer?: AnalyzerLoader;
  env?: NodeJS.ProcessEnv;
  /** Whether stderr is a terminal (an updating progress line). */
  tty?: boolean;
  /** Ctrl-C handling; tests leave it off. */
  signals?: boolean;
}

export interface IndexSummary {
  total: number;
  enrolled: number;
  faces: number;
  skipped: number;
  noFace: number;
  failed: Map<string, { count: number; example: string }>;
  interrupted: boolean;
  /** Search index only: faces left out because they match the opt-out list. */
  optedOut?: number;
}

const BATCH = 8; // photos per transaction: few commits, yet a fine-grained progress line
const MAX_FAILURE_LINES = 20;

export const INDEX_USAGE = `visage index <folder | list.jsonl> (--gallery <name> | --index <name>) [options]
      --index <name>       into a search index instead: every face, source URL and group from the
                           JSONL record ("url", "group") or the file name; resumable by URL
      --all-faces          enrol every face of each photo (ids <id>#1, <id>#2… largest first)
      --data-dir <dir>     the server's data dir (default VISAGE_DATA_DIR or ./data)
      --create-database    make a new database when the data dir has none (else: an error)
      --concurrency <n>    photos analysed at once (default VISAGE_WORKERS: one per core)
      --account <name>     the account that owns the gallery (that of your API key; default: default)
`;

/** Every client id of the gallery, to skip what is already there. */
async function existingIds(galleries: GalleryService, gallery: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: number | undefined;
  do {
    const page = await galleries.listFaces(gallery, { limit: MAX_BULK_ITEMS, ...(cursor !== undefined ? { cursor } : {}) });
    for (const f of page.faces) if (f.clientId !== null) ids.add(f.clientId);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return ids;
}

type Outcome = { kind: 'enrolled'; faces: number; optedOut?: number } | { kind: 'skipped' } | { kind: 'noFace' } | { kind: 'failed'; code: string; message: string };

function outcomeOf(results: BulkItemResult[]): Outcome {
  const bad = results.find((r) => !r.ok);
  if (!bad || bad.ok) return { kind: 'enrolled', faces: results.length };
  if (bad.code === 'DUPLICATE_ID') return { kind: 'skipped' };
  if (bad.code === 'NO_FACE') return { kind: 'noFace' };
  return { kind: 'failed', code: bad.code, message: bad.message };
}

const failure = (e: unknown): Outcome =>
  isVisageError(e)
    ? e.code === 'NO_FACE'
      ? { kind: 'noFace' }
      : { kind: 'failed', code: e.code, message: e.message }
    : { kind: 'failed', code: (e as { code?: string }).code ?? 'ERROR', message: (e as Error).message ?? String(e) };

function readPhoto(it: IndexItem): Buffer {
  try {
    return readFileSync(it.path);
  } catch {
    throw Object.assign(new Error(`cannot read ${it.path}`), { code: 'UNREADABLE' });
  }
}

/** One batch of largest-face photos: one bulk call, one transaction. */
async function enrolLargest(stack: LocalStack, gallery: string, batch: IndexItem[]): Promise<Outcome[]> {
  const outcomes = new Array<Outcome>(batch.length);
  const items: BulkItem[] = [];
  const at: number[] = [];
  batch.forEach((it, i) => {
    try {
      // Read here, not in the bulk call: it reports any non-Visage error as INTERNAL.
      items.push({ image: { bytes: readPhoto(it) }, clientId: it.clientId, meta: it.meta });
      at.push(i);
    } catch (e) {
      outcomes[i] = failure(e);
    }
  });
  if (items.length > 0) {
    const results = await stack.galleries.enrolBulk(gallery, items);
    results.forEach((r, j) => (outcomes[at[j]!] = r.ok ? { kind: 'enrolled', faces: 1 } : outcomeOf([r])));
  }
  return outcomes;
}

/** Every face of one photo, as templates, so each can carry its own id (`<id>#<n>`). */
async function enrolAll(stack: LocalStack, gallery: string, it: IndexItem): Promise<Outcome> {
  const r = await stack.faces.templates({ bytes: readPhoto(it) }, { attributes: [], landmarks68: false });
  const area = (i: number) => (r.faces[i]!.box.x2 - r.faces[i]!.box.x1) * (r.faces[i]!.box.y2 - r.faces[i]!.box.y1);
  const order = r.templates.map((_, i) => i).sort((a, b) => area(b) - area(a));
  const items = order.map((i, n) => ({ template: r.templates[i]!, clientId: `${it.clientId}#${n + 1}`, meta: it.meta }));
  return outcomeOf(await stack.galleries.enrolBulk(gallery, items));
}

/** One photo into a search index: every face, largest first; an indexed URL is skipped. */
async function indexOne(indexes: SearchIndexService, name: string, it: IndexItem): Promise<Outcome> {
  const r = await indexes.addPhoto(name, { bytes: readPhoto(it), url: it.url ?? `file:${it.label}`, ...(it.group !== undefined ? { group: it.group } : {}) });
  if (r.already) return { kind: 'skipped' };
  return { kind: 'enrolled', faces: r.faces, optedOut: r.optedOut };
}

export async function runIndex(argv: string[], deps: IndexDeps): Promise<number> {
  let values, positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        gallery: { type: 'string', short: 'g' },
        index: { type: 'string' },
        'all-faces': { type: 'boolean' },
        'data-dir': { type: 'string' },
        concurrency: { type: 'string' },
        account: { type: 'string' },
        'create-database': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    return usage(deps, (e as Error).message);
  }
  if (values.help) {
    deps.stdout(`Usage: ${INDEX_USAGE}`);
    return 0;
  }
  if (positionals.length !== 1) return usage(deps, 'index needs one folder or .jsonl file');
  if (!values.gallery === !values.index) return usage(deps, 'index needs --gallery <name> or --index <name> (one of them)');
  const items = readIndexSource(positionals[0]!);
  if (!items) return usage(deps, `${positionals[0]}: neither a folder nor a .jsonl file`);
  const env = deps.env ?? process.env;
  const base = loadConfig(env);
  const concurrency = values.concurrency === undefined ? base.workers : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) return usage(deps, '--concurrency must be a positive integer');
  const config = { ...base, dataDir: values['data-dir'] ?? base.dataDir, workers: concurrency };
  if (items.length === 0) {
    deps.stderr(`visage index: no photos in ${positionals[0]} (no ${[...IMAGE_EXT].join(' ')} file in it or under it)\n`);
    return 1;
  }
  useDatabase(config, { state: 'galleries', create: values['create-database'] ?? false, origin: dataDirOrigin(values['data-dir'], env), createHint: 'add --create-database', stderr: deps.stderr });

  const searchIndex = values.index;
  const gallery = (values.gallery ?? values.index)!;
  const allFaces = values['all-faces'] ?? false;
  const local = await buildLocalStack(config, deps.loadAnalyzer);
  // With API keys, galleries belong to the key's account; without, to the default one.
  const stack = { ...local, galleries: values.account ? local.galleries.scoped(values.account) : local.galleries };
  const search = searchIndex ? buildFaceSearch(config, { faces: local.faces, galleries: local.galleries }) : null;
  const indexes = search ? (values.account ? search.indexes.scoped(values.account) : search.indexes) : null;
  const summary: IndexSummary = { total: items.length, enrolled: 0, faces: 0, skipped: 0, noFace: 0, failed: new Map(), interrupted: false };
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(130); // a second Ctrl-C: what was committed stays committed
    stopping = true;
    progress.message('stopping after the photos in flight (Ctrl-C again to quit now)');
  };
  const progress = new ProgressReporter({ total: items.length, write: deps.stderr, tty: deps.tty ?? false });
  try {
    if (indexes) {
      const before = (await indexes.list()).some((g) => g.name === gallery);
      await indexes.ensure(gallery);
      if (!before) deps.stderr(`created search index ${gallery}\n`);
    } else try {
      await stack.galleries.getGallery(gallery);
    } catch (e) {
      if (!isVisageError(e) || e.code !== 'GALLERY_NOT_FOUND') throw e;
      await stack.galleries.createGallery({ name: gallery });
      deps.stderr(`created gallery ${gallery}\n`);
    }
    const have = indexes ? new Set<string>() : await existingIds(stack.galleries, gallery);
    const todo: IndexItem[] = [];
    let failureLines = 0;
    const record = (it: IndexItem, o: Outcome) => {
      if (o.kind === 'enrolled') {
        summary.enrolled++;
        summary.faces += o.faces;
        if (o.optedOut) summary.optedOut = (summary.optedOut ?? 0) + o.optedOut;
      } else if (o.kind === 'skipped') summary.skipped++;
      else if (o.kind === 'noFace') summary.noFace++;
      else {
        const f = summary.failed.get(o.code) ?? { count: 0, example: `${it.label}: ${o.message}` };
        f.count++;
        summary.failed.set(o.code, f);
        if (failureLines++ < MAX_FAILURE_LINES) progress.message(`${it.label}: ${o.code} ${o.message}`);
      }
    };
    for (const it of items) {
      if (it.error) record(it, { kind: 'failed', ...it.error });
      else if (have.has(allFaces ? `${it.clientId}#1` : it.clientId)) summary.skipped++;
      else todo.push(it);
    }
    let done = items.length - todo.length;
    let processed = 0;
    progress.update(done, processed, summary.faces);
    if (deps.signals) process.on('SIGINT', onSignal);
    // `concurrency` lanes keep the worker pool busy; each takes the next batch when it is free.
    let next = 0;
    const size = allFaces || indexes ? 1 : BATCH;
    const lane = async () => {
      while (!stopping && next < todo.length) {
        const batch = todo.slice(next, next + size);
        next += size;
        let outcomes: Outcome[];
        try {
          outcomes = indexes ? [await indexOne(indexes, gallery, batch[0]!)] : allFaces ? [await enrolAll(stack, gallery, batch[0]!)] : await enrolLargest(stack, gallery, batch);
        } catch (e) {
          if (isVisageError(e) && e.code === 'GALLERY_NOT_FOUND') throw e;
          outcomes = batch.map(() => failure(e));
        }
        batch.forEach((it, i) => record(it, outcomes[i]!));
        done += batch.length;
        processed += batch.length;
        progress.update(done, processed, summary.faces);
      }
    };
    // Bulk calls analyse two photos at a time, so half as many lanes fill the pool.
    const lanes = allFaces || indexes ? concurrency : Math.max(1, Math.ceil(concurrency / 2));
    await Promise.all(Array.from({ length: lanes }, lane));
    summary.interrupted = stopping && next < todo.length;
    progress.finish();
  } finally {
    if (deps.signals) process.off('SIGINT', onSignal);
    search?.close();
    await stack.close();
  }
  deps.stdout(formatSummary(searchIndex ? `search index ${gallery}` : `gallery ${gallery}`, summary));
  if (summary.interrupted) return 130;
  return summary.enrolled + summary.skipped > 0 ? 0 : 1;
}

export function formatSummary(gallery: string, s: IndexSummary): string {
  const failed = [...s.failed.values()].reduce((n, f) => n + f.count, 0);
  const lines = [
    `${gallery}: ${s.total} photos${s.interrupted ? ' (interrupted: run the same command again to continue)' : ''}`,
    `  enrolled         ${s.enrolled}${s.faces !== s.enrolled ? ` (${s.faces} faces)` : ''}`,
    `  already enrolled ${s.skipped}`,
    `  no face          ${s.noFace}`,
    `  failed           ${failed}`,
    ...(s.optedOut ? [`  opted-out faces  ${s.optedOut} (left out)`] : []),
  ];
  for (const [code, f] of [...s.failed].sort((a, b) => b[1].count - a[1].count)) lines.push(`    ${code} ${f.count} (e.g. ${f.example})`);
  return `${lines.join('\n')}\n`;
}

function usage(deps: IndexDeps, msg: string): number {
  deps.stderr(`visage: ${msg}\nUsage: ${INDEX_USAGE}`);
  return 2;
}
