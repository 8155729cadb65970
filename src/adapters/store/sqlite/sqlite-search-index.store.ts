/** The search index's own rows (migration 0008) on the process's SQLite handle. */
import type Database from 'better-sqlite3';
import type { IndexFaceSource, OptOut, SearchIndexStore } from '../../../ports/search-index-store.port.js';
import { migrate, StatementCache } from './sqlite-database.js';
import { toSource, toVector, type SourceRow } from '../search-index.rows.js';

export class SqliteSearchIndexStore implements SearchIndexStore {
  private readonly s: StatementCache;

  constructor(private readonly db: Database.Database) {
    migrate(db);
    this.s = new StatementCache(db);
  }

  async markIndex(galleryId: number, account: string): Promise<void> {
    this.db.transaction(() => {
      const has = this.s.get('SELECT 1 FROM search_indexes WHERE account_id = ? AND is_default = 1').get(account);
      this.s.get('INSERT OR IGNORE INTO search_indexes (gallery_id, account_id, is_default) VALUES (?, ?, ?)').run(galleryId, account, has ? 0 : 1);
    })();
  }

  async isIndex(galleryId: number): Promise<boolean> {
    return this.s.get('SELECT 1 FROM search_indexes WHERE gallery_id = ?').get(galleryId) !== undefined;
  }

  async indexIds(account: string): Promise<{ galleryId: number; isDefault: boolean }[]> {
    const rows = this.s.get('SELECT gallery_id, is_default FROM search_indexes WHERE account_id = ? ORDER BY is_default DESC, gallery_id').all(account) as {
      gallery_id: number;
      is_default: number;
    }[];
    return rows.map((r) => ({ galleryId: r.gallery_id, isDefault: r.is_default === 1 }));
  }

  async setDefault(account: string, galleryId: number): Promise<void> {
    this.db.transaction(() => {
      this.s.get('UPDATE search_indexes SET is_default = 0 WHERE account_id = ?').run(account);
      this.s.get('UPDATE search_indexes SET is_default = 1 WHERE account_id = ? AND gallery_id = ?').run(account, galleryId);
    })();
  }

  async addSources(galleryId: number, rows: (IndexFaceSource & { webp: Uint8Array | null })[]): Promise<void> {
    const ins = this.s.get(
      'INSERT OR REPLACE INTO search_index_faces (face_id, gallery_id, url, grp, guid, face_index, x1, y1, x2, y2, webp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const r of rows) {
        ins.run(r.faceId, galleryId, r.url, r.group, r.guid, r.faceIndex, r.box?.x1 ?? null, r.box?.y1 ?? null, r.box?.x2 ?? null, r.box?.y2 ?? null, r.webp ? Buffer.from(r.webp) : null);
      }
    })();
  }

  async sources(faceIds: number[]): Promise<Map<number, IndexFaceSource>> {
    const out = new Map<number, IndexFaceSource>();
    const q = this.s.get('SELECT face_id, url, grp, guid, face_index, x1, y1, x2, y2 FROM search_index_faces WHERE face_id = ?');
    for (const id of faceIds) {
      const r = q.get(id) as SourceRow | undefined;
      if (r) out.set(id, toSource(r));
    }
    return out;
  }

  async thumbnails(faceIds: number[]): Promise<Map<number, Uint8Array>> {
    const out = new Map<number, Uint8Array>();
    const q = this.s.get('SELECT webp FROM search_index_faces WHERE face_id = ?');
    for (const id of faceIds) {
      const r = q.get(id) as { webp: Buffer | null } | undefined;
      if (r?.webp) out.set(id, new Uint8Array(r.webp));
    }
    return out;
  }

  async hasUrl(galleryId: number, url: string): Promise<boolean> {
    return this.s.get('SELECT 1 FROM search_index_faces WHERE gallery_id = ? AND url = ? LIMIT 1').get(galleryId, url) !== undefined;
  }

  async nthFaceId(galleryId: number, n: number): Promise<number | null> {
    const r = this.s.get('SELECT face_id FROM search_index_faces WHERE gallery_id = ? ORDER BY face_id LIMIT 1 OFFSET ?').get(galleryId, n - 1) as
      | { face_id: number }
      | undefined;
    return r?.face_id ?? null;
  }

  async addOptOut(o: Omit<OptOut, 'id' | 'createdAt'>): Promise<OptOut> {
    const now = Date.now();
    const r = this.s
      .get('INSERT INTO opt_outs (account_id, model_key, vector, reference, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(o.account, o.modelKey, Buffer.from(o.vector.buffer, o.vector.byteOffset, o.vector.byteLength), o.reference, now);
    return { ...o, id: Number(r.lastInsertRowid), createdAt: new Date(now) };
  }

  async optOuts(account: string, modelKey: string): Promise<OptOut[]> {
    const rows = this.s.get('SELECT * FROM opt_outs WHERE account_id = ? AND model_key = ? ORDER BY id').all(account, modelKey) as {
      id: number;
      account_id: string;
      model_key: string;
      vector: Buffer;
      reference: string | null;
      created_at: number;
    }[];
    return rows.map((r) => ({ id: r.id, account: r.account_id, modelKey: r.model_key, vector: toVector(r.vector), reference: r.reference, createdAt: new Date(r.created_at) }));
  }
}
