/**
 * Bulk loader for the benches: writes the bench set (bulk-data.ts) straight into a store's
 * tables in large transactions, then puts the cached graphs (bulk-graph.ts) in the node's index
 * folder with the sidecar the server's adapter writes (format 1, hnsw, f32, size, the gallery's
 * high-water mark, sha256), so a node started on the data dir loads them instead of rebuilding.
 * Filling 1M faces through the enrolment path takes hours here; this takes minutes.
 *
 * Layouts, each in a store of its own (face id = row + 1 in both, so one 1M graph serves all
 * the 1M indexes):
 *   one:   one search index `web` of every row (source URL, group, guid, box, 96 px WEBP
 *          thumbnail per face: the real face's own, a tiny plain one for synthetic faces), in
 *          account `bench`; the gallery and its account set both use the 1M graph.
 *   split: G plain galleries g0…g(G-1) in account `bench` (rows by galleryOfRow), each with its
 *          own graph; the account set (every row) uses the 1M graph.
 *
 * The tables are those of the store classes (their migrations run first; galleries, account
 * sets and search-index marks are made through the stores' own methods); only the face rows
 * are written directly: SQLite in one prepared-statement transaction per 50k faces, PostgreSQL
 * as multi-row INSERT … SELECT FROM unnest(…) of 5k faces, then ANALYZE.
 */
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { D, galleryOfRow, sourceOf, type BenchSet } from './bulk-data.js';
import { allName, graph, galleryName, galleryRows, type GraphFile } from './bulk-graph.js';
import { log, round } from './search-common.js';
import type { FaceStore, Gallery } from '../../src/ports/face-store.port.js';
import type { SearchIndexStore } from '../../src/ports/search-index-store.port.js';

/** The server's embedder (ArcFaceEmbedder: fr-arcface-512, version 1); the benches check it against the loaded engine. */
export const MODEL_KEY = 'fr-arcface-512@1';
export const ACCOUNT = 'bench';
export const INDEX_NAME = 'web';

export type Layout = { kind: 'one' } | { kind: 'split'; galleries: number };

export interface LoadedGallery {
  id: number;
  name: string;
  size: number;
}

export interface Loaded {
  galleries: LoadedGallery[];
  accountSetId: number;
  loadSeconds: number;
  cached: boolean;
}

/** Tiny plain WEBPs for synthetic faces (no real face behind them), 16 shades. */
async function plainThumbs(): Promise<Buffer[]> {
  return Promise.all(
    Array.from({ length: 16 }, (_, i) => sharp({ create: { width: 24, height: 24, channels: 3, background: { r: 96 + i * 8, g: 112, b: 160 - i * 4 } } }).webp({ quality: 50 }).toBuffer()),
  );
}

interface Plan {
  galleries: { name: string; rows: Uint32Array | null; graph: () => GraphFile }[];
  searchIndex: boolean;
}

function plan(set: BenchSet, layout: Layout): Plan {
  if (layout.kind === 'one') return { searchIndex: true, galleries: [{ name: INDEX_NAME, rows: null, graph: () => graph(set, allName, null) }] };
  const G = layout.galleries;
  const rows = galleryRows(set, G);
  return { searchIndex: false, galleries: rows.map((r, g) => ({ name: `g${g}`, rows: r, graph: () => graph(set, galleryName(g, G), r) })) };
}

const vectorBytes = (set: BenchSet, r: number) => Buffer.from(set.vectors.buffer, r * D * 4, D * 4);

/** Writes the sidecar the adapter checks (src/adapters/index/usearch-vector.index.ts) and links the graph in. */
/** The plan's galleries (marked as search indexes where it says) and the account set, made by the real stores. */
async function makeGalleries(store: Pick<FaceStore, 'createGallery' | 'accountSet'>, sources: Pick<SearchIndexStore, 'markIndex'>, p: Plan): Promise<{ made: Gallery[]; accountSet: Gallery }> {
  const made: Gallery[] = [];
  for (const g of p.galleries) {
    const gal = await store.createGallery({ account: ACCOUNT, name: g.name, description: p.searchIndex ? 'search index' : '', modelKey: MODEL_KEY, dimensions: D, thumbnails: false });
    if (p.searchIndex) await sources.markIndex(gal.id, ACCOUNT);
    made.push(gal);
  }
  return { made, accountSet: await store.accountSet(ACCOUNT, MODEL_KEY, D) };
}

function placeGraph(indexDir: string, galleryId: number, g: GraphFile, seq: number): void {
  mkdirSync(indexDir, { recursive: true });
  const file = join(indexDir, `g${galleryId}.usearch`);
  rmSync(file, { force: true });
  // A hard link: no copy of 2 GB; the server saves by writing a new file and renaming it, so the cache is never written through it.
  linkSync(g.path, file);
  const sidecar = { format: 1, mode: 'hnsw', quantization: 'f32', dimensions: D, size: g.size, highWaterMark: seq, sha256: g.sha256, savedAt: new Date().toISOString() };
  writeFileSync(join(indexDir, `g${galleryId}.json`), JSON.stringify(sidecar));
}

/** Loads `layout` into the SQLite database of `dataDir` (made fresh), with its indexes; cached by a marker. */
export async function loadSqlite(set: BenchSet, layout: Layout, dataDir: string): Promise<Loaded> {
  const marker = join(dataDir, 'bench-loaded.json');
  const want = { set: set.key, layout };
  if (existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, 'utf8')) as typeof want & { loaded: Loaded };
    if (JSON.stringify({ set: m.set, layout: m.layout }) === JSON.stringify(want)) {
      return { ...m.loaded, cached: true };
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const p = plan(set, layout);
  const graphs = p.galleries.map((g) => g.graph()); // built or read from the cache before the store is touched
  const all = graph(set, allName, null);
  const { openDatabase } = await import('../../src/adapters/store/sqlite/sqlite-database.js');
  const { SqliteFaceStore } = await import('../../src/adapters/store/sqlite/sqlite-face.store.js');
  const { SqliteSearchIndexStore } = await import('../../src/adapters/store/sqlite/sqlite-search-index.store.js');
  const db = openDatabase(join(dataDir, 'visage.db'), { synchronous: 'FULL', secureDelete: true });
  const t0 = performance.now();
  try {
    const { made, accountSet } = await makeGalleries(new SqliteFaceStore(db), new SqliteSearchIndexStore(db), p);
    const galleryOf = p.galleries.length === 1 ? null : galleryOfRow(set, p.galleries.length);
    const thumbs = await plainThumbs();
    const R = set.real.faces.length;
    const now = Date.now();
    const face = db.prepare(
      `INSERT INTO faces (id, gallery_id, client_id, meta, x1, y1, x2, y2, has_thumbnail, seq, created_at, updated_at, vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 1, ?, ?, ?)`,
    );
    const member = db.prepare('INSERT INTO face_galleries (gallery_id, face_id, seq) VALUES (?, ?, 1)');
    const source = db.prepare('INSERT INTO search_index_faces (face_id, gallery_id, url, grp, guid, face_index, x1, y1, x2, y2, webp) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)');
    const batch = db.transaction((from: number, to: number) => {
      for (let r = from; r < to; r++) {
        const gid = made[galleryOf ? galleryOf[r]! : 0]!.id;
        const id = r + 1;
        const box = r < R ? set.real.faces[r]!.box : null;
        if (p.searchIndex) {
          const s = sourceOf(set, r);
          face.run(id, gid, s.guid, JSON.stringify({ url: s.url, group: s.group }), box?.x1 ?? null, box?.y1 ?? null, box?.x2 ?? null, box?.y2 ?? null, now, now, vectorBytes(set, r));
          source.run(id, gid, s.url, s.group, s.guid, box?.x1 ?? null, box?.y1 ?? null, box?.x2 ?? null, box?.y2 ?? null, r < R ? Buffer.from(set.real.thumbs[r]!) : thumbs[r % thumbs.length]!);
        } else {
          face.run(id, gid, null, null, null, null, null, null, now, now, vectorBytes(set, r));
        }
        member.run(gid, id);
        member.run(accountSet.id, id);
      }
    });
    for (let s = 0; s < set.n; s += 50_000) {
      batch.immediate(s, Math.min(set.n, s + 50_000));
      if ((s / 50_000) % 4 === 3) log(`  sqlite: ${s + 50_000}/${set.n} faces in ${round((performance.now() - t0) / 1000, 1)} s`);
    }
    // One commit's worth of mark: seq 1, the count of what each holds.
    const bump = db.prepare('UPDATE galleries SET face_count = ?, seq = 1, updated_at = ? WHERE id = ?');
    made.forEach((g, i) => bump.run(p.galleries[i]!.rows?.length ?? set.n, now, g.id));
    bump.run(set.n, now, accountSet.id);
    db.exec('ANALYZE');
    const indexDir = join(dataDir, 'index');
    made.forEach((g, i) => placeGraph(indexDir, g.id, graphs[i]!, 1));
    placeGraph(indexDir, accountSet.id, all, 1);
    const loaded: Loaded = {
      galleries: made.map((g, i) => ({ id: g.id, name: g.name, size: p.galleries[i]!.rows?.length ?? set.n })),
      accountSetId: accountSet.id,
      loadSeconds: round((performance.now() - t0) / 1000, 1),
      cached: false,
    };
    writeFileSync(marker, JSON.stringify({ ...want, loaded }));
    log(`  sqlite ${layout.kind}: ${set.n} faces in ${loaded.loadSeconds} s`);
    return loaded;
  } finally {
    db.close();
  }
}

/**
 * Loads `layout` into the PostgreSQL database at `url` (its tables emptied first; run on a
 * database of the bench's own), and its indexes into `dataDir`/index (a node's local cache).
 */
export async function loadPostgres(set: BenchSet, layout: Layout, url: string, dataDir: string): Promise<Loaded> {
  const { createPgPool } = await import('../../src/adapters/store/postgres/pg-database.js');
  const { PgFaceStore } = await import('../../src/adapters/store/postgres/pg-face.store.js');
  const { PgSearchIndexStore } = await import('../../src/adapters/store/postgres/pg-search-index.store.js');
  const pool = createPgPool(url, { max: 4 });
  await pool.ready;
  const marker = join(dataDir, 'bench-loaded.json');
  const want = { set: set.key, layout, url: url.replace(/:[^:@/]*@/, ':***@') };
  try {
    if (existsSync(marker)) {
      const m = JSON.parse(readFileSync(marker, 'utf8')) as typeof want & { loaded: Loaded };
      const same = JSON.stringify({ set: m.set, layout: m.layout, url: m.url }) === JSON.stringify(want);
      const rows = same ? (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM galleries WHERE id = $1 AND face_count = $2', [m.loaded.accountSetId, set.n])).rows : [];
      if (rows[0]?.n === 1) return { ...m.loaded, cached: true };
    }
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    const p = plan(set, layout);
    const graphs = p.galleries.map((g) => g.graph());
    const all = graph(set, allName, null);
    await pool.query('TRUNCATE galleries, faces, face_galleries, face_removals, face_thumbnails, search_indexes, search_index_faces RESTART IDENTITY CASCADE');
    const t0 = performance.now();
    const store = new PgFaceStore(pool);
    const { made, accountSet } = await makeGalleries(store, new PgSearchIndexStore(pool), p);
    const galleryOf = p.galleries.length === 1 ? null : galleryOfRow(set, p.galleries.length);
    const thumbs = await plainThumbs();
    const R = set.real.faces.length;
    const now = Date.now();
    const c = await pool.connect();
    try {
      // A bench load: the loss of its last commits on a crash is nothing to fear.
      await c.query('SET synchronous_commit = off');
      for (let s = 0; s < set.n; s += 5000) {
        const rows = Array.from({ length: Math.min(5000, set.n - s) }, (_, i) => s + i);
        const gid = rows.map((r) => made[galleryOf ? galleryOf[r]! : 0]!.id);
        const box = (r: number, k: 'x1' | 'y1' | 'x2' | 'y2') => (r < R ? set.real.faces[r]!.box[k] : null);
        const src = p.searchIndex ? rows.map((r) => sourceOf(set, r)) : null;
        await c.query('BEGIN');
        await c.query(
          `INSERT INTO faces (id, gallery_id, client_id, meta, x1, y1, x2, y2, has_thumbnail, seq, created_at, updated_at, vector)
           SELECT id, g, cid, meta, a, b, cc, d, false, 1, $6, $6, v
           FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $7::float8[], $8::float8[], $9::float8[], $10::float8[], $5::bytea[]) AS t(id, g, cid, meta, a, b, cc, d, v)`,
          [
            rows.map((r) => r + 1),
            gid,
            src ? src.map((x) => x.guid) : rows.map(() => null),
            src ? src.map((x) => JSON.stringify({ url: x.url, group: x.group })) : rows.map(() => null),
            rows.map((r) => vectorBytes(set, r)),
            now,
            rows.map((r) => box(r, 'x1')),
            rows.map((r) => box(r, 'y1')),
            rows.map((r) => box(r, 'x2')),
            rows.map((r) => box(r, 'y2')),
          ],
        );
        await c.query('INSERT INTO face_galleries (gallery_id, face_id, seq) SELECT g, f, 1 FROM unnest($1::bigint[], $2::bigint[]) AS t(g, f)', [
          [...gid, ...rows.map(() => accountSet.id)],
          [...rows.map((r) => r + 1), ...rows.map((r) => r + 1)],
        ]);
        if (src) {
          await c.query(
            `INSERT INTO search_index_faces (face_id, gallery_id, url, grp, guid, face_index, x1, y1, x2, y2, webp)
             SELECT f, g, u, gr, gu, 0, a, b, cc, d, w FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::bytea[])
               AS t(f, g, u, gr, gu, a, b, cc, d, w)`,
            [
              rows.map((r) => r + 1),
              gid,
              src.map((x) => x.url),
              src.map((x) => x.group),
              src.map((x) => x.guid),
              rows.map((r) => box(r, 'x1')),
              rows.map((r) => box(r, 'y1')),
              rows.map((r) => box(r, 'x2')),
              rows.map((r) => box(r, 'y2')),
              rows.map((r) => (r < R ? Buffer.from(set.real.thumbs[r]!) : thumbs[r % thumbs.length]!)),
            ],
          );
        }
        await c.query('COMMIT');
        if ((s / 5000) % 40 === 39) log(`  postgres: ${s + 5000}/${set.n} faces in ${round((performance.now() - t0) / 1000, 1)} s`);
      }
      // Ids were given: the identity continues after them, as after enrolments.
      await c.query(`SELECT setval(pg_get_serial_sequence('faces', 'id'), $1)`, [set.n]);
      for (const [i, g] of made.entries()) await c.query('UPDATE galleries SET face_count = $1, seq = 1, updated_at = $2 WHERE id = $3', [p.galleries[i]!.rows?.length ?? set.n, now, g.id]);
      await c.query('UPDATE galleries SET face_count = $1, seq = 1, updated_at = $2 WHERE id = $3', [set.n, now, accountSet.id]);
      await c.query('SET synchronous_commit = on');
      await c.query('ANALYZE');
    } finally {
      c.release();
    }
    await store.close();
    const indexDir = join(dataDir, 'index');
    made.forEach((g, i) => placeGraph(indexDir, g.id, graphs[i]!, 1));
    placeGraph(indexDir, accountSet.id, all, 1);
    const loaded: Loaded = {
      galleries: made.map((g, i) => ({ id: g.id, name: g.name, size: p.galleries[i]!.rows?.length ?? set.n })),
      accountSetId: accountSet.id,
      loadSeconds: round((performance.now() - t0) / 1000, 1),
      cached: false,
    };
    writeFileSync(marker, JSON.stringify({ ...want, loaded }));
    log(`  postgres ${layout.kind}: ${set.n} faces in ${loaded.loadSeconds} s`);
    return loaded;
  } finally {
    await pool.end().catch(() => undefined);
  }
}
