/**
 * The face store and change feed on PostgreSQL: the same contract as SQLite's
 * (test/ports/face-store.contract.ts), shared by every node on one database.
 *
 * Concurrency: every write locks the rows of the galleries whose mark it moves (SELECT … FOR
 * UPDATE, or the UPDATE of the bump) for the rest of its transaction, so marks and face seqs
 * are assigned in commit order per gallery, as SQLite's one writer does. Two writes that lock
 * a gallery and its account set in opposite orders may deadlock; PostgreSQL aborts one, and it
 * is run again (as is a serialization failure), at most five times.
 *
 * The feed: a commit's marks are told to this process's listeners at once, and to every other
 * node through NOTIFY in the same transaction (pg-mark.listener.ts). A deleted template stays
 * in dead row versions until (auto)vacuum reclaims the space (SQLite's secure_delete has no
 * PostgreSQL equivalent); run `VACUUM faces` where that must happen sooner.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
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
import { MARKS_CHANNEL, PgMarkListener } from './pg-mark.listener.js';
import { PG_FACE_COLUMNS, PG_F_COLUMNS, pgBytesToVector, pgToFace, pgToGallery, pgVectorBytes, type PgFaceRow, type PgGalleryRow } from './pg-face.rows.js';

type Q = pg.Pool | pg.PoolClient;
const isUniqueViolation = (e: unknown) => (e as { code?: string }).code === '23505';
const isRetryable = (e: unknown) => ['40P01', '40001'].includes((e as { code?: string }).code ?? '');
const galleryNotFound = () => new VisageError('GALLERY_NOT_FOUND', undefined, { param: 'gallery' });

export class PgFaceStore implements FaceStore, ChangeFeed {
  private readonly listeners = new Set<(galleryId: number, seq: number) => void>();
  private readonly remote = new Set<(galleryId: number, seq: number) => void>();
  /** Marks this store's own NOTIFYs, which its listener skips (they were told already). */
  private readonly token = randomBytes(8).toString('hex');
  private readonly listener: PgMarkListener;

  constructor(
    private readonly pool: pg.Pool,
    /** Called by close(): releases the shared pool (or ends a pool of its own). */
    private readonly release: () => Promise<void> = async () => undefined,
    /**
     * Deletion log entries younger than this survive a prune: several nodes keep their own
     * indexes at their own marks, and one node's save must not force another to rebuild.
     */
    private readonly removalRetentionMs = 0,
  ) {
    const schema = pool.query<{ s: string }>('SELECT current_schema() AS s').then((r) => r.rows[0]!.s);
    schema.catch(() => undefined);
    // pg keeps the pool's settings (URL, search_path, type parsers) in options.
    const config = (pool as unknown as { options: pg.ClientConfig }).options;
    this.listener = new PgMarkListener(config, schema, this.token, (g, s) => {
      this.tell(g, s);
      for (const l of this.remote) l(g, s);
    });
  }

  /**
   * Only other nodes' commits (this process's own are applied by the writer that made them):
   * what a node's index cache follows.
   */
  subscribeRemote(listener: (galleryId: number, seq: number) => void): () => void {
    this.remote.add(listener);
    void this.listener.start();
    return () => this.remote.delete(listener);
  }

  /** Settles once notifications of other nodes' commits are being received. */
  listening(): Promise<void> {
    return this.listener.start();
  }

  /** Runs `fn` in one transaction, again on a deadlock or serialization failure; then tells the marks. */
  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const c = await this.pool.connect();
      try {
        await c.query('BEGIN');
        const out = await fn(c);
        const marks = (out as { marks?: IndexMark[] } | null)?.marks ?? [];
        if (marks.length > 0) {
          await c.query(
            `SELECT pg_notify('${MARKS_CHANNEL}', current_schema() || chr(9) || $1 || chr(9) || m.g || chr(9) || m.s) FROM unnest($2::bigint[], $3::bigint[]) AS m(g, s)`,
            [this.token, marks.map((m) => m.galleryId), marks.map((m) => m.seq)],
          );
        }
        await c.query('COMMIT');
        for (const m of marks) this.tell(m.galleryId, m.seq);
        return out;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        if (attempt < 5 && isRetryable(e)) continue;
        throw e;
      } finally {
        c.release();
      }
    }
  }

  private async galleryRow(q: Q, id: number, lock = false): Promise<PgGalleryRow | undefined> {
    return (await q.query<PgGalleryRow>(`SELECT * FROM galleries WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])).rows[0];
  }

  /** A member of the gallery by internal id or client id (the lowest id if a client id repeats across galleries). */
  private async faceIdOf(q: Q, galleryId: number, ref: FaceRef): Promise<number | undefined> {
    const r =
      'id' in ref
        ? await q.query<{ id: number }>('SELECT face_id AS id FROM face_galleries WHERE gallery_id = $1 AND face_id = $2', [galleryId, ref.id])
        : await q.query<{ id: number }>(
            'SELECT f.id FROM faces f JOIN face_galleries m ON m.face_id = f.id AND m.gallery_id = $1 WHERE f.client_id = $2 ORDER BY f.id LIMIT 1',
            [galleryId, ref.clientId],
          );
    return r.rows[0]?.id;
  }

  /** The account set row, created on first use (two nodes creating it at once get the same row). */
  private async accountSetRow(q: Q, account: string, modelKey: string, dimensions: number, lock = false): Promise<PgGalleryRow> {
    const name = `*account:${modelKey}`;
    const now = Date.now();
    await q.query(
      `INSERT INTO galleries (account_id, name, description, model_key, dimensions, created_at, updated_at, account_set)
       VALUES ($1, $2, '', $3, $4, $5, $5, true) ON CONFLICT (account_id, name) DO NOTHING`,
      [account, name, modelKey, dimensions, now],
    );
    return (await q.query<PgGalleryRow>(`SELECT * FROM galleries WHERE account_id = $1 AND name = $2 AND account_set${lock ? ' FOR UPDATE' : ''}`, [account, name])).rows[0]!;
  }

  private async bump(q: Q, galleryId: number, delta: number, now = Date.now()): Promise<number> {
    const r = await q.query<{ seq: number }>('UPDATE galleries SET face_count = face_count + $1, seq = seq + 1, updated_at = $2 WHERE id = $3 RETURNING seq', [delta, now, galleryId]);
    return r.rows[0]!.seq;
  }

  private async membershipsOf(q: Q, faceId: number): Promise<number[]> {
    return (await q.query<{ gallery_id: number }>('SELECT gallery_id FROM face_galleries WHERE face_id = $1', [faceId])).rows.map((r) => r.gallery_id);
  }

  /** Applies a transaction's count changes: one mark per gallery (in id order), removals logged at it. */
  private async settle(q: Q, pending: Map<number, number>, removedFrom: Map<number, number[]>): Promise<IndexMark[]> {
    const now = Date.now();
    const marks: IndexMark[] = [];
    for (const galleryId of [...pending.keys()].sort((a, b) => a - b)) {
      const seq = await this.bump(q, galleryId, pending.get(galleryId)!, now);
      const ids = removedFrom.get(galleryId) ?? [];
      if (ids.length > 0) {
        await q.query(
          `INSERT INTO face_removals (gallery_id, face_id, seq, removed_at) SELECT $1, id, $2, $4 FROM unnest($3::bigint[]) AS id
           ON CONFLICT (gallery_id, face_id) DO UPDATE SET seq = excluded.seq, removed_at = excluded.removed_at`,
          [galleryId, seq, ids, now],
        );
      }
      marks.push({ galleryId, seq });
    }
    return marks;
  }

  async createGallery(g: NewGallery): Promise<Gallery> {
    const now = Date.now();
    try {
      const r = await this.pool.query<PgGalleryRow>(
        `INSERT INTO galleries (account_id, name, description, model_key, dimensions, thumbnails, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING *`,
        [g.account, g.name, g.description, g.modelKey, g.dimensions, g.thumbnails, now],
      );
      return pgToGallery(r.rows[0]!);
    } catch (e) {
      if (isUniqueViolation(e)) throw new VisageError('GALLERY_EXISTS', `A gallery named ${g.name} already exists`, { param: 'name' });
      throw e;
    }
  }

  async listGalleries(account: string): Promise<Gallery[]> {
    // COLLATE "C": byte order, as SQLite sorts, whatever the database's locale.
    const r = await this.pool.query<PgGalleryRow>('SELECT * FROM galleries WHERE account_id = $1 AND NOT account_set ORDER BY name COLLATE "C"', [account]);
    return r.rows.map(pgToGallery);
  }

  async listAllGalleries(): Promise<Gallery[]> {
    return (await this.pool.query<PgGalleryRow>('SELECT * FROM galleries ORDER BY id')).rows.map(pgToGallery);
  }

  async getGallery(account: string, name: string): Promise<Gallery | null> {
    const row = (await this.pool.query<PgGalleryRow>('SELECT * FROM galleries WHERE account_id = $1 AND name = $2 AND NOT account_set', [account, name])).rows[0];
    return row ? pgToGallery(row) : null;
  }

  async getGalleryById(id: number): Promise<Gallery | null> {
    const row = await this.galleryRow(this.pool, id);
    return row ? pgToGallery(row) : null;
  }

  async updateGallery(id: number, patch: GalleryPatch): Promise<Gallery> {
    try {
      const row = await this.tx(async (c) => {
        const cur = await this.galleryRow(c, id, true);
        if (!cur) throw galleryNotFound();
        const r = await c.query<PgGalleryRow>('UPDATE galleries SET name = $1, description = $2, thumbnails = $3, updated_at = $4 WHERE id = $5 RETURNING *', [
          patch.name ?? cur.name,
          patch.description ?? cur.description,
          patch.thumbnails ?? cur.thumbnails,
          Date.now(),
          id,
        ]);
        if (patch.thumbnails === false) {
          await c.query('DELETE FROM face_thumbnails WHERE face_id IN (SELECT id FROM faces WHERE gallery_id = $1 AND has_thumbnail)', [id]);
          await c.query('UPDATE faces SET has_thumbnail = false WHERE gallery_id = $1 AND has_thumbnail', [id]);
        }
        return r.rows[0]!;
      });
      return pgToGallery(row);
    } catch (e) {
      if (isUniqueViolation(e)) throw new VisageError('GALLERY_EXISTS', `A gallery named ${patch.name} already exists`, { param: 'name' });
      throw e;
    }
  }

  async deleteGallery(id: number): Promise<boolean> {
    return this.tx(async (c) => {
      const g = await this.galleryRow(c, id, true);
      if (!g) return { existed: false, marks: [] };
      const pending = new Map<number, number>();
      const removedFrom = new Map<number, number[]>();
      // Faces created here but also in other galleries move there (keeping their client id
      // unless the new gallery already has it); the others are deleted from everywhere.
      const homed = await c.query<{ id: number; client_id: string | null; other: number | null }>(
        `SELECT f.id, f.client_id, (SELECT min(m.gallery_id) FROM face_galleries m JOIN galleries x ON x.id = m.gallery_id AND NOT x.account_set
                       WHERE m.face_id = f.id AND m.gallery_id != $1) AS other
         FROM faces f WHERE f.gallery_id = $1`,
        [id],
      );
      const dropped: number[] = [];
      for (const f of homed.rows) {
        if (f.other !== null) {
          const taken = f.client_id !== null && (await c.query('SELECT 1 FROM faces WHERE gallery_id = $1 AND client_id = $2', [f.other, f.client_id])).rowCount! > 0;
          await c.query(`UPDATE faces SET gallery_id = $1${taken ? ', client_id = NULL' : ''} WHERE id = $2`, [f.other, f.id]);
          continue;
        }
        for (const gid of await this.membershipsOf(c, f.id)) {
          if (gid === id) continue;
          pending.set(gid, (pending.get(gid) ?? 0) - 1);
          removedFrom.set(gid, [...(removedFrom.get(gid) ?? []), f.id]);
        }
        dropped.push(f.id);
      }
      if (dropped.length > 0) await c.query('DELETE FROM faces WHERE id = ANY($1::bigint[])', [dropped]);
      const marks = await this.settle(c, pending, removedFrom);
      // Memberships, the removal log and the faces left go with it (ON DELETE CASCADE).
      await c.query('DELETE FROM galleries WHERE id = $1', [id]);
      return { existed: true, marks };
    }).then((out) => out.existed);
  }

  async addFaces(galleryId: number, faces: NewFace[]): Promise<{ results: AddFaceResult[]; seq: number; marks: IndexMark[] }> {
    return this.tx(async (c) => {
      const g = await this.galleryRow(c, galleryId, true);
      if (!g || g.account_set) throw galleryNotFound();
      const set = await this.accountSetRow(c, g.account_id, g.model_key, g.dimensions, true);
      const seq = g.seq + 1;
      const setSeq = set.seq + 1;
      const now = Date.now();
      const results: AddFaceResult[] = [];
      const addedIds: number[] = [];
      for (const f of faces) {
        if (f.vector.length !== g.dimensions) throw new Error(`vector has ${f.vector.length} dimensions, gallery ${g.dimensions}`);
        const b = f.box;
        const keepThumb = Boolean(f.thumbnail) && g.thumbnails;
        const r = await c.query<PgFaceRow>(
          `INSERT INTO faces (gallery_id, client_id, meta, x1, y1, x2, y2, landmarks, photo_hash, has_thumbnail, person_id, seq, created_at, updated_at, vector)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14) ON CONFLICT DO NOTHING RETURNING ${PG_FACE_COLUMNS}`,
          [
            galleryId,
            f.clientId ?? null,
            f.meta === undefined ? null : JSON.stringify(f.meta),
            b?.x1 ?? null,
            b?.y1 ?? null,
            b?.x2 ?? null,
            b?.y2 ?? null,
            f.landmarks ? JSON.stringify(f.landmarks) : null,
            f.photoHash ?? null,
            keepThumb,
            f.personId ?? null,
            seq,
            now,
            pgVectorBytes(f.vector),
          ],
        );
        const row = r.rows[0];
        // The only unique key a face insert can hit is (gallery, client id).
        if (!row) {
          results.push({ ok: false, code: 'DUPLICATE_ID', clientId: f.clientId ?? '' });
          continue;
        }
        if (keepThumb) await c.query('INSERT INTO face_thumbnails (face_id, jpeg) VALUES ($1, $2)', [row.id, Buffer.from(f.thumbnail!.buffer, f.thumbnail!.byteOffset, f.thumbnail!.byteLength)]);
        addedIds.push(row.id);
        results.push({ ok: true, face: pgToFace(row) });
      }
      if (addedIds.length === 0) return { results, seq: g.seq, marks: [] };
      await c.query('INSERT INTO face_galleries (gallery_id, face_id, seq) SELECT $1, id, $2 FROM unnest($3::bigint[]) AS id', [galleryId, seq, addedIds]);
      await c.query('INSERT INTO face_galleries (gallery_id, face_id, seq) SELECT $1, id, $2 FROM unnest($3::bigint[]) AS id', [set.id, setSeq, addedIds]);
      await this.bump(c, galleryId, addedIds.length, now);
      await this.bump(c, set.id, addedIds.length, now);
      return { results, seq, marks: [{ galleryId, seq }, { galleryId: set.id, seq: setSeq }] };
    });
  }

  async getFace(galleryId: number, ref: FaceRef): Promise<StoredFace | null> {
    const r =
      'id' in ref
        ? await this.pool.query<PgFaceRow>(`SELECT ${PG_F_COLUMNS} FROM face_galleries m JOIN faces f ON f.id = m.face_id WHERE m.gallery_id = $1 AND m.face_id = $2`, [galleryId, ref.id])
        : await this.pool.query<PgFaceRow>(
            `SELECT ${PG_F_COLUMNS} FROM faces f JOIN face_galleries m ON m.face_id = f.id AND m.gallery_id = $1 WHERE f.client_id = $2 ORDER BY f.id LIMIT 1`,
            [galleryId, ref.clientId],
          );
    return r.rows[0] ? pgToFace(r.rows[0]) : null;
  }

  async getFacesByIds(galleryId: number, ids: number[]): Promise<Map<number, StoredFace>> {
    const out = new Map<number, StoredFace>();
    if (ids.length === 0) return out;
    const r = await this.pool.query<PgFaceRow>(
      `SELECT ${PG_F_COLUMNS} FROM face_galleries m JOIN faces f ON f.id = m.face_id WHERE m.gallery_id = $1 AND m.face_id = ANY($2::bigint[])`,
      [galleryId, ids],
    );
    for (const row of r.rows) out.set(row.id, pgToFace(row));
    return out;
  }

  async listFaces(galleryId: number, q: ListFacesQuery): Promise<FacePage> {
    const args: unknown[] = [galleryId];
    const arg = (v: unknown) => (args.push(v), `$${args.length}`);
    const where = ['m.gallery_id = $1'];
    if (q.cursor !== undefined) where.push(`m.face_id < ${arg(q.cursor)}`);
    if (q.idFrom !== undefined) where.push(`m.face_id >= ${arg(q.idFrom)}`);
    if (q.idTo !== undefined) where.push(`m.face_id <= ${arg(q.idTo)}`);
    if (q.metaEquals !== undefined) where.push(`f.meta = ${arg(JSON.stringify(q.metaEquals))}`);
    if (q.personId !== undefined) where.push(`f.person_id = ${arg(q.personId)}`);
    // Meta is stored as JSON text: look for the needle as it appears once JSON-escaped.
    if (q.metaContains !== undefined && q.metaContains !== '') where.push(`strpos(f.meta, ${arg(JSON.stringify(q.metaContains).slice(1, -1))}) > 0`);
    if (q.metaField) where.push(`(f.meta::jsonb #>> ${arg(q.metaField.path.split('.'))}::text[]) = ${arg(q.metaField.value)}`);
    const offset = q.cursor === undefined && q.offset ? q.offset : 0;
    const sql = `SELECT ${PG_F_COLUMNS} FROM face_galleries m JOIN faces f ON f.id = m.face_id WHERE ${where.join(' AND ')} ORDER BY m.face_id DESC LIMIT ${arg(q.limit + 1)} OFFSET ${arg(offset)}`;
    const rows = (await this.pool.query<PgFaceRow>(sql, args)).rows;
    const more = rows.length > q.limit;
    const faces = rows.slice(0, q.limit).map(pgToFace);
    return { faces, nextCursor: more ? faces[faces.length - 1]!.id : null };
  }

  async getThumbnail(galleryId: number, ref: FaceRef): Promise<Uint8Array | null> {
    const id = await this.faceIdOf(this.pool, galleryId, ref);
    if (id === undefined) return null;
    const row = (await this.pool.query<{ jpeg: Buffer }>('SELECT jpeg FROM face_thumbnails WHERE face_id = $1', [id])).rows[0];
    return row ? new Uint8Array(row.jpeg.buffer, row.jpeg.byteOffset, row.jpeg.byteLength) : null;
  }

  async updateFaceMeta(galleryId: number, ref: FaceRef, meta: JsonValue | null): Promise<StoredFace | null> {
    const id = await this.faceIdOf(this.pool, galleryId, ref);
    if (id === undefined) return null;
    const r = await this.pool.query<PgFaceRow>(`UPDATE faces SET meta = $1, updated_at = $2 WHERE id = $3 RETURNING ${PG_FACE_COLUMNS}`, [
      meta === null ? null : JSON.stringify(meta),
      Date.now(),
      id,
    ]);
    return r.rows[0] ? pgToFace(r.rows[0]) : null;
  }

  async deleteFaces(galleryId: number, refs: FaceRef[]): Promise<{ deleted: (number | null)[]; seq: number; marks: IndexMark[] }> {
    return this.tx(async (c) => {
      const g = await this.galleryRow(c, galleryId, true);
      if (!g || g.account_set) throw galleryNotFound();
      const pending = new Map<number, number>();
      const removedFrom = new Map<number, number[]>();
      const out = (gid: number, id: number) => {
        pending.set(gid, (pending.get(gid) ?? 0) - 1);
        removedFrom.set(gid, [...(removedFrom.get(gid) ?? []), id]);
      };
      const deleted: (number | null)[] = [];
      for (const ref of refs) {
        const id = await this.faceIdOf(c, galleryId, ref);
        deleted.push(id ?? null);
        if (id === undefined || removedFrom.get(galleryId)?.includes(id)) continue;
        const others = await c.query<{ n: number }>(
          'SELECT count(*) AS n FROM face_galleries m JOIN galleries x ON x.id = m.gallery_id AND NOT x.account_set WHERE m.face_id = $1 AND m.gallery_id != $2',
          [id, galleryId],
        );
        if (others.rows[0]!.n > 0) {
          // Still in another gallery: it only leaves this one.
          await c.query('DELETE FROM face_galleries WHERE gallery_id = $1 AND face_id = $2', [galleryId, id]);
          out(galleryId, id);
        } else {
          for (const gid of await this.membershipsOf(c, id)) out(gid, id);
          await c.query('DELETE FROM faces WHERE id = $1', [id]);
        }
      }
      const marks = await this.settle(c, pending, removedFrom);
      return { deleted, seq: marks.find((m) => m.galleryId === galleryId)?.seq ?? g.seq, marks };
    });
  }

  async accountSet(account: string, modelKey: string, dimensions: number): Promise<Gallery> {
    return pgToGallery(await this.accountSetRow(this.pool, account, modelKey, dimensions));
  }

  async getAccountFace(account: string, id: number): Promise<StoredFace | null> {
    const r = await this.pool.query<PgFaceRow>(`SELECT ${PG_F_COLUMNS} FROM faces f JOIN galleries g ON g.id = f.gallery_id WHERE f.id = $1 AND g.account_id = $2`, [id, account]);
    return r.rows[0] ? pgToFace(r.rows[0]) : null;
  }

  async faceGalleryIds(faceIds: number[]): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>(faceIds.map((id) => [id, []]));
    if (faceIds.length === 0) return out;
    const r = await this.pool.query<{ face_id: number; gallery_id: number }>(
      `SELECT m.face_id, m.gallery_id FROM face_galleries m JOIN galleries x ON x.id = m.gallery_id AND NOT x.account_set
       WHERE m.face_id = ANY($1::bigint[]) ORDER BY m.gallery_id`,
      [faceIds],
    );
    for (const row of r.rows) out.get(row.face_id)?.push(row.gallery_id);
    return out;
  }

  async changeFaceGalleries(faceId: number, change: { add: number[]; remove: number[] }): Promise<{ marks: IndexMark[] }> {
    return this.tx(async (c) => {
      const face = (
        await c.query<{ id: number; client_id: string | null; account_id: string }>(
          'SELECT f.id, f.client_id, g.account_id FROM faces f JOIN galleries g ON g.id = f.gallery_id WHERE f.id = $1 FOR UPDATE OF f',
          [faceId],
        )
      ).rows[0];
      if (!face) throw new VisageError('FACE_NOT_FOUND', `Face ${faceId} does not exist`, { param: 'id' });
      const pending = new Map<number, number>();
      const removedFrom = new Map<number, number[]>();
      const addTo: number[] = [];
      for (const gid of new Set(change.add)) {
        const g = await this.galleryRow(c, gid, true);
        if (!g || g.account_set || g.account_id !== face.account_id) throw galleryNotFound();
        if ((await c.query('SELECT 1 FROM face_galleries WHERE gallery_id = $1 AND face_id = $2', [gid, faceId])).rowCount! > 0) continue;
        if (face.client_id !== null && (await this.faceIdOf(c, gid, { clientId: face.client_id })) !== undefined) {
          throw new VisageError('DUPLICATE_ID', `A face with id ${face.client_id} already exists in gallery ${g.name}`, { param: 'id' });
        }
        pending.set(gid, 1);
        addTo.push(gid);
      }
      for (const gid of new Set(change.remove)) {
        if (pending.has(gid)) continue;
        const r = await c.query(
          'DELETE FROM face_galleries WHERE gallery_id = $1 AND face_id = $2 AND gallery_id IN (SELECT id FROM galleries WHERE NOT account_set)',
          [gid, faceId],
        );
        if (r.rowCount === 0) continue;
        pending.set(gid, -1);
        removedFrom.set(gid, [faceId]);
      }
      const marks = await this.settle(c, pending, removedFrom);
      for (const gid of addTo) {
        const seq = marks.find((m) => m.galleryId === gid)!.seq;
        await c.query('INSERT INTO face_galleries (gallery_id, face_id, seq) VALUES ($1, $2, $3)', [gid, faceId, seq]);
        // A face that left a gallery and comes back is no longer a removal there.
        await c.query('DELETE FROM face_removals WHERE gallery_id = $1 AND face_id = $2', [gid, faceId]);
      }
      return { marks };
    });
  }

  async deleteFace(faceId: number): Promise<{ marks: IndexMark[] } | null> {
    return this.tx(async (c) => {
      if ((await c.query('SELECT 1 FROM faces WHERE id = $1 FOR UPDATE', [faceId])).rowCount === 0) return null;
      const gids = await this.membershipsOf(c, faceId);
      await c.query('DELETE FROM faces WHERE id = $1', [faceId]);
      const pending = new Map<number, number>(gids.map((g) => [g, -1]));
      const removedFrom = new Map<number, number[]>(gids.map((g) => [g, [faceId]]));
      return { marks: await this.settle(c, pending, removedFrom) };
    });
  }

  async updateFace(faceId: number, patch: { meta?: JsonValue | null; personId?: number | null }): Promise<StoredFace | null> {
    const sets = ['updated_at = $2'];
    const args: unknown[] = [faceId, Date.now()];
    if (patch.meta !== undefined) (args.push(patch.meta === null ? null : JSON.stringify(patch.meta)), sets.push(`meta = $${args.length}`));
    if (patch.personId !== undefined) (args.push(patch.personId), sets.push(`person_id = $${args.length}`));
    const r = await this.pool.query<PgFaceRow>(`UPDATE faces SET ${sets.join(', ')} WHERE id = $1 RETURNING ${PG_FACE_COLUMNS}`, args);
    return r.rows[0] ? pgToFace(r.rows[0]) : null;
  }

  async metaCounts(galleryId: number): Promise<MetaCount[]> {
    const r = await this.pool.query<PgFaceRow & { meta_count: number }>(
      `SELECT ${PG_F_COLUMNS}, c.n AS meta_count FROM (
         SELECT f2.meta AS meta, count(*) AS n, max(f2.id) AS newest FROM face_galleries m2 JOIN faces f2 ON f2.id = m2.face_id
         WHERE m2.gallery_id = $1 GROUP BY f2.meta
       ) c JOIN faces f ON f.id = c.newest ORDER BY c.meta COLLATE "C" NULLS FIRST`,
      [galleryId],
    );
    return r.rows.map((row) => {
      const face = pgToFace(row);
      return { meta: face.meta, count: row.meta_count, face };
    });
  }

  async vectorState(galleryId: number): Promise<{ count: number; seq: number }> {
    const g = await this.galleryRow(this.pool, galleryId);
    if (!g) throw galleryNotFound();
    return { count: g.face_count, seq: g.seq };
  }

  async *iterateVectors(galleryId: number, opts: { afterSeq?: number; batchSize?: number } = {}): AsyncIterable<VectorRow[]> {
    const batch = opts.batchSize ?? 2000;
    const afterSeq = opts.afterSeq ?? -1;
    // Keyset paging: no cursor or connection is held across the consumer's awaits.
    let last = 0;
    for (;;) {
      const rows = (
        await this.pool.query<{ id: number; vector: Buffer }>(
          'SELECT f.id, f.vector FROM face_galleries m JOIN faces f ON f.id = m.face_id WHERE m.gallery_id = $1 AND m.seq > $2 AND m.face_id > $3 ORDER BY m.face_id LIMIT $4',
          [galleryId, afterSeq, last, batch],
        )
      ).rows;
      if (rows.length === 0) return;
      last = rows[rows.length - 1]!.id;
      yield rows.map((r) => ({ id: r.id, vector: pgBytesToVector(r.vector) }));
      if (rows.length < batch) return;
    }
  }

  async removedSince(galleryId: number, afterSeq: number): Promise<number[] | null> {
    const g = await this.galleryRow(this.pool, galleryId);
    if (!g) throw galleryNotFound();
    if (afterSeq < g.pruned_seq) return null;
    const r = await this.pool.query<{ face_id: number }>('SELECT face_id FROM face_removals WHERE gallery_id = $1 AND seq > $2', [galleryId, afterSeq]);
    return r.rows.map((row) => row.face_id);
  }

  async pruneRemovedLog(galleryId: number, uptoSeq: number): Promise<void> {
    await this.tx(async (c) => {
      // pruned_seq becomes the newest mark actually forgotten: older marks ask for a rebuild.
      const r = await c.query<{ s: number | null }>(
        `WITH gone AS (DELETE FROM face_removals WHERE gallery_id = $1 AND seq <= $2 AND removed_at <= $3 RETURNING seq) SELECT max(seq) AS s FROM gone`,
        [galleryId, uptoSeq, Date.now() - this.removalRetentionMs],
      );
      const upto = this.removalRetentionMs === 0 ? uptoSeq : r.rows[0]?.s;
      if (upto != null) await c.query('UPDATE galleries SET pruned_seq = GREATEST(pruned_seq, $1) WHERE id = $2', [upto, galleryId]);
      return null;
    });
  }

  async changesSince(galleryId: number, afterSeq: number): Promise<GalleryChanges | null> {
    // The mark first: changes committed meanwhile are either counted in it or replayed again
    // next time (adds replace, removes are idempotent).
    const { count, seq } = await this.vectorState(galleryId);
    const removed = await this.removedSince(galleryId, afterSeq);
    if (!removed) return null;
    return { seq, count, removed, added: this.iterateVectors(galleryId, { afterSeq }) };
  }

  /** This process's commits are told at once; other nodes' as their NOTIFY arrives. */
  subscribe(listener: (galleryId: number, seq: number) => void): () => void {
    this.listeners.add(listener);
    void this.listener.start();
    return () => this.listeners.delete(listener);
  }

  private tell(galleryId: number, seq: number): void {
    for (const l of this.listeners) l(galleryId, seq);
  }

  async close(): Promise<void> {
    await this.listener.close();
    await this.release();
  }
}
