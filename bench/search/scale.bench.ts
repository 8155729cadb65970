/**
 * Vector search at scale: HNSW (usearch, the library and parameters of
 * src/adapters/store/usearch-vector.index.ts) over real ArcFace templates plus synthetic ones.
 *
 *   npm run bench -- search scale                      # 100k vectors, about 5 minutes on 2 cores
 *   node --import tsx bench/search/scale.bench.ts --n 20000 --ef 32,64,128 --quantization f32,i8
 *   node --import tsx bench/search/scale.bench.ts --n 1000000 --galleries 10   # opt-in: long
 *
 * Data: --real templates (first photo of the first LFW identities, through the real engine;
 * cached in the temp dir). Synthetic identity j has the centre normalise(real[j mod R] + g·σ_id)
 * and --per-identity samples normalise(centre + g·σ_sample), g a standard Gaussian per component:
 * σ_id = 0.0675 makes two identities made from the same real face about as alike as two real
 * strangers (cosine ≈ 0.3), σ_sample = 0.036 gives two photos of one identity a cosine of about
 * 0.6, like real same-person pairs. Queries are fresh samples of random identities (not indexed).
 * Reports build time, RSS growth, file size, search p50/p99 (one query at a time) and recall@10
 * against exact search, for one gallery and for --galleries galleries searched together.
 */
import { mkdtempSync, rmSync, statSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import usearch from 'usearch';
import { latency, lfwIdentities, log, machine, round, writeResult } from './search-common.js';

const { Index, MetricKind, ScalarKind, exactSearch } = usearch;
type HnswIndex = InstanceType<typeof Index>;
const D = 512;
const SIGMA_ID = 0.0675;
const SIGMA_SAMPLE = 0.036;
const QUANT = { f32: ScalarKind.F32, f16: ScalarKind.F16, i8: ScalarKind.I8 } as const;

/** Deterministic Gaussian noise (mulberry32 + Box–Muller), so every run sees the same vectors. */
function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const uni = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uni() || 1e-12)) * Math.cos(2 * Math.PI * uni());
}

function perturb(out: Float32Array, o: number, base: Float32Array, bo: number, sigma: number, g: () => number): void {
  let n = 0;
  for (let i = 0; i < D; i++) {
    const x = base[bo + i]! + sigma * g();
    out[o + i] = x;
    n += x * x;
  }
  n = Math.sqrt(n);
  for (let i = 0; i < D; i++) out[o + i]! /= n;
}

export async function realTemplates(count: number): Promise<Float32Array> {
  const cache = join(tmpdir(), `visage-bench-lfw-templates-${count}.f32`);
  if (existsSync(cache)) return new Float32Array(readFileSync(cache).buffer.slice(0));
  const { loadConfig } = await import('../../src/config/config.loader.js');
  const { buildFaceService, loadRealAnalyzer } = await import('../../src/main/services.compose.js');
  const config = loadConfig({});
  const analyzer = await loadRealAnalyzer(config.workers);
  const svc = buildFaceService(config, analyzer);
  const photos = lfwIdentities().map((i) => i.photos[0]!);
  const out = new Float32Array(count * D);
  let got = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: config.workers }, async () => {
      while (got < count && next < photos.length) {
        const p = photos[next++]!;
        try {
          const r = await svc.templates({ bytes: readFileSync(p) }, { maxFaces: 1, onTooMany: 'largest', attributes: [], landmarks68: false });
          if (got < count) out.set(r.faces[0]!.embedding!, got++ * D);
          if (got % 250 === 0) log(`  templates ${got}/${count}`);
        } catch {
          // no face: take the next identity
        }
      }
    }),
  );
  await analyzer.close();
  if (got < count) throw new Error(`only ${got} templates`);
  log(`  ${count} real templates in ${round((performance.now() - t0) / 1000, 1)} s (cached in ${cache})`);
  writeFileSync(cache, new Uint8Array(out.buffer));
  return out;
}

interface Data {
  vectors: Float32Array;
  identityOf: Uint32Array;
  queries: Float32Array;
  sameCos: number;
  otherCos: number;
}

export function synthesise(real: Float32Array, n: number, perIdentity: number, queries: number): Data {
  const R = real.length / D;
  const ids = Math.ceil(n / perIdentity);
  const g = gaussian(42);
  const centres = new Float32Array(ids * D);
  for (let j = 0; j < ids; j++) perturb(centres, j * D, real, (j % R) * D, SIGMA_ID, g);
  const vectors = new Float32Array(n * D);
  const identityOf = new Uint32Array(n);
  for (let r = 0; r < n; r++) {
    const j = r % ids; // identities interleaved, so any prefix holds every identity
    identityOf[r] = j;
    perturb(vectors, r * D, centres, j * D, SIGMA_SAMPLE, g);
  }
  const q = new Float32Array(queries * D);
  for (let i = 0; i < queries; i++) perturb(q, i * D, centres, Math.floor((i * ids) / queries) * D, SIGMA_SAMPLE, g);
  const dot = (a: number, b: number) => {
    let s = 0;
    for (let i = 0; i < D; i++) s += vectors[a * D + i]! * vectors[b * D + i]!;
    return s;
  };
  let same = 0;
  let other = 0;
  const pairs = Math.min(1000, ids);
  for (let j = 0; j < pairs; j++) {
    same += ids < n ? dot(j, j + ids) : NaN;
    other += dot(j, (j + 1) % ids);
  }
  return { vectors, identityOf, queries: q, sameCos: round(same / pairs), otherCos: round(other / pairs) };
}

function newIndex(quant: keyof typeof QUANT, connectivity: number, expansionAdd: number, ef: number): HnswIndex {
  return new Index({ dimensions: D, metric: MetricKind.Cos, quantization: QUANT[quant], connectivity, expansion_add: expansionAdd, expansion_search: ef, multi: false });
}

function build(index: HnswIndex, vectors: Float32Array, rows: Uint32Array | null, threads: number): number {
  const n = rows ? rows.length : vectors.length / D;
  const t0 = performance.now();
  for (let s = 0; s < n; s += 10_000) {
    const m = Math.min(10_000, n - s);
    const keys = new BigUint64Array(m);
    const chunk = new Float32Array(m * D); // a fresh array: usearch misreads subarray() views
    for (let i = 0; i < m; i++) {
      const r = rows ? rows[s + i]! : s + i;
      keys[i] = BigInt(r);
      chunk.set(vectors.subarray(r * D, (r + 1) * D), i * D);
    }
    index.add(keys, chunk, threads);
    if (n >= 100_000 && (s / 10_000) % 10 === 9) log(`    added ${s + m}/${n} in ${round((performance.now() - t0) / 1000, 1)} s`);
  }
  return (performance.now() - t0) / 1000;
}

/** Exact top-k row ids per query (usearch's brute force, every thread). */
function truth(vectors: Float32Array, queries: Float32Array, k: number, threads: number): bigint[][] {
  const n = vectors.length / D;
  const nq = queries.length / D;
  const m = exactSearch(vectors, queries, D, k, MetricKind.Cos, threads) as unknown as { keys: BigUint64Array };
  return Array.from({ length: nq }, (_, i) => Array.from(m.keys.subarray(i * k, (i + 1) * k)).filter((x) => x < BigInt(n)));
}

function searchAll(indexes: HnswIndex[], queries: Float32Array, k: number, exact: bigint[][]) {
  const nq = queries.length / D;
  const ms: number[] = [];
  let hits = 0;
  for (let i = 0; i < nq; i++) {
    const q = queries.slice(i * D, (i + 1) * D);
    const t0 = performance.now();
    const merged: { key: bigint; d: number }[] = [];
    for (const ix of indexes) {
      const m = ix.search(q, k, 1);
      for (let j = 0; j < m.keys.length; j++) merged.push({ key: m.keys[j]!, d: m.distances[j]! });
    }
    merged.sort((a, b) => a.d - b.d);
    ms.push(performance.now() - t0);
    const want = new Set(exact[i]!);
    hits += merged.slice(0, k).filter((h) => want.has(h.key)).length;
  }
  return { ...latency(ms), recallAt10: round(hits / (nq * k), 4) };
}

const rssMB = () => process.memoryUsage().rss / 2 ** 20;

export async function runScaleBench(argv: string[]): Promise<unknown> {
  const { values } = parseArgs({
    args: argv,
    options: {
      n: { type: 'string', default: '100000' },
      galleries: { type: 'string', default: '10' },
      real: { type: 'string', default: '2000' },
      'per-identity': { type: 'string', default: '10' },
      queries: { type: 'string', default: '300' },
      connectivity: { type: 'string', default: '16' },
      'expansion-add': { type: 'string', default: '128' },
      ef: { type: 'string', default: '64,128' },
      quantization: { type: 'string', default: 'f32' },
      threads: { type: 'string', default: String(availableParallelism()) },
      out: { type: 'string' },
    },
  });
  const num = (s: string) => Number(s);
  const n = num(values.n);
  const G = num(values.galleries);
  const threads = num(values.threads);
  const M = num(values.connectivity);
  const efAdd = num(values['expansion-add']);
  const efs = values.ef.split(',').map(num);
  const quants = values.quantization.split(',') as (keyof typeof QUANT)[];
  for (const q of quants) if (!(q in QUANT)) throw new Error(`unknown quantization ${q} (f32, f16, i8)`);
  log(`scale: n=${n}, galleries=${G}, M=${M}, ef_add=${efAdd}, ef=${efs}, ${quants}, ${threads} threads`);
  const real = await realTemplates(num(values.real));
  const data = synthesise(real, n, num(values['per-identity']), num(values.queries));
  log(`  synthetic: same-identity cosine ${data.sameCos}, other identities ${data.otherCos}`);
  const exact = truth(data.vectors, data.queries, 10, threads);
  const dir = mkdtempSync(join(tmpdir(), 'visage-scale-'));
  const single: unknown[] = [];
  try {
    for (const quant of quants) {
      const before = rssMB();
      const ix = newIndex(quant, M, efAdd, efs[0]!);
      const buildS = build(ix, data.vectors, null, threads);
      const rss = rssMB() - before;
      const file = join(dir, `one-${quant}.usearch`);
      ix.save(file);
      const bytes = statSync(file).size;
      for (const ef of efs) {
        const view = newIndex(quant, M, efAdd, ef);
        view.load(file);
        const r = { quantization: quant, connectivity: M, expansionAdd: efAdd, expansionSearch: ef, n, buildSeconds: round(buildS, 1), rssGrowthMB: Math.round(rss), fileMB: round(bytes / 2 ** 20, 1), ...searchAll([view], data.queries, 10, exact) };
        log(`  one gallery: ${JSON.stringify(r)}`);
        single.push(r);
      }
      rmSync(file);
    }
    const multi: unknown[] = [];
    if (G > 1) {
      const parts = Array.from({ length: G }, (_, g) => {
        const rows: number[] = [];
        for (let r = 0; r < n; r++) if (data.identityOf[r]! % G === g) rows.push(r);
        return new Uint32Array(rows);
      });
      for (const quant of quants) {
        const before = rssMB();
        let buildS = 0;
        const files: string[] = [];
        for (const [g, rows] of parts.entries()) {
          const ix = newIndex(quant, M, efAdd, efs[0]!);
          buildS += build(ix, data.vectors, rows, threads);
          files.push(join(dir, `g${g}-${quant}.usearch`));
          ix.save(files.at(-1)!);
        }
        const rss = rssMB() - before;
        const bytes = files.reduce((s, f) => s + statSync(f).size, 0);
        for (const ef of efs) {
          const views = files.map((f) => {
            const v = newIndex(quant, M, efAdd, ef);
            v.load(f);
            return v;
          });
          const r = { galleries: G, perGallery: Math.round(n / G), quantization: quant, expansionSearch: ef, buildSeconds: round(buildS, 1), rssGrowthMB: Math.round(rss), fileMB: round(bytes / 2 ** 20, 1), ...searchAll(views, data.queries, 10, exact) };
          log(`  ${G} galleries together: ${JSON.stringify(r)}`);
          multi.push(r);
        }
        for (const f of files) rmSync(f);
      }
    }
    const result = { machine: machine(), data: { n, real: real.length / D, perIdentity: num(values['per-identity']), sigmaIdentity: SIGMA_ID, sigmaSample: SIGMA_SAMPLE, sameIdentityCosine: data.sameCos, otherIdentityCosine: data.otherCos, queries: data.queries.length / D }, single, multi };
    writeResult(values.out ?? join(fileURLToPath(new URL('../results', import.meta.url)), `search-scale-${n}.json`), result);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runScaleBench(process.argv.slice(2)).then(
    () => process.exit(0),
    (e) => {
      log(`scale bench failed: ${(e as Error).stack ?? e}`);
      process.exit(1);
    },
  );
}
