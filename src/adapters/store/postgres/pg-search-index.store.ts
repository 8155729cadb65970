/**
 * The search index's own rows on PostgreSQL (migration 0007), beside the galleries and faces of
 * PgFaceStore on the same database, so every node sees which galleries are indexes, where each
 * face was found and who opted out. Same contract as SQLite's
 * (test/ports/search-index-store.contract.ts).
 *
 * "The first index of an account is its default" is a read then a write: nodes marking indexes
 * of one account at once take a transaction-scoped advisory lock on the account first, so
 * exactly one becomes the default (a partial unique index backs that up).
 */
import type pg from 'pg';
import type { IndexFaceSource, OptOut, SearchIndexStore } from '../../../ports/search-index-store.port.js';
import { inTransaction } from './pg-database.js';
import { toSource, toVector, type SourceRow } from '../search-index.rows.js';

interface OptOutRow {
  id: number;
  account_id: string;
  model_key: string;
  vector: Buffer;
  reference: string | null;
  created_at: number;
}

const vectorBytes = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/** The lock of one account's default index (two int4 halves). */
const ACCOUNT_LOCK = `SELECT pg_advisory_xact_lock(hashtext('visage.search_index'), hashtext($1))`;

export class PgSearchIndexStore implements SearchIndexStore {
  constructor(private readonly pool: pg.Pool) {}

  async markIndex(galleryId: number, account: string): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      await c.query(ACCOUNT_LOCK, [account]);
      await c.query(
        `INSERT INTO search_indexes (gallery_id, account_id, is_default)
         SELECT $1, $2, NOT EXISTS (SELECT 1 FROM search_indexes WHERE account_id = $2 AND is_default)
         ON CONFLICT (gallery_id) DO NOTHING`,
        [galleryId, account],
      );
    });
  }

  async isIndex(galleryId: number): Promise<boolean> {
    return ((await this.pool.query('SELECT 1 FROM search_indexes WHERE gallery_id = $1', [galleryId])).rowCount ?? 0) > 0;
  }

  async indexIds(account: string): Promise<{ galleryId: number; isDefault: boolean }[]> {
    const r = await this.pool.query<{ gallery_id: number; is_default: boolean }>(
      'SELECT gallery_id, is_default FROM search_indexes WHERE account_id = $1 ORDER BY is_default DESC, gallery_id',
      [account],
    );
    return r.rows.map((x) => ({ galleryId: x.gallery_id, isDefault: x.is_default }));
  }

  async setDefault(account: string, galleryId: number): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      await c.query(ACCOUNT_LOCK, [account]);
      // Cleared first: the partial unique index allows one default per account at any moment.
      await c.query('UPDATE search_indexes SET is_default = false WHERE account_id = $1 AND is_default AND gallery_id <> $2', [account, galleryId]);
      await c.query('UPDATE search_indexes SET is_default = true WHERE account_id = $1 AND gallery_id = $2', [account, galleryId]);
    });
  }

  async addSources(galleryId: number, rows: (IndexFaceSource & { webp: Uint8Array | null })[]): Promise<void> {
    if (rows.length === 0) return;
    const col = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
    // One statement for the photo's faces; a face indexed again replaces its row (SQLite's INSERT OR REPLACE).
    await this.pool.query(
      `INSERT INTO search_index_faces (face_id, gallery_id, url, grp, guid, face_index, x1, y1, x2, y2, webp)
       SELECT f, $1, u, g, gu, fi, a, b, c, d, w
       FROM unnest($2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::int[], $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::bytea[])
         AS t(f, u, g, gu, fi, a, b, c, d, w)
       ON CONFLICT (face_id) DO UPDATE SET gallery_id = EXCLUDED.gallery_id, url = EXCLUDED.url, grp = EXCLUDED.grp, guid = EXCLUDED.guid,
         face_index = EXCLUDED.face_index, x1 = EXCLUDED.x1, y1 = EXCLUDED.y1, x2 = EXCLUDED.x2, y2 = EXCLUDED.y2, webp = EXCLUDED.webp`,
      [
        galleryId,
        col((r) => r.faceId),
        col((r) => r.url),
        col((r) => r.group),
        col((r) => r.guid),
        col((r) => r.faceIndex),
        col((r) => r.box?.x1 ?? null),
        col((r) => r.box?.y1 ?? null),
        col((r) => r.box?.x2 ?? null),
        col((r) => r.box?.y2 ?? null),
        col((r) => (r.webp ? Buffer.from(r.webp.buffer, r.webp.byteOffset, r.webp.byteLength) : null)),
      ],
    );
  }

  async sources(faceIds: number[]): Promise<Map<number, IndexFaceSource>> {
    const out = new Map<number, IndexFaceSource>();
    if (faceIds.length === 0) return out;
    const r = await this.pool.query<SourceRow>(
      'SELECT face_id, url, grp, guid, face_index, x1, y1, x2, y2 FROM search_index_faces WHERE face_id = ANY ($1::bigint[])',
      [faceIds],
    );
    for (const row of r.rows) out.set(row.face_id, toSource(row));
    return out;
  }

  async thumbnails(faceIds: number[]): Promise<Map<number, Uint8Array>> {
    const out = new Map<number, Uint8Array>();
    if (faceIds.length === 0) return out;
    const r = await this.pool.query<{ face_id: number; webp: Buffer }>(
      'SELECT face_id, webp FROM search_index_faces WHERE face_id = ANY ($1::bigint[]) AND webp IS NOT NULL',
      [faceIds],
    );
    for (const row of r.rows) out.set(row.face_id, new Uint8Array(row.webp));
    return out;
  }

  async hasUrl(galleryId: number, url: string): Promise<boolean> {
    return ((await this.pool.query('SELECT 1 FROM search_index_faces WHERE gallery_id = $1 AND url = $2 LIMIT 1', [galleryId, url])).rowCount ?? 0) > 0;
  }

  async nthFaceId(galleryId: number, n: number): Promise<number | null> {
    const r = await this.pool.query<{ face_id: number }>('SELECT face_id FROM search_index_faces WHERE gallery_id = $1 ORDER BY face_id LIMIT 1 OFFSET $2', [
      galleryId,
      n - 1,
    ]);
    return r.rows[0]?.face_id ?? null;
  }

  async addOptOut(o: Omit<OptOut, 'id' | 'createdAt'>): Promise<OptOut> {
    const now = Date.now();
    const r = await this.pool.query<{ id: number }>(
      'INSERT INTO opt_outs (account_id, model_key, vector, reference, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [o.account, o.modelKey, vectorBytes(o.vector), o.reference, now],
    );
    return { ...o, id: r.rows[0]!.id, createdAt: new Date(now) };
  }

  async optOuts(account: string, modelKey: string): Promise<OptOut[]> {
    const r = await this.pool.query<OptOutRow>('SELECT * FROM opt_outs WHERE account_id = $1 AND model_key = $2 ORDER BY id', [account, modelKey]);
    return r.rows.map((x) => ({ id: x.id, account: x.account_id, modelKey: x.model_key, vector: toVector(x.vector), reference: x.reference, createdAt: new Date(x.created_at) }));
  }
}
