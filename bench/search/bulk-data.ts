/**
 * The data of the 1M-face benches (bulk-load.ts writes it into a store, bulk-graph.ts builds its
 * graphs): real LFW faces first, then synthetic ones, face id = row + 1.
 *
 * Real part: every LFW photo of ../shared/eval except the probes (the last photo of each
 * identity with two or more photos), its largest face through the real engine (template, box,
 * and the 96 px WEBP thumbnail the search index keeps, as SearchIndexService.addPhoto makes
 * it); photos without a face are skipped. Computed once and cached in bench/.cache/ (gitignored).
 *
 * Synthetic part (bench/search/scale.bench.ts `synthesise`, seeded with the real templates):
 * identity j has the centre normalise(real[j mod R] + g·0.0675), its 10 samples
 * normalise(centre + g·0.036), g a seeded standard Gaussian per component; identities are
 * interleaved (row r is identity r mod ids). Queries are fresh samples of synthetic identities.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evalDir, lfwIdentities, log, round } from './search-common.js';
import { synthesise } from './scale.bench.js';

export const D = 512;
export const cacheDir = (): string => fileURLToPath(new URL('../.cache', import.meta.url));

export interface RealFace {
  /** Path under the eval folder. */
  photo: string;
  identity: string;
  box: { x1: number; y1: number; x2: number; y2: number };
}

export interface RealPart {
  faces: RealFace[];
  vectors: Float32Array;
  thumbs: Uint8Array[];
  /** sha256 of the vectors: names everything built from them. */
  digest: string;
}

export interface Probe {
  photo: string;
  identity: string;
}

/** Probes: the last photo of each identity with two or more; indexed: every other photo. */
export function lfwSplit(): { indexed: Probe[]; probes: Probe[] } {
  const indexed: Probe[] = [];
  const probes: Probe[] = [];
  for (const id of lfwIdentities()) {
    const last = id.photos.length >= 2 ? id.photos.length - 1 : -1;
    id.photos.forEach((p, i) => (i === last ? probes : indexed).push({ photo: p, identity: id.name }));
  }
  return { indexed, probes };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The real faces, computed through the engine on first use and cached. */
export async function realPart(): Promise<RealPart> {
  const dir = join(cacheDir(), 'lfw-real-v1');
  const files = { meta: join(dir, 'faces.json'), vectors: join(dir, 'vectors.f32'), thumbs: join(dir, 'thumbs.bin') };
  if (!existsSync(files.meta)) await computeRealPart(dir, files);
  const meta = JSON.parse(readFileSync(files.meta, 'utf8')) as { faces: RealFace[]; thumbLengths: number[] };
  const raw = readFileSync(files.vectors);
  const vectors = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const all = readFileSync(files.thumbs);
  const thumbs: Uint8Array[] = [];
  let o = 0;
  for (const n of meta.thumbLengths) {
    thumbs.push(new Uint8Array(all.buffer, all.byteOffset + o, n));
    o += n;
  }
  return { faces: meta.faces, vectors, thumbs, digest: sha(new Uint8Array(vectors.buffer)) };
}

async function computeRealPart(dir: string, files: { meta: string; vectors: string; thumbs: string }): Promise<void> {
  const { loadConfig } = await import('../../src/config/config.loader.js');
  const { buildFaceService, loadRealAnalyzer } = await import('../../src/main/services.compose.js');
  const { SharpThumbnailer } = await import('../../src/adapters/image/sharp-thumbnailer.adapter.js');
  const config = loadConfig({ VISAGE_LOG_LEVEL: 'silent' });
  const analyzer = await loadRealAnalyzer(config.workers);
  const svc = buildFaceService(config, analyzer);
  const thumbnailer = new SharpThumbnailer();
  const { indexed } = lfwSplit();
  const out: ({ face: RealFace; vector: Float32Array; thumb: Uint8Array } | null)[] = new Array(indexed.length).fill(null);
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: config.workers }, async () => {
      while (next < indexed.length) {
        const i = next++;
        const p = indexed[i]!;
        try {
          const { result, pixels } = await svc.templatesOfPhoto(readFileSync(p.photo), { maxFaces: 1, onTooMany: 'largest', attributes: [], landmarks68: false });
          const f = result.faces[0]!;
          const [thumb] = await thumbnailer.thumbnails(pixels, [f.box], { format: 'webp', size: 96 });
          const box = { x1: round(f.box.x1, 1), y1: round(f.box.y1, 1), x2: round(f.box.x2, 1), y2: round(f.box.y2, 1) };
          out[i] = { face: { photo: relative(evalDir(), p.photo), identity: p.identity, box }, vector: Float32Array.from(f.embedding!), thumb: thumb! };
        } catch {
          // no face found: not indexed
        }
        if (++done % 500 === 0) log(`  real faces ${done}/${indexed.length} in ${round((performance.now() - t0) / 1000, 1)} s`);
      }
    }),
  );
  await analyzer.close();
  const kept = out.filter((x) => x !== null);
  const vectors = new Float32Array(kept.length * D);
  kept.forEach((k, i) => vectors.set(normalise(k.vector), i * D));
  mkdirSync(dir, { recursive: true });
  writeFileSync(files.vectors, new Uint8Array(vectors.buffer));
  writeFileSync(files.thumbs, Buffer.concat(kept.map((k) => k.thumb)));
  // faces.json last: its presence says the cache is whole.
  writeFileSync(`${files.meta}.tmp`, JSON.stringify({ faces: kept.map((k) => k.face), thumbLengths: kept.map((k) => k.thumb.length) }));
  renameSync(`${files.meta}.tmp`, files.meta);
  log(`  ${kept.length} real faces of ${indexed.length} photos in ${round((performance.now() - t0) / 1000, 1)} s (cached in ${dir})`);
}

function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n);
  return v.map((x) => x / n);
}

export interface BenchSet {
  n: number;
  real: RealPart;
  /** n × 512, row r is face id r + 1. */
  vectors: Float32Array;
  /** Synthetic rows: their identity (row - R) mod ids; -1 for real rows. */
  syntheticIdentity(row: number): number;
  queries: Float32Array;
  sameCos: number;
  otherCos: number;
  /** Names the graphs built from this set (real digest, n, synthesis). */
  key: string;
}

export const PER_IDENTITY = 10;

/** n faces: the real part, then synthetic ones; `queries` fresh synthetic samples. */
export async function benchSet(n: number, queries = 300): Promise<BenchSet> {
  const real = await realPart();
  const R = real.faces.length;
  const t0 = performance.now();
  const syn = synthesise(real.vectors, n - R, PER_IDENTITY, queries);
  const vectors = new Float32Array(n * D);
  vectors.set(real.vectors, 0);
  vectors.set(syn.vectors, R * D);
  log(`  ${n} vectors (${R} real) made in ${round((performance.now() - t0) / 1000, 1)} s`);
  const ids = Math.ceil((n - R) / PER_IDENTITY);
  return {
    n,
    real,
    vectors,
    syntheticIdentity: (row) => (row < R ? -1 : (row - R) % ids),
    queries: syn.queries,
    sameCos: syn.sameCos,
    otherCos: syn.otherCos,
    key: `${real.digest.slice(0, 12)}-n${n}-s${PER_IDENTITY}`,
  };
}

/**
 * The gallery of each row in the 10-gallery account: real rows by LFW identity (one person's
 * photos in one gallery), synthetic rows by identity mod G, as the scale bench splits them.
 */
export function galleryOfRow(set: BenchSet, G: number): Uint8Array {
  const R = set.real.faces.length;
  const out = new Uint8Array(set.n);
  const person = new Map<string, number>();
  for (let r = 0; r < R; r++) {
    const id = set.real.faces[r]!.identity;
    if (!person.has(id)) person.set(id, person.size);
    out[r] = person.get(id)! % G;
  }
  for (let r = R; r < set.n; r++) out[r] = set.syntheticIdentity(r) % G;
  return out;
}

/** The made-up source of a row: a URL, a group (the source page) and a guid, stable per row. */
export function sourceOf(set: BenchSet, row: number): { url: string; group: number; guid: string } {
  const R = set.real.faces.length;
  if (row < R) {
    const f = set.real.faces[row]!;
    const name = basename(f.photo);
    return { url: `https://example.org/lfw/${f.identity}/${name}`, group: row, guid: `lfw-${row}` };
  }
  // Synthetic faces come in pages of 4 faces (one group each), so groups repeat as on the web.
  return { url: `https://example.net/synthetic/${row}.jpg`, group: R + Math.floor((row - R) / 4), guid: `syn-${row}` };
}
