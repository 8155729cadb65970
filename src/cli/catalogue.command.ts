/**
 * `visage catalogue import <file.json | file.csv> --photos <folder>` and `visage catalogue demo`:
 * load a model-agency catalogue into the server's data dir, in this process (as `visage index`:
 * run it while the server is stopped, or restart it afterwards, for the server to see the new
 * faces). Each row answers for itself (a bad row is reported with its number and code, the rest
 * goes in), and a run that stopped can be run again: agencies and models are found again by
 * external_id and a photo a model already has is not enrolled twice (core importCatalogue).
 *
 * JSON: {"agencies": [...], "models": [...], "reviews": [...]}, the /v1 field names, models with
 * `agency` (an agency's external_id) and `photos` (paths under --photos). CSV: one row per record,
 * a `kind` column (agency, model or review), the same field names as columns, lists
 * comma-separated inside a quoted cell, photos separated by `;`; empty cells are left out.
 *
 * `demo` imports the demo catalogue made deterministically from the LFW photos of the eval set
 * (EVAL_DIR, default ../shared/eval): made-up agencies, names and measurements, labelled so.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.loader.js';
import { importCatalogue, type CatalogueFile, type ImportReport } from '../core/index.js';
import type { Gender } from '../domain/catalogue.model.js';
import { demoCatalogue } from '../domain/catalogue-demo.rules.js';
import { VisageError } from '../domain/error.registry.js';
import { buildLocalCatalogue } from '../main/catalogue.compose.js';
import type { AnalyzerLoader } from '../main/services.compose.js';
import { dataDirOrigin, useDatabase } from './database.guard.js';
import { ProgressReporter } from './progress.reporter.js';

export interface CatalogueDeps {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  loadAnalyzer?: AnalyzerLoader;
  env?: NodeJS.ProcessEnv;
  tty?: boolean;
}

export const CATALOGUE_USAGE = `visage catalogue import <file.json | file.csv> --photos <folder> [options]
visage catalogue demo [--size n] [options]      the made-up demo catalogue from EVAL_DIR's LFW photos
      --data-dir <dir>     the server's data dir (default VISAGE_DATA_DIR or ./data)
      --create-database    make a new database when the data dir has none (else: an error)
      --account <name>     the account that owns the catalogue (that of your API key; default: default)
`;

const MAX_ERROR_LINES = 50;

/** RFC 4180 CSV: quoted cells may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell), rows.push(row), (row = []), (cell = '');
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) row.push(cell), rows.push(row);
  return rows.filter((r) => r.some((c) => c.trim() !== ''));
}

/** A CSV catalogue (one `kind` column) as the JSON shape; unknown kinds are row errors later. */
export function csvCatalogue(text: string): { file: CatalogueFile; badKinds: string[] } {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  const cols = (header ?? []).map((h) => h.trim());
  if (!cols.includes('kind')) throw new VisageError('BAD_PARAM', 'the CSV needs a kind column (agency, model or review)', { param: 'kind' });
  const file: Required<CatalogueFile> = { agencies: [], models: [], reviews: [] };
  const badKinds: string[] = [];
  rows.forEach((cells, n) => {
    const rec: Record<string, unknown> = {};
    cols.forEach((c, i) => {
      const v = (cells[i] ?? '').trim();
      if (c !== 'kind' && v !== '') rec[c] = v === 'true' ? true : v === 'false' ? false : v;
    });
    const kind = (cells[cols.indexOf('kind')] ?? '').trim();
    if (kind === 'agency') file.agencies.push(rec);
    else if (kind === 'model') file.models.push(rec);
    else if (kind === 'review') file.reviews.push(rec);
    else badKinds.push(`line ${n + 2}: kind "${kind}" is not agency, model or review`);
  });
  return { file, badKinds };
}

function readCatalogueFile(path: string): { file: CatalogueFile; badKinds: string[] } {
  const text = readFileSync(path, 'utf8');
  if (/\.csv$/i.test(path)) return csvCatalogue(text);
  const file = JSON.parse(text) as CatalogueFile;
  if (typeof file !== 'object' || file === null || Array.isArray(file)) throw new Error(`${path}: not a JSON object with agencies, models, reviews`);
  return { file, badKinds: [] };
}

/** The demo catalogue of the eval set's LFW photos (paths relative to EVAL_DIR). */
export function readDemo(evalDir: string, size: number): CatalogueFile {
  const lines = (f: string) => readFileSync(join(evalDir, 'lfw', f), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const rows = lines('LABELS').map(([p, id]) => ({ path: `lfw/${p}`, identity: id! }));
  const genders = new Map(lines('gender.csv').map(([p, g]) => [`lfw/${p}`, (g === 'M' ? 'male' : 'female') as Gender]));
  const { agencies, models, reviews } = demoCatalogue(rows, genders, size);
  return { agencies, models, reviews };
}

export function formatReport(r: ImportReport): string {
  const lines = [
    `agencies: ${r.agencies.created} created, ${r.agencies.existing} already there`,
    `models:   ${r.models.created} created, ${r.models.existing} already there`,
    `photos:   ${r.photos.added} added, ${r.photos.existing} already there`,
    `reviews:  ${r.reviews.created} created`,
    `errors:   ${r.errors.length}`,
  ];
  for (const e of r.errors.slice(0, MAX_ERROR_LINES)) lines.push(`  ${e.kind} row ${e.row + 1}: ${e.code} ${e.message}`);
  if (r.errors.length > MAX_ERROR_LINES) lines.push(`  … and ${r.errors.length - MAX_ERROR_LINES} more`);
  return `${lines.join('\n')}\n`;
}

export async function runCatalogue(argv: string[], deps: CatalogueDeps): Promise<number> {
  let values, positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        photos: { type: 'string' },
        size: { type: 'string' },
        'data-dir': { type: 'string' },
        account: { type: 'string' },
        'create-database': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    return usage(deps, (e as Error).message);
  }
  const [sub, source, ...extra] = positionals;
  if (values.help) {
    deps.stdout(`Usage: ${CATALOGUE_USAGE}`);
    return 0;
  }
  const env = deps.env ?? process.env;
  let file: CatalogueFile, photoDir: string, badKinds: string[] = [];
  if (sub === 'import') {
    if (!source || extra.length > 0) return usage(deps, 'catalogue import needs one .json or .csv file');
    if (!values.photos) return usage(deps, 'catalogue import needs --photos <folder>');
    try {
      ({ file, badKinds } = readCatalogueFile(source));
    } catch (e) {
      deps.stderr(`visage catalogue: ${source}: ${(e as Error).message}\n`);
      return 1;
    }
    photoDir = resolve(values.photos);
  } else if (sub === 'demo') {
    const size = values.size === undefined ? 12 : Number(values.size);
    if (!Number.isInteger(size) || size < 1) return usage(deps, '--size must be a positive integer');
    photoDir = resolve(env.EVAL_DIR ?? '../shared/eval');
    file = readDemo(photoDir, size);
    deps.stderr('demo catalogue: made-up agencies, names and measurements over LFW photos\n');
  } else return usage(deps, 'catalogue needs import or demo');

  const base = loadConfig(env);
  const config = { ...base, dataDir: values['data-dir'] ?? base.dataDir };
  useDatabase(config, { state: 'galleries', create: values['create-database'] ?? false, origin: dataDirOrigin(values['data-dir'], env), createHint: 'add --create-database', stderr: deps.stderr });
  for (const b of badKinds) deps.stderr(`${b}\n`);
  const stack = await buildLocalCatalogue(config, deps.loadAnalyzer, values.account);
  const total = (file.agencies?.length ?? 0) + (file.models?.length ?? 0) + (file.reviews?.length ?? 0);
  const progress = new ProgressReporter({ total, write: deps.stderr, tty: deps.tty ?? false });
  let report: ImportReport;
  try {
    const readPhoto = async (p: string) => {
      try {
        return readFileSync(isAbsolute(p) ? p : join(photoDir, p));
      } catch {
        throw new VisageError('BAD_PARAM', `cannot read photo ${p} under ${photoDir}`, { param: 'photos' });
      }
    };
    report = await importCatalogue(stack.catalogue, file, readPhoto, (done) => progress.update(done, done, 0));
    progress.finish();
  } finally {
    await stack.close();
  }
  deps.stdout(formatReport(report));
  return report.errors.length + badKinds.length > 0 ? 1 : 0;
}

function usage(deps: CatalogueDeps, msg: string): number {
  deps.stderr(`visage: ${msg}\nUsage: ${CATALOGUE_USAGE}`);
  return 2;
}
