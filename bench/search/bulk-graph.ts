/**
 * HNSW graphs of the bench set (bulk-data.ts), built once with usearch's multi-threaded add and
 * cached in bench/.cache/graphs/<set key>/, in the format the server's index adapter saves and
 * loads (src/adapters/index/usearch-vector.index.ts: cosine, f32, M 16, ef_add 128, key = face
 * id). bulk-load.ts copies them next to a store with the sidecar the server checks, so a node
 * starts on them without rebuilding.
 *
 *   node --import tsx bench/search/bulk-graph.ts --n 1000000 --galleries 10   # all: the 1M graph, then the 10 gallery graphs
 *
 * One graph serves several galleries: the 1M graph is the search index of the FaceCheck bench,
 * its account set, the 1M gallery, and the account set of the 10-gallery account (same ids,
 * same vectors); each of the 10 gallery graphs holds the rows galleryOfRow gives it.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import usearch from 'usearch';
import { availableParallelism, loadavg } from 'node:os';
import { benchSet, cacheDir, D, galleryOfRow, type BenchSet } from './bulk-data.js';
import { log, round } from './search-common.js';

const { Index, MetricKind, ScalarKind } = usearch;

/** The adapter's defaults (UsearchIndexProvider): a graph built otherwise would not match what the server configures. */
const HNSW = { connectivity: 16, expansionAdd: 128, expansionSearch: 128 } as const;

export interface GraphFile {
  path: string;
  size: number;
  sha256: string;
}

export const graphDir = (set: BenchSet) => join(cacheDir(), 'graphs', set.key);

/** sha256 of a file, read in 64 MB pieces (a 1M graph is 2 GB). */
export function fileSha256(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(64 * 2 ** 20);
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/** The cached graph of `rows` (all rows when null) named `name`, built when missing. */
export function graph(set: BenchSet, name: string, rows: Uint32Array | null, threads = availableParallelism()): GraphFile {
  const dir = graphDir(set);
  const path = join(dir, `${name}.usearch`);
  const metaPath = join(dir, `${name}.json`);
  if (existsSync(metaPath)) return JSON.parse(readFileSync(metaPath, 'utf8')) as GraphFile;
  mkdirSync(dir, { recursive: true });
  const n = rows ? rows.length : set.n;
  log(`graph ${name}: ${n} vectors, ${threads} threads, load ${loadavg().map((x) => round(x, 2))}`);
  const ix = new Index({ dimensions: D, metric: MetricKind.Cos, quantization: ScalarKind.F32, connectivity: HNSW.connectivity, expansion_add: HNSW.expansionAdd, expansion_search: HNSW.expansionSearch, multi: false });
  const t0 = performance.now();
  const step = 10_000;
  for (let s = 0; s < n; s += step) {
    const m = Math.min(step, n - s);
    const keys = new BigUint64Array(m);
    const chunk = new Float32Array(m * D); // a fresh array: usearch misreads subarray() views
    for (let i = 0; i < m; i++) {
      const r = rows ? rows[s + i]! : s + i;
      keys[i] = BigInt(r + 1);
      chunk.set(set.vectors.subarray(r * D, (r + 1) * D), i * D);
    }
    ix.add(keys, chunk, threads);
    if ((s / step) % 10 === 9 || s + m === n) log(`  ${name}: ${s + m}/${n} in ${round((performance.now() - t0) / 1000, 1)} s, load ${round(loadavg()[0]!, 2)}`);
  }
  const buildSeconds = (performance.now() - t0) / 1000;
  ix.save(`${path}.tmp`);
  renameSync(`${path}.tmp`, path);
  const out: GraphFile & { buildSeconds: number; threads: number; loadAverageAtEnd: number[]; hnsw: typeof HNSW } = {
    path,
    size: n,
    sha256: fileSha256(path),
    buildSeconds: round(buildSeconds, 1),
    threads,
    loadAverageAtEnd: loadavg().map((x) => round(x, 2)),
    hnsw: HNSW,
  };
  writeFileSync(metaPath, JSON.stringify(out, null, 2));
  log(`graph ${name}: ${round(buildSeconds, 1)} s, ${round(statSync(path).size / 2 ** 20, 1)} MB`);
  return out;
}

/** The rows of each of G galleries. */
export function galleryRows(set: BenchSet, G: number): Uint32Array[] {
  const of = galleryOfRow(set, G);
  const count = new Array<number>(G).fill(0);
  for (const g of of) count[g]!++;
  const out = count.map((c) => new Uint32Array(c));
  const at = new Array<number>(G).fill(0);
  for (let r = 0; r < set.n; r++) out[of[r]!]![at[of[r]!]!++] = r;
  return out;
}

export const allName = 'all';
export const galleryName = (g: number, G: number) => `g${g}-of-${G}`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { n: { type: 'string', default: '1000000' }, galleries: { type: 'string', default: '10' }, threads: { type: 'string', default: String(availableParallelism()) } } });
  (async () => {
    const set = await benchSet(Number(values.n));
    const threads = Number(values.threads);
    graph(set, allName, null, threads);
    const G = Number(values.galleries);
    if (G > 1) galleryRows(set, G).forEach((rows, g) => graph(set, galleryName(g, G), rows, threads));
  })().then(
    () => process.exit(0),
    (e) => {
      log(`graph build failed: ${(e as Error).stack ?? e}`);
      process.exit(1);
    },
  );
}
