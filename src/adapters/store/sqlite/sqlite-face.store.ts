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
  IndexMark,
  ListFacesQuery,
  MetaCount,
  NewFace,
  NewGallery,
  StoredFace,
  VectorRow,
} from '../../../ports/face-store.port.js';
import { FACE_COLUMNS, F_COLUMNS, blobToVector, toFace, toGallery, vectorToBlob, type FaceRow, type GalleryRow } from './sqlite-face.rows.js';

const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
const galleryNotFound = () => new VisageError('GALLERY_NOT_FOUND', undefined, { param: 'gallery' });
/** Visible galleries only: an account set is reached through accountSet() and by id. */
const VISIBLE = 'account_set = 0';

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

  /** A member of the gallery by internal id or client id (the lowest id if a client id repeats across galleries). */
  private faceIdOf(galleryId: number, ref: FaceRef): number | undefined {
    const row = ('id' in ref
      ? this.st('SELECT face_id AS id FROM face_galleries WHERE gallery_id = ? AND face_id = ?').get(galleryId, ref.id)
      : this.st('SELECT f.id FROM faces f JOIN face_galleries m ON m.face_id = f.id AND m.gallery_id = ? WHERE f.client_id = ? ORDER BY f.id LIMIT 1').get(
          galleryId,
          ref.clientId,
        )) as { id: number } | undefined;
    return row?.id;
  }

  /** The account set row of a gallery's account and model, created on first use. */
  private accountSetRow(account: string, modelKey: string, dimensions: number): GalleryRow {
    const name = `*account:${modelKey}`;
    const found = this.st('SELECT * FROM galleries WHERE account_id = ? AND name = ? AND account_set = 1').get(account, name) as GalleryRow | undefined;
    if (found) return found;
    const now = Date.now();
    return this.st(
      `INSERT INTO galleries (account_id, name, description, model_key, dimensions, created_at, updated_at, account_set)
       VALUES (?, ?, '', ?, ?, ?, ?, 1) RETURNING *`,
    ).get(account, name, modelKey, dimensions, now, now) as GalleryRow;
  }

  /** Bumps a gallery's mark by one and its count by `delta`; the new mark. */
  private bump(galleryId: number, delta: number, now = Date.now()): number {
    const r = this.st('UPDATE galleries SET face_count = face_count + ?, seq = seq + 1, updated_at = ? WHERE id = ? RETURNING seq').get(delta, now, galleryId) as { seq: number };
    return r.seq;
  }

  /** Every gallery (account set included) a face is in, with its pending count change. */
  private membershipsOf(faceId: number): number[] {
    return (this.st('SELECT gallery_id FROM face_galleries WHERE face_id = ?').all(faceId) as { gallery_id: number }[]).map((r) => r.gallery_id);
  }

  /** Applies the count changes of a transaction: one mark per gallery, removals logged at it. */
  private settle(pending: Map<number, number>, removedFrom: Map<number, number[]>): IndexMark[] {
    const now = Date.now();
    const marks: IndexMark[] = [];
    for (const [galleryId, delta] of pending) {
      const seq = this.bump(galleryId, delta, now);
      for (const id of removedFrom.get(galleryId) ?? []) this.st('INSERT OR REPLACE INTO face_removals (gallery_id, face_id, seq) VALUES (?, ?, ?)').run(galleryId, id, seq);
      marks.push({ galleryId, seq });
    }
    return marks;
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
    return (this.st(`SELECT * FROM galleries WHERE account_id = ? AND ${VISIBLE} ORDER BY name`).all(account) as GalleryRow[]).map(toGallery);
  }

  async listAllGalleries(): Promise<Gallery[]> {
    return (this.st('SELECT * FROM galleries ORDER BY id').all() as GalleryRow[]).map(toGallery);
  }

  async getGallery(account: string, name: string): Promise<Gallery | null> {
    const row = this.st(`SELECT * FROM galleries WHERE account_id = ? AND name = ? AND ${VISIBLE}`).get(account, name) as GalleryRow | undefined;
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
    const tx = this.db.transaction(() => {
      const g = this.galleryRow(id);
      if (!g) return false;
      const pending = new Map<number, number>();
      const removedFrom = new Map<number, number[]>();
      // Faces created here but also in other galleries move there (they keep their client id
      // unless the new gallery already has it); the others are deleted from everywhere.
      const homed = this.st(
        `SELECT f.id, (SELECT min(m.gallery_id) FROM face_galleries m JOIN galleries x ON x.id = m.gallery_id AND x.account_set = 0
                       WHERE m.face_id = f.id AND m.gallery_id != ?) AS other
         FROM faces f WHERE f.gallery_id = ?`,
      ).all(id, id) as { id: number; other: number | null }[];
      for (const f of homed) {
        if (f.other !== null) {
          try {
            this.st('UPDATE faces SET gallery_id = ? WHERE id = ?').run(f.other, f.id);
          } catch (e) {
            if (!isUniqueViolation(e)) throw e;
            this.st('UPDATE faces SET gallery_id = ?, client_id = NULL WHERE id = ?').run(f.other, f.id);
          }
          continue;
        }
        for (const gid of this.membershipsOf(f.id)) {
          if (gid === id) continue;
          pending.set(gid, (pending.get(gid) ?? 0) - 1);
          removedFrom.set(gid, [...(removedFrom.get(gid) ?? []), f.id]);
        }
        this.st('DELETE FROM faces WHERE id = ?').run(f.id);
      }
      this.settle(pending, removedFrom);
      // Memberships, the removal log and the faces left go with it (ON DELETE CASCADE).
      return this.st('DELETE FROM galleries WHERE id = ?').run(id).changes > 0;
    });
    return tx.immediate();
  }

  async addFaces(galleryId: number, faces: NewFace[]): Promise<{ results: AddFaceResult[]; seq: number; marks: IndexMark[] }> {
    const insert = this.st(
      `INSERT INTO faces (gallery_id, client_id, meta, x1, y1, x2, y2, landmarks, photo_hash, has_thumbnail, person_id, seq, created_at, updated_at, vector)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING ${FACE_COLUMNS}`,
    );
    const member = this.st('INSERT INTO face_galleries (gallery_id, face_id, seq) VALUES (?, ?, ?)');
    const insertThumbnail = this.st('INSERT INTO face_thumbnails (face_id, jpeg) VALUES (?, ?)');
    const tx = this.db.transaction(() => {
      const g = this.galleryRow(galleryId);
      if (!g || g.account_set === 1) throw galleryNotFound();
      const seq = g.seq + 1;
      const set = this.accountSetRow(g.account_id, g.model_key, g.dimensions);
      const setSeq = set.seq + 1;
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
          f.personId ?? null,
          seq,
          now,
          now,
          vectorToBlob(f.vector),
        ) as FaceRow | undefined;
        // The only unique key a face insert can hit is (gallery, client id).
        if (!row) return { ok: false, code: 'DUPLICATE_ID', clientId: f.clientId ?? '' };
        member.run(galleryId, row.id, seq);
        member.run(set.id, row.id, setSeq);
        if (row.has_thumbnail === 1) insertThumbnail.run(row.id, Buffer.from(f.thumbnail!.buffer, f.thumbnail!.byteOffset, f.thumbnail!.byteLength));
        added++;
        return { ok: true, face: toFace(row) };
      });
      if (added === 0) return { results, seq: g.seq, marks: [] };
      this.bump(galleryId, added, now);
      this.bump(set.id, added, now);
      return { results, seq, marks: [{ galleryId, seq }, { galleryId: set.id, seq: setSeq }] };
    });
    const out = tx.immediate();
    for (const m of out.marks) this.changed(m.galleryId, m.seq);
    return out;
  }

  async getFace(galleryId: number, ref: FaceRef): Promise<StoredFace | null> {
    const row = ('id' in ref
      ? this.st(`SELECT ${F_COLUMNS} FROM face_galleries m JOIN faces f ON f.id = m.face_id WHERE m.gallery_id = ? AND m.face_id = ?`).get(galleryId, ref.id)
      : this.st(`SELECT ${F_COLUMNS} FROM faces f JOIN face_galleries m ON m.face_id = f.id AND m.gallery_id = ? WHERE f.client_id = ? ORDER BY f.id LIMIT 1`).get(
          galleryId,
          ref.clientId,
        )) as FaceRow | undefined;
    return row ? toFace(row) : null;
  }

  async getFacesByIds(galleryId: number, ids: number[]): Promise<Map<number, StoredFace>> {
    const out = new Map<number, StoredFace>();
    if (ids.length === 0) return out;
    // json_each keeps it one statement for any number of ids (search limit is up to 1,000).
    // CROSS JOIN pins json_each as the outer loop: left to itself the planner scanned every
    // member of the gallery per id list (28 ms a search of a 12k-face account set; now a lookup).
    const rows = this.st(
      `SELECT ${F_COLUMNS} FROM json_each(?) j CROSS JOIN face_galleries m ON m.gallery_id = ? AND m.face_id = j.value CROSS JOIN faces f ON f.id = m.face_id`,
    ).all(JSON.stringify(ids), galleryId) as FaceRow[];
    for (const r of rows) out.set(r.id, toFace(r));
    return out;
  }

  async listFaces(galleryId: number, q: ListFacesQuery): Promise<FacePage> {
    const where = ['m.gallery_id = ?'];
    const args: unknown[] = [galleryId];
    if (q.cursor !== undefined) (where.push('m.face_id < ?'), args.push(q.cursor));
    if (q.idFrom !== undefined) (where.push('m.face_id >= ?'), args.push(q.idFrom));
    if (q.idTo !== undefined) (where.push('m.face_id <= ?'), args.push(q.idTo));
    if (q.metaEquals !== undefined) (where.push('f.meta = ?'), args.push(JSON.stringify(q.metaEquals)));
    if (q.personId !== undefined) (where.push('f.person_id = ?'), args.push(q.personId));
    if (q.metaContains !== undefined && q.metaContains !== '') {
      // Meta is stored as JSON text: look for the needle as it appears once JSON-escaped.
      where.push('instr(f.meta, ?) > 0');
      args.push(JSON.stringify(q.metaContains).slice(1, -1));
    }
    if (q.metaField) {
      where.push('CAST(json_extract(f.meta, ?) AS TEXT) = ?');
      args.push(`$.${q.metaField.path}`, q.metaField.value);
    }
    const offset = q.cursor === undefined && q.offset ? q.offset : 0;
    const sql = `SELECT ${F_COLUMNS} FROM face_galleries m JOIN faces f ON f.id = m.face_id WHERE ${where.join(' AND ')} ORDER BY m.face_id DESC LIMIT ? OFFSET ?`;
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

  async deleteFaces(galleryId: number, refs: FaceRef[]): Promise<{ deleted: (number | null)[]; seq: number; marks: IndexMark[] }> {
    const tx = this.db.transaction(() => {
      const g = this.galleryRow(galleryId);
      if (!g || g.account_set === 1) throw galleryNotFound();
      const pending = new Map<number, number>();
      const removedFrom = new Map<number, number[]>();
      const out = (gid: number, id: number) => {
        pending.set(gid, (pending.get(gid) ?? 0) - 1);
        removedFrom.set(gid, [...(removedFrom.get(gid) ?? []), id]);
      };
      const deleted = refs.map((ref) => {
        const id = this.faceIdOf(galleryId, ref);
        if (id === undefined || removedFrom.get(galleryId)?.includes(id)) return id === undefined ? null : id;
        const others = this.st('SELECT count(*) AS n FROM face_galleries m JOIN galleries x ON x.id = m.gallery_id AND x.account_set = 0 WHERE m.face_id = ? AND m.gallery_id != ?').get(id, galleryId) as { n: number };
        if (others.n > 0) {
          // Still in another gallery: it only leaves this one.
          this.st('DELETE FROM face_galleries WHERE gallery_id = ? AND face_id = ?').run(galleryId, id);
          out(galleryId, id);
        } else {
          for (const gid of this.membershipsOf(id)) out(gid, id);
          this.st('DELETE FROM faces WHERE id = ?').run(id);
        }
        return id;
      });
      const marks = this.settle(pending, removedFrom);
      return { deleted, seq: marks.find((m) => m.galleryId === galleryId)?.seq ?? g.seq, marks };
    });
    const out = tx.immediate();
    for (const m of out.marks) this.changed(m.galleryId, m.seq);
    return out;
  }

  async accountSet(account: string, modelKey: string, dimensions: number): Promise<Gallery> {
    return toGallery(this.db.transaction(() => this.accountSetRow(account, modelKey, dimensions)).immediate());
  }

  async getAccountFace(account: string, id: number): Promise<StoredFace | null> {
    const row = this.st(`SELECT ${F_COLUMNS} FROM faces f JOIN galleries g ON g.id = f.gallery_id WHERE f.id = ? AND g.account_id = ?`).get(id, account) as FaceRow | undefined;
    return row ? toFace(row) : null;
  }

  async faceGalleryIds(faceIds: number[]): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>(faceIds.map((id) => [id, []]));
    if (faceIds.length === 0) return out;
    const rows = this.st(
      `SELECT m.face_id, m.gallery_id FROM json_each(?) j JOIN face_galleries m ON m.face_id = j.value
       JOIN galleries x ON x.id = m.gallery_id AND x.account_set = 0 ORDER BY m.gallery_id`,
    ).all(JSON.stringify(faceIds)) as { face_id: number; gallery_id: number }[];
    for (const r of rows) out.get(r.face_id)?.push(r.gallery_id);
    return out;
  }

  async changeFaceGalleries(faceId: number, change: { add: number[]; remove: number[] }): Promise<{ marks: IndexMark[] }> {
    const tx = this.db.transaction(() => {
      const face = this.st('SELECT f.id, f.client_id, f.seq, g.account_id FROM faces f JOIN galleries g ON g.id = f.gallery_id WHERE f.id = ?').get(faceId) as
        | { id: number; client_id: string | null; account_id: string }
        | undefined;
      if (!face) throw new VisageError('FACE_NOT_FOUND', `Face ${faceId} does not exist`, { param: 'id' });
      const pending = new Map<number, number>();
      const removedFrom = new Map<number, number[]>();
      const addTo: number[] = [];
      for (const gid of new Set(change.add)) {
        const g = this.galleryRow(gid);
        if (!g || g.account_set === 1 || g.account_id !== face.account_id) throw galleryNotFound();
        if (this.st('SELECT 1 FROM face_galleries WHERE gallery_id = ? AND face_id = ?').get(gid, faceId)) continue;
        if (face.client_id !== null && this.faceIdOf(gid, { clientId: face.client_id }) !== undefined) {
          throw new VisageError('DUPLICATE_ID', `A face with id ${face.client_id} already exists in gallery ${g.name}`, { param: 'id' });
        }
        pending.set(gid, 1);
        addTo.push(gid);
      }
      for (const gid of new Set(change.remove)) {
        if (pending.has(gid)) continue;
        const r = this.st('DELETE FROM face_galleries WHERE gallery_id = ? AND face_id = ? AND gallery_id IN (SELECT id FROM galleries WHERE account_set = 0)').run(gid, faceId);
        if (r.changes === 0) continue;
        pending.set(gid, -1);
        removedFrom.set(gid, [faceId]);
      }
      const marks = this.settle(pending, removedFrom);
      for (const gid of addTo) {
        const seq = marks.find((m) => m.galleryId === gid)!.seq;
        this.st('INSERT INTO face_galleries (gallery_id, face_id, seq) VALUES (?, ?, ?)').run(gid, faceId, seq);
        // A face that left a gallery and comes back is no longer a removal there.
        this.st('DELETE FROM face_removals WHERE gallery_id = ? AND face_id = ?').run(gid, faceId);
      }
      return { marks };
    });
    const out = tx.immediate();
    for (const m of out.marks) this.changed(m.galleryId, m.seq);
    return out;
  }

  async deleteFace(faceId: number): Promise<{ marks: IndexMark[] } | null> {
    const tx = this.db.transaction(() => {
      const gids = this.membershipsOf(faceId);
      if (!this.st('SELECT 1 FROM faces WHERE id = ?').get(faceId)) return null;
      const pending = new Map<number, number>(gids.map((g) => [g, -1]));
      const removedFrom = new Map<number, number[]>(gids.map((g) => [g, [faceId]]));
      this.st('DELETE FROM faces WHERE id = ?').run(faceId);
      return { marks: this.settle(pending, removedFrom) };
    });
    const out = tx.immediate();
    for (const m of out?.marks ?? []) this.changed(m.galleryId, m.seq);
    return out;
  }

  async updateFace(faceId: number, patch: { meta?: JsonValue | null; personId?: number | null }): Promise<StoredFace | null> {
    const cur = this.st('SELECT meta, person_id FROM faces WHERE id = ?').get(faceId) as { meta: string | null; person_id: number | null } | undefined;
    if (!cur) return null;
    const meta = patch.meta === undefined ? cur.meta : patch.meta === null ? null : JSON.stringify(patch.meta);
    const person = patch.personId === undefined ? cur.person_id : patch.personId;
    const row = this.st(`UPDATE faces SET meta = ?, person_id = ?, updated_at = ? WHERE id = ? RETURNING ${FACE_COLUMNS}`).get(meta, person, Date.now(), faceId) as FaceRow | undefined;
    return row ? toFace(row) : null;
  }

  async metaCounts(galleryId: number): Promise<MetaCount[]> {
    const rows = this.st(
      `SELECT ${F_COLUMNS}, c.n AS meta_count FROM (
         SELECT f2.meta AS meta, count(*) AS n, max(f2.id) AS newest FROM face_galleries m2 JOIN faces f2 ON f2.id = m2.face_id
         WHERE m2.gallery_id = ? GROUP BY f2.meta
       ) c JOIN faces f ON f.id = c.newest ORDER BY c.meta`,
    ).all(galleryId) as (FaceRow & { meta_count: number })[];
    return rows.map((r) => {
      const face = toFace(r);
      return { meta: face.meta, count: r.meta_count, face };
    });
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
    const page = this.st(
      'SELECT f.id, f.vector FROM face_galleries m JOIN faces f ON f.id = m.face_id WHERE m.gallery_id = ? AND m.seq > ? AND m.face_id > ? ORDER BY m.face_id LIMIT ?',
    );
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
