/**
 * The face store on SQLite (better-sqlite3). WAL with synchronous=FULL: a write is on disk
 * before it is acknowledged, power loss included; an enrolment costs an image analysis
 * (tens of ms), so one fsync per commit is cheap, and bulk enrolment is one commit.
 * secure_delete zeroes deleted rows' pages, so deleted templates do not linger in the file.
 * better-sqlite3 is synchronous: each method below runs to completion without interleaving.
 */
import type Database from 'better-sqlite3';
import { openDatabase, StatementCache } from './sqlite-database.js';
import { VisageError } from '../../../domain/error.registry.js';
import type { JsonValue } from '../../../domain/gallery.rules.js';
import type { ChangeFeed, GalleryChanges } from '../../../ports/change-feed.port.js';
import type {
  AddFaceResult,
  FacePage,
  FaceRef,
  FaceStore,
  Gallery,
  GalleryPatch,
  ListFacesQuery,
  NewFace,
  NewGallery,
  StoredFace,
  VectorRow,
} from '../../../ports/face-store.port.js';
import { FACE_COLUMNS, blobToVector, toFace, toGallery, vectorToBlob, type FaceRow, type GalleryRow } from './sqlite-face.rows.js';

const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
const galleryNotFound = () => new VisageError('GALLERY_NOT_FOUND', undefined, { param: 'gallery' });

export class SqliteFaceStore implements FaceStore, ChangeFeed {
  private readonly stmts: StatementCache;
  private readonly listeners = new Set<(galleryId: number, seq: number) => void>();

  /** Over the process's database handle (main/database.compose.ts). */
  constructor(
    private readonly db: Database.Database,
    /** Called by close(): releases the shared handle (or closes a handle of its own). */
    private readonly release: () => void = () => undefined,
  ) {
    this.stmts = new StatementCache(db);
  }

  /** Opens (creating) the database file on a handle of its own and brings its schema up to date. */
  static open(path: string): SqliteFaceStore {
    const db = openDatabase(path, { synchronous: 'FULL', secureDelete: true });
    return new SqliteFaceStore(db, () => db.close());
  }

  /** Statements are prepared once per SQL text (the face listing builds a few variants). */
  private st(sql: string): Database.Statement {
    return this.stmts.get(sql);
  }

  private galleryRow(id: number): GalleryRow | undefined {
    return this.st('SELECT * FROM galleries WHERE id = ?').get(id) as GalleryRow | undefined;
  }

  private faceIdOf(galleryId: number, ref: FaceRef): number | undefined {
    const row = ('id' in ref
      ? this.st('SELECT id FROM faces WHERE gallery_id = ? AND id = ?').get(galleryId, ref.id)
      : this.st('SELECT id FROM faces WHERE gallery_id = ? AND client_id = ?').get(galleryId, ref.clientId)) as { id: number } | undefined;
    return row?.id;
  }

  async createGallery(g: NewGallery): Promise<Gallery> {
    const now = Date.now();
    try {
      const row = this.st(
        `INSERT INTO galleries (account_id, name, description, model_key, dimensions, thumbnails, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      ).get(g.account, g.name, g.description, g.modelKey, g.dimensions, g.thumbnails ? 1 : 0, now, now) as GalleryRow;
      return toGallery(row);
    } catch (e) {
      if (isUniqueViolation(e)) throw new VisageError('GALLERY_EXISTS', `A gallery named ${g.name} already exists`, { param: 'name' });
      throw e;
    }
  }

  async listGalleries(account: string): Promise<Gallery[]> {
    return (this.st('SELECT * FROM galleries WHERE account_id = ? ORDER BY name').all(account) as GalleryRow[]).map(toGallery);
  }

  async listAllGalleries(): Promise<Gallery[]> {
    return (this.st('SELECT * FROM galleries ORDER BY id').all() as GalleryRow[]).map(toGallery);
  }

  async getGallery(account: string, name: string): Promise<Gallery | null> {
    const row = this.st('SELECT * FROM galleries WHERE account_id = ? AND name = ?').get(account, name) as GalleryRow | undefined;
    return row ? toGallery(row) : null;
  }

  async getGalleryById(id: number): Promise<Gallery | null> {
    const row = this.galleryRow(id);
    return row ? toGallery(row) : null;
  }

  async updateGallery(id: number, patch: GalleryPatch): Promise<Gallery> {
    const cur = this.galleryRow(id);
    if (!cur) throw galleryNotFound();
    const update = this.db.transaction(() => {
      const row = this.st('UPDATE galleries SET name = ?, description = ?, thumbnails = ?, updated_at = ? WHERE id = ? RETURNING *').get(
        patch.name ?? cur.name,
        patch.description ?? cur.description,
        patch.thumbnails === undefined ? cur.thumbnails : patch.thumbnails ? 1 : 0,
        Date.now(),
        id,
      ) as GalleryRow;
      if (patch.thumbnails === false) {
        // Turning thumbnails off deletes the ones kept (secure_delete zeroes their pages).
        this.st('DELETE FROM face_thumbnails WHERE face_id IN (SELECT id FROM faces WHERE gallery_id = ? AND has_thumbnail = 1)').run(id);
        this.st('UPDATE faces SET has_thumbnail = 0 WHERE gallery_id = ? AND has_thumbnail = 1').run(id);
      }
      return row;
    });
    try {
      return toGallery(update.immediate());
    } catch (e) {
      if (isUniqueViolation(e)) throw new VisageError('GALLERY_EXISTS', `A gallery named ${patch.name} already exists`, { param: 'name' });
      throw e;
    }
  }

  async deleteGallery(id: number): Promise<boolean> {
    // Faces and the removal log go with it (ON DELETE CASCADE), in one transaction.
    return this.st('DELETE FROM galleries WHERE id = ?').run(id).changes > 0;
  }

  async addFaces(galleryId: number, faces: NewFace[]): Promise<{ results: AddFaceResult[]; seq: number }> {
    const insert = this.st(
      `INSERT INTO faces (gallery_id, client_id, meta, x1, y1, x2, y2, landmarks, photo_hash, has_thumbnail, seq, created_at, updated_at, vector)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING ${FACE_COLUMNS}`,
    );
    const insertThumbnail = this.st('INSERT INTO face_thumbnails (face_id, jpeg) VALUES (?, ?)');
    const tx = this.db.transaction(() => {
      const g = this.galleryRow(galleryId);
      if (!g) throw galleryNotFound();
      const seq = g.seq + 1;
      const now = Date.now();
      let added = 0;
      const results = faces.map((f): AddFaceResult => {
        if (f.vector.length !== g.dimensions) throw new Error(`vector has ${f.vector.length} dimensions, gallery ${g.dimensions}`);
        const b = f.box;
        const row = insert.get(
          galleryId,
          f.clientId ?? null,
          f.meta === undefined ? null : JSON.stringify(f.meta),
          b?.x1 ?? null,
          b?.y1 ?? null,
          b?.x2 ?? null,
          b?.y2 ?? null,
          f.landmarks ? JSON.stringify(f.landmarks) : null,
          f.photoHash ?? null,
          f.thumbnail && g.thumbnails === 1 ? 1 : 0,
          seq,
          now,
          now,
          vectorToBlob(f.vector),
        ) as FaceRow | undefined;
        // The only unique key a face insert can hit is (gallery, client id).
        if (!row) return { ok: false, code: 'DUPLICATE_ID', clientId: f.clientId ?? '' };
        if (row.has_thumbnail === 1) insertThumbnail.run(row.id, Buffer.from(f.thumbnail!.buffer, f.thumbnail!.byteOffset, f.thumbnail!.byteLength));
        added++;
        return { ok: true, face: toFace(row) };
      });
      if (added > 0) this.st('UPDATE galleries SET face_count = face_count + ?, seq = ?, updated_at = ? WHERE id = ?').run(added, seq, now, galleryId);
      return { results, seq: added > 0 ? seq : g.seq };
    });
    const out = tx.immediate();
    if (out.results.some((r) => r.ok)) this.changed(galleryId, out.seq);
    return out;
  }

  async getFace(galleryId: number, ref: FaceRef): Promise<StoredFace | null> {
    const row = ('id' in ref
      ? this.st(`SELECT ${FACE_COLUMNS} FROM faces WHERE gallery_id = ? AND id = ?`).get(galleryId, ref.id)
      : this.st(`SELECT ${FACE_COLUMNS} FROM faces WHERE gallery_id = ? AND client_id = ?`).get(galleryId, ref.clientId)) as FaceRow | undefined;
    return row ? toFace(row) : null;
  }

  async getFacesByIds(galleryId: number, ids: number[]): Promise<Map<number, StoredFace>> {
    const out = new Map<number, StoredFace>();
    if (ids.length === 0) return out;
    // json_each keeps it one statement for any number of ids (search limit is up to 1,000).
    const rows = this.st(
      `SELECT ${FACE_COLUMNS} FROM faces WHERE gallery_id = ? AND id IN (SELECT value FROM json_each(?))`,
    ).all(galleryId, JSON.stringify(ids)) as FaceRow[];
    for (const r of rows) out.set(r.id, toFace(r));
    return out;
  }

  async listFaces(galleryId: number, q: ListFacesQuery): Promise<FacePage> {
    const where = ['gallery_id = ?'];
    const args: unknown[] = [galleryId];
    if (q.cursor !== undefined) (where.push('id < ?'), args.push(q.cursor));
    if (q.idFrom !== undefined) (where.push('id >= ?'), args.push(q.idFrom));
    if (q.idTo !== undefined) (where.push('id <= ?'), args.push(q.idTo));
    if (q.metaContains !== undefined && q.metaContains !== '') {
      // Meta is stored as JSON text: look for the needle as it appears once JSON-escaped.
      where.push('instr(meta, ?) > 0');
      args.push(JSON.stringify(q.metaContains).slice(1, -1));
    }
    if (q.metaField) {
      where.push('CAST(json_extract(meta, ?) AS TEXT) = ?');
      args.push(`$.${q.metaField.path}`, q.metaField.value);
    }
    const offset = q.cursor === undefined && q.offset ? q.offset : 0;
    const sql = `SELECT ${FACE_COLUMNS} FROM faces WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ? OFFSET ?`;
    const rows = this.st(sql).all(...args, q.limit + 1, offset) as FaceRow[];
    const more = rows.length > q.limit;
    const faces = rows.slice(0, q.limit).map(toFace);
    return { faces, nextCursor: more ? faces[faces.length - 1]!.id : null };
  }

  async getThumbnail(galleryId: number, ref: FaceRef): Promise<Uint8Array | null> {
    const id = this.faceIdOf(galleryId, ref);
    if (id === undefined) return null;
    const row = this.st('SELECT jpeg FROM face_thumbnails WHERE face_id = ?').get(id) as { jpeg: Buffer } | undefined;
    return row ? new Uint8Array(row.jpeg.buffer, row.jpeg.byteOffset, row.jpeg.byteLength) : null;
  }

  async updateFaceMeta(galleryId: number, ref: FaceRef, meta: JsonValue | null): Promise<StoredFace | null> {
    const id = this.faceIdOf(galleryId, ref);
    if (id === undefined) return null;
    const row = this.st(`UPDATE faces SET meta = ?, updated_at = ? WHERE id = ? RETURNING ${FACE_COLUMNS}`).get(
      meta === null ? null : JSON.stringify(meta),
      Date.now(),
      id,
    ) as FaceRow | undefined;
    return row ? toFace(row) : null;
  }

  async deleteFaces(galleryId: number, refs: FaceRef[]): Promise<{ deleted: (number | null)[]; seq: number }> {
    const tx = this.db.transaction(() => {
      const g = this.galleryRow(galleryId);
      if (!g) throw galleryNotFound();
      const seq = g.seq + 1;
      let n = 0;
      const deleted = refs.map((ref) => {
        const id = this.faceIdOf(galleryId, ref);
        if (id === undefined) return null;
        this.st('DELETE FROM faces WHERE id = ?').run(id);
        this.st('INSERT OR REPLACE INTO face_removals (gallery_id, face_id, seq) VALUES (?, ?, ?)').run(galleryId, id, seq);
        n++;
        return id;
      });
      if (n > 0) this.st('UPDATE galleries SET face_count = face_count - ?, seq = ?, updated_at = ? WHERE id = ?').run(n, seq, Date.now(), galleryId);
      return { deleted, seq: n > 0 ? seq : g.seq };
    });
    const out = tx.immediate();
    if (out.deleted.some((d) => d !== null)) this.changed(galleryId, out.seq);
    return out;
  }

  async vectorState(galleryId: number): Promise<{ count: number; seq: number }> {
    const g = this.galleryRow(galleryId);
    if (!g) throw galleryNotFound();
    return { count: g.face_count, seq: g.seq };
  }

  async *iterateVectors(galleryId: number, opts: { afterSeq?: number; batchSize?: number } = {}): AsyncIterable<VectorRow[]> {
    const batch = opts.batchSize ?? 2000;
    const afterSeq = opts.afterSeq ?? -1;
    // Keyset paging: no statement stays open across the awaits of the consumer.
    const page = this.st('SELECT id, vector FROM faces WHERE gallery_id = ? AND seq > ? AND id > ? ORDER BY id LIMIT ?');
    let last = 0;
    for (;;) {
      const rows = page.all(galleryId, afterSeq, last, batch) as { id: number; vector: Buffer }[];
      if (rows.length === 0) return;
      last = rows[rows.length - 1]!.id;
      yield rows.map((r) => ({ id: r.id, vector: blobToVector(r.vector) }));
      if (rows.length < batch) return;
    }
  }

  async removedSince(galleryId: number, afterSeq: number): Promise<number[] | null> {
    const g = this.galleryRow(galleryId);
    if (!g) throw galleryNotFound();
    if (afterSeq < g.pruned_seq) return null;
    return (this.st('SELECT face_id FROM face_removals WHERE gallery_id = ? AND seq > ?').all(galleryId, afterSeq) as { face_id: number }[]).map(
      (r) => r.face_id,
    );
  }

  async pruneRemovedLog(galleryId: number, uptoSeq: number): Promise<void> {
    this.db.transaction(() => {
      this.st('DELETE FROM face_removals WHERE gallery_id = ? AND seq <= ?').run(galleryId, uptoSeq);
      this.st('UPDATE galleries SET pruned_seq = max(pruned_seq, ?) WHERE id = ?').run(uptoSeq, galleryId);
    })();
  }

  async changesSince(galleryId: number, afterSeq: number): Promise<GalleryChanges | null> {
    // Read in one snapshot order: the mark first, so changes committed meanwhile are either
    // counted in it or replayed again next time (adds replace, removes are idempotent).
    const { count, seq } = await this.vectorState(galleryId);
    const removed = await this.removedSince(galleryId, afterSeq);
    if (!removed) return null;
    return { seq, count, removed, added: this.iterateVectors(galleryId, { afterSeq }) };
  }

  /**
   * SQLite cannot tell another process's connection that something changed; listeners hear
   * this process's own commits, and other writers are found by comparing marks.
   */
  subscribe(listener: (galleryId: number, seq: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(galleryId: number, seq: number): void {
    for (const l of this.listeners) l(galleryId, seq);
  }

  async close(): Promise<void> {
    if (this.db.open) this.release();
  }
}
