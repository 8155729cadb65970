/**
 * Search sessions on PostgreSQL (migration 0008), so a search uploaded through one node is
 * started, run (by whichever node claims its job) and polled through any other. The record is
 * one row of `search_sessions`; its photos, previews and result (JSON as UTF-8) are BYTEA rows
 * of `search_session_blobs`, which go with the record by cascade.
 *
 * Deletion (a client's delete, the expiry sweep) deletes the rows at once in one statement: no
 * node can read them after it commits. Their bytes stay in dead row versions on disk until
 * (auto)VACUUM reclaims the space, as for every deleted row in PostgreSQL (the file store
 * unlinks its files instead; SQLite's secure_delete has no PostgreSQL equivalent).
 */
import type pg from 'pg';
import type { JsonValue } from '../../../domain/gallery.rules.js';
import type { SearchSession, SearchSessionStore } from '../../../ports/search-session-store.port.js';
import { inTransaction } from './pg-database.js';

interface SessionRow {
  id: string;
  account_id: string;
  created_at: number;
  expires_at: number;
  job_id: string | null;
  index_name: string | null;
  demo: boolean;
  photo_ids: string[];
}

type Kind = 'photo' | 'preview' | 'result';

const toSession = (r: SessionRow): SearchSession => ({
  id: r.id,
  account: r.account_id,
  createdAt: new Date(r.created_at),
  expiresAt: new Date(r.expires_at),
  jobId: r.job_id,
  index: r.index_name,
  demo: r.demo,
  photoIds: r.photo_ids,
});

const COLUMNS = 'account_id = $2, created_at = $3, expires_at = $4, job_id = $5, index_name = $6, demo = $7, photo_ids = $8';
const values = (s: SearchSession) => [s.id, s.account, s.createdAt.getTime(), s.expiresAt.getTime(), s.jobId, s.index, s.demo, s.photoIds];
const buf = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export class PgSearchSessionStore implements SearchSessionStore {
  constructor(private readonly pool: pg.Pool) {}

  /** The record and all its bytes in one transaction: a reader sees the old search or the new one. */
  async create(s: SearchSession, photos: Uint8Array[], previews: Uint8Array[]): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      await c.query(
        `INSERT INTO search_sessions (id, account_id, created_at, expires_at, job_id, index_name, demo, photo_ids) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO UPDATE SET ${COLUMNS}`,
        values(s),
      );
      // Made again under its id (photos added or removed): the old bytes go.
      await c.query('DELETE FROM search_session_blobs WHERE session_id = $1', [s.id]);
      const kinds: Kind[] = [...photos.map((): Kind => 'photo'), ...previews.map((): Kind => 'preview')];
      const ns = [...photos.map((_, i) => i), ...previews.map((_, i) => i)];
      if (kinds.length > 0) {
        await c.query('INSERT INTO search_session_blobs (session_id, kind, n, bytes) SELECT $1, k, n, b FROM unnest($2::text[], $3::int[], $4::bytea[]) AS t(k, n, b)', [
          s.id,
          kinds,
          ns,
          [...photos, ...previews].map(buf),
        ]);
      }
    });
  }

  async get(id: string): Promise<SearchSession | null> {
    const r = await this.pool.query<SessionRow>('SELECT * FROM search_sessions WHERE id = $1', [id]);
    return r.rows[0] ? toSession(r.rows[0]) : null;
  }

  async update(s: SearchSession): Promise<void> {
    await this.pool.query(`UPDATE search_sessions SET ${COLUMNS} WHERE id = $1`, values(s));
  }

  private async blobs(id: string, kind: Kind): Promise<Uint8Array[]> {
    const r = await this.pool.query<{ bytes: Buffer }>('SELECT bytes FROM search_session_blobs WHERE session_id = $1 AND kind = $2 ORDER BY n', [id, kind]);
    return r.rows.map((x) => new Uint8Array(x.bytes.buffer, x.bytes.byteOffset, x.bytes.byteLength));
  }

  photos = (id: string) => this.blobs(id, 'photo');
  previews = (id: string) => this.blobs(id, 'preview');

  /** Kept only while the search exists (a job that ran on after a delete saves nothing). */
  async saveResult(id: string, result: JsonValue): Promise<void> {
    await this.pool.query(
      `INSERT INTO search_session_blobs (session_id, kind, n, bytes) SELECT id, 'result', 0, $2 FROM search_sessions WHERE id = $1
       ON CONFLICT (session_id, kind, n) DO UPDATE SET bytes = EXCLUDED.bytes`,
      [id, Buffer.from(JSON.stringify(result), 'utf8')],
    );
  }

  async result(id: string): Promise<JsonValue | null> {
    const [b] = await this.blobs(id, 'result');
    return b ? (JSON.parse(Buffer.from(b).toString('utf8')) as JsonValue) : null;
  }

  async delete(id: string): Promise<boolean> {
    return ((await this.pool.query('DELETE FROM search_sessions WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  async expired(now: Date): Promise<string[]> {
    const r = await this.pool.query<{ id: string }>('SELECT id FROM search_sessions WHERE expires_at <= $1 ORDER BY expires_at, id', [now.getTime()]);
    return r.rows.map((x) => x.id);
  }
}
