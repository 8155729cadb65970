/**
 * One vector index per gallery, saved beside the database. Small galleries (up to
 * `exactLimit`, 10k by default) are searched exactly by a plain scan, which is right by
 * construction and takes a few ms; larger ones use a usearch HNSW graph (cosine, f32, M 16,
 * ef_add 128, ef 128: at 1M vectors recall@10 0.990 and p50 2.2 ms on 2 cores; ef 64 fell to
 * 0.944, and i8 lost recall on a harder 1M set; docs/benchmarks.md). Each save writes the data
 * file, then a JSON sidecar holding its sha256, size, mode, quantization and the store
 * high-water mark: the sidecar is the commit point, so a torn or edited file is seen as corrupt
 * on open and rebuilt from the store.
 */
import { l2normalize } from '../../domain/similarity.rules.js';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import usearch from 'usearch';
import type { OpenedIndex, VectorHit, VectorIndex, VectorIndexProvider } from '../../ports/vector-index.port.js';

const { Index, MetricKind, ScalarKind } = usearch;
type HnswIndex = InstanceType<typeof Index>;

const FORMAT = 1;
/** A key no face id reaches (ids are SQLite rowids < 2^53): used to overwrite freed HNSW slots. */
const SCRUB_KEY = 2n ** 63n;

interface Sidecar {
  format: number;
  mode: 'exact' | 'hnsw';
  /** HNSW scalar type (absent in files saved before it was configurable: f32). */
  quantization?: Quantization;
  dimensions: number;
  size: number;
  highWaterMark: number;
  sha256: string;
  savedAt: string;
}

export type Quantization = 'f32' | 'f16' | 'i8';
const SCALAR = { f32: ScalarKind.F32, f16: ScalarKind.F16, i8: ScalarKind.I8 } as const;

export interface UsearchIndexOptions {
  /** Galleries up to this many faces are scanned exactly. */
  exactLimit?: number;
  /** How HNSW stores vectors; the exact scan always keeps f32. */
  quantization?: Quantization;
  connectivity?: number;
  expansionAdd?: number;
  expansionSearch?: number;
}

/** l2normalize always returns a fresh array, which usearch needs: it misreads subarray() views (research/storage.md). */
const normalized = l2normalize;

function writeDurably(path: string, data: Uint8Array | string): void {
  const fd = openSync(path, 'w');
  try {
    if (typeof data === 'string') writeSync(fd, data);
    else writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Rows of the k best scores, best first: a sorted insertion list, cheaper than sorting all n. */
function topK(scores: Float32Array, k: number): number[] {
  if (k <= 0) return [];
  const rows: number[] = [];
  for (let r = 0; r < scores.length; r++) {
    const s = scores[r]!;
    if (rows.length === k && s <= scores[rows[k - 1]!]!) continue;
    let i = rows.length === k ? k - 1 : rows.length;
    while (i > 0 && scores[rows[i - 1]!]! < s) {
      rows[i] = rows[i - 1]!;
      i--;
    }
    rows[i] = r;
  }
  return rows;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * sha256 of a file read in 64 MB pieces: a 1M-vector f32 graph is about 2.1 GB, past the 2 GiB
 * that readFileSync can return (ERR_FS_FILE_TOO_LARGE), which made every save of it fail and
 * every start rebuild it.
 */
function fileSha256(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(64 * 2 ** 20);
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

class UsearchVectorIndex implements VectorIndex {
  highWaterMark = 0;
  private changed = false;
  // Exact mode: rows of `data` hold the vectors of `ids`, `row` maps id → row.
  private ids: number[] = [];
  private data: Float32Array;
  private row = new Map<number, number>();
  private hnsw: HnswIndex | null = null;

  constructor(
    readonly dimensions: number,
    private readonly paths: { data: (mode: 'exact' | 'hnsw') => string; sidecar: string },
    private readonly opts: Required<UsearchIndexOptions>,
    startMode: 'exact' | 'hnsw',
  ) {
    this.data = new Float32Array(dimensions * 64);
    if (startMode === 'hnsw') this.hnsw = this.newHnsw();
  }

  get mode(): 'exact' | 'hnsw' {
    return this.hnsw ? 'hnsw' : 'exact';
  }

  get size(): number {
    return this.hnsw ? this.hnsw.size() : this.ids.length;
  }

  get dirty(): boolean {
    return this.changed;
  }

  private newHnsw(): HnswIndex {
    return new Index({
      dimensions: this.dimensions,
      metric: MetricKind.Cos,
      quantization: SCALAR[this.opts.quantization],
      connectivity: this.opts.connectivity,
      expansion_add: this.opts.expansionAdd,
      expansion_search: this.opts.expansionSearch,
      multi: false,
    });
  }

  // The port is asynchronous; this index runs in process, so each call is its synchronous twin.
  async has(id: number): Promise<boolean> {
    return this.hasNow(id);
  }

  async add(id: number, vector: Float32Array): Promise<void> {
    this.addNow(id, vector);
  }

  async remove(id: number): Promise<boolean> {
    return this.removeNow(id);
  }

  private hasNow(id: number): boolean {
    return this.hnsw ? (this.hnsw.contains(BigInt(id)) as boolean) : this.row.has(id);
  }

  private addNow(id: number, vector: Float32Array): void {
    if (vector.length !== this.dimensions) throw new Error(`vector has ${vector.length} dimensions, index ${this.dimensions}`);
    if (this.hasNow(id)) this.removeNow(id);
    const v = normalized(vector);
    this.changed = true;
    if (this.hnsw) {
      this.hnsw.add(BigInt(id), v);
      return;
    }
    const r = this.ids.length;
    if ((r + 1) * this.dimensions > this.data.length) {
      const grown = new Float32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data.set(v, r * this.dimensions);
    this.ids.push(id);
    this.row.set(id, r);
    if (this.ids.length > this.opts.exactLimit) this.toHnsw();
  }

  /**
   * The gallery outgrew exact search: build the graph once from the rows held, in one batch on
   * every core (usearch's threaded add). It still runs in this call, under the gallery's write
   * lock: one at a time, each call adding a vector, it took 30–49 s for 10k rows on a busy
   * 2-core node (bench/scale-out writes); in one threaded batch the same build is a fraction.
   */
  private toHnsw(): void {
    const h = this.newHnsw();
    const n = this.ids.length;
    // Fresh arrays, not views: usearch misreads subarray() views of a larger buffer.
    h.add(BigUint64Array.from(this.ids, (id) => BigInt(id)), this.data.slice(0, n * this.dimensions), availableParallelism());
    this.hnsw = h;
    this.ids = [];
    this.row.clear();
    this.data = new Float32Array(0);
  }

  private removeNow(id: number): boolean {
    if (this.hnsw) {
      const n = this.hnsw.remove(BigInt(id)) as number;
      if (n === 0) return false;
      // usearch only marks a removed slot free and keeps its bytes, which save() would write to
      // disk; adding a dummy vector reuses that slot and overwrites them.
      const dummy = new Float32Array(this.dimensions);
      dummy[0] = 1;
      this.hnsw.add(SCRUB_KEY, dummy);
      this.hnsw.remove(SCRUB_KEY);
      this.changed = true;
      return true;
    }
    const r = this.row.get(id);
    if (r === undefined) return false;
    const d = this.dimensions;
    const last = this.ids.length - 1;
    if (r !== last) {
      this.data.copyWithin(r * d, last * d, (last + 1) * d);
      const moved = this.ids[last]!;
      this.ids[r] = moved;
      this.row.set(moved, r);
    }
    this.data.fill(0, last * d, (last + 1) * d);
    this.ids.pop();
    this.row.delete(id);
    this.changed = true;
    return true;
  }

  async search(vector: Float32Array, k: number): Promise<VectorHit[]> {
    if (vector.length !== this.dimensions) throw new Error(`query has ${vector.length} dimensions, index ${this.dimensions}`);
    const q = normalized(vector);
    if (this.hnsw) {
      if (this.hnsw.size() === 0) return [];
      const m = this.hnsw.search(q, Math.min(k, this.hnsw.size()), 0);
      const out: VectorHit[] = [];
      for (let i = 0; i < m.keys.length; i++) {
        if (m.keys[i] === SCRUB_KEY) continue;
        out.push({ id: Number(m.keys[i]), cosine: 1 - m.distances[i]! });
      }
      return out;
    }
    const n = this.ids.length;
    const d = this.dimensions;
    const scores = new Float32Array(n);
    const data = this.data;
    for (let r = 0; r < n; r++) {
      let dot = 0;
      const o = r * d;
      for (let i = 0; i < d; i++) dot += data[o + i]! * q[i]!;
      scores[r] = dot;
    }
    return topK(scores, Math.min(k, n)).map((r) => ({ id: this.ids[r]!, cosine: scores[r]! }));
  }

  async clear(): Promise<void> {
    this.hnsw = this.hnsw ? this.newHnsw() : null;
    this.ids = [];
    this.row.clear();
    this.data = new Float32Array(this.dimensions * 64);
    this.highWaterMark = 0;
    this.changed = true;
  }

  /** Synchronous inside, so the contents and the high-water mark saved are one snapshot. */
  async save(): Promise<void> {
    const mode = this.mode;
    const file = this.paths.data(mode);
    const tmp = `${file}.tmp`;
    if (this.hnsw) {
      this.hnsw.save(tmp);
      const fd = openSync(tmp, 'r+');
      fsyncSync(fd);
      closeSync(fd);
    } else {
      const n = this.ids.length;
      const bytes = new Uint8Array(8 + n * 8 + n * this.dimensions * 4);
      const view = new DataView(bytes.buffer);
      view.setUint32(0, n, true);
      view.setUint32(4, this.dimensions, true);
      for (let i = 0; i < n; i++) view.setFloat64(8 + i * 8, this.ids[i]!, true);
      bytes.set(new Uint8Array(this.data.buffer, 0, n * this.dimensions * 4), 8 + n * 8);
      writeDurably(tmp, bytes);
    }
    const digest = fileSha256(tmp);
    renameSync(tmp, file);
    const sidecar: Sidecar = {
      format: FORMAT,
      mode,
      ...(mode === 'hnsw' ? { quantization: this.opts.quantization } : {}),
      dimensions: this.dimensions,
      size: this.size,
      highWaterMark: this.highWaterMark,
      sha256: digest,
      savedAt: new Date().toISOString(),
    };
    writeDurably(`${this.paths.sidecar}.tmp`, JSON.stringify(sidecar));
    renameSync(`${this.paths.sidecar}.tmp`, this.paths.sidecar);
    // The other mode's file, if any, holds vectors that may since have been deleted.
    rmSync(this.paths.data(mode === 'exact' ? 'hnsw' : 'exact'), { force: true });
    this.changed = false;
  }

  /** Loads a verified file of this index's mode (`bytes`: the flat file's; usearch reads its own file). */
  load(bytes: Buffer | null, sidecar: Sidecar): void {
    if (sidecar.mode === 'hnsw') {
      const h = this.newHnsw();
      h.load(this.paths.data('hnsw'));
      if (h.dimensions() !== this.dimensions) throw new Error('dimension mismatch');
      this.hnsw = h;
    } else {
      if (!bytes) throw new Error('flat file not read');
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const n = view.getUint32(0, true);
      if (view.getUint32(4, true) !== this.dimensions || bytes.length !== 8 + n * 8 + n * this.dimensions * 4) throw new Error('bad flat file');
      this.ids = Array.from({ length: n }, (_, i) => view.getFloat64(8 + i * 8, true));
      this.data = new Float32Array(Math.max(n, 64) * this.dimensions);
      new Uint8Array(this.data.buffer).set(bytes.subarray(8 + n * 8));
      this.row = new Map(this.ids.map((id, r) => [id, r]));
    }
    if (this.size !== sidecar.size) throw new Error(`holds ${this.size} vectors, sidecar says ${sidecar.size}`);
    this.highWaterMark = sidecar.highWaterMark;
    this.changed = false;
  }

  close(): void {
    this.hnsw = null;
    this.ids = [];
    this.row.clear();
    this.data = new Float32Array(0);
  }
}

export class UsearchIndexProvider implements VectorIndexProvider {
  private readonly opts: Required<UsearchIndexOptions>;

  constructor(
    private readonly dir: string,
    opts: UsearchIndexOptions = {},
  ) {
    this.opts = { exactLimit: 10_000, quantization: 'f32', connectivity: 16, expansionAdd: 128, expansionSearch: 128, ...opts };
    mkdirSync(dir, { recursive: true });
  }

  private paths(key: string) {
    if (!/^[A-Za-z0-9_-]+$/.test(key)) throw new Error(`bad index key ${key}`);
    return {
      data: (mode: 'exact' | 'hnsw') => join(this.dir, `${key}.${mode === 'hnsw' ? 'usearch' : 'flat'}`),
      sidecar: join(this.dir, `${key}.json`),
    };
  }

  async open(key: string, dimensions: number, expectedSize: number): Promise<OpenedIndex> {
    const paths = this.paths(key);
    const mode = expectedSize > this.opts.exactLimit ? 'hnsw' : 'exact';
    const fresh = () => new UsearchVectorIndex(dimensions, paths, this.opts, mode);
    if (!existsSync(paths.sidecar)) return { index: fresh(), status: 'missing' };
    try {
      const sidecar = JSON.parse(readFileSync(paths.sidecar, 'utf8')) as Sidecar;
      if (sidecar.format !== FORMAT || sidecar.dimensions !== dimensions) {
        return { index: fresh(), status: 'mismatch', reason: `format ${sidecar.format}, ${sidecar.dimensions} dimensions` };
      }
      if (sidecar.mode !== mode) return { index: fresh(), status: 'mismatch', reason: `saved as ${sidecar.mode}, ${mode} wanted` };
      const saved = sidecar.quantization ?? 'f32';
      if (mode === 'hnsw' && saved !== this.opts.quantization) {
        return { index: fresh(), status: 'mismatch', reason: `saved as ${saved}, ${this.opts.quantization} configured` };
      }
      // A graph is hashed in pieces and read by usearch itself; a flat file (at most exactLimit
      // vectors) is read once for both.
      const bytes = mode === 'exact' ? readFileSync(paths.data(mode)) : null;
      const digest = bytes ? sha256(bytes) : fileSha256(paths.data(mode));
      if (digest !== sidecar.sha256) return { index: fresh(), status: 'corrupt', reason: 'checksum mismatch' };
      const index = fresh();
      index.load(bytes, sidecar);
      return { index, status: 'loaded' };
    } catch (e) {
      return { index: fresh(), status: 'corrupt', reason: (e as Error).message };
    }
  }

  async destroy(key: string): Promise<void> {
    const p = this.paths(key);
    for (const f of [p.sidecar, p.data('exact'), p.data('hnsw'), `${p.sidecar}.tmp`, `${p.data('exact')}.tmp`, `${p.data('hnsw')}.tmp`]) {
      rmSync(f, { force: true });
    }
  }

  async keys(): Promise<string[]> {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length));
  }
}
