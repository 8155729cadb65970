/**
 * The rate store on SQLite: buckets (`rate_buckets`), invalid-key counts (`ip_failures`) and
 * blocks/bans (`ip_bans`), shared by every process that opens the same database file. Each
 * read-modify-write runs in one IMMEDIATE transaction, so it holds the file's write lock from
 * its read: two processes taking from one bucket serialise instead of both reading the old
 * count. Within a process better-sqlite3 is synchronous, so nothing interleaves either.
 * Bucket and failure writes commit at synchronous=NORMAL (no fsync: they are hot, and losing
 * the last ones on power loss only refills a bucket); bans commit at the handle's FULL.
 */
import type Database from 'better-sqlite3';
import type { RateLimit } from '../../../domain/auth.model.js';
import type { BucketTake, IpBan, RateStore } from '../../../ports/rate-store.port.js';
import { openDatabase, relaxed, StatementCache } from './sqlite-database.js';
import { toBan, type BanRow } from '../ban.rows.js';


/** Expired failure counts are swept once per this many recorded failures. */
const SWEEP_EVERY = 1000;

export class SqliteRateStore implements RateStore {
  private readonly stmts: StatementCache;
  private readonly takeTx: (key: string, limit: RateLimit, now: number) => BucketTake;
  private readonly failTx: (ip: string, windowMs: number, now: number) => number;
  private failuresSinceSweep = 0;

  /** Over the process's database handle (main/database.compose.ts). */
  constructor(
    private readonly db: Database.Database,
    /** Called by close(): releases the shared handle (or closes a handle of its own). */
    private readonly release: () => void = () => undefined,
  ) {
    this.stmts = new StatementCache(db);
    const take = db.transaction((key: string, { perSecond, burst }: RateLimit, now: number): BucketTake => {
      const b = this.st('SELECT tokens, at FROM rate_buckets WHERE bucket_key = ?').get(key) as { tokens: number; at: number } | undefined;
      let tokens = b ? Math.min(burst, b.tokens + (Math.max(0, now - b.at) / 1000) * perSecond) : burst;
      const allowed = tokens >= 1;
      if (allowed) tokens -= 1;
      this.st(
        `INSERT INTO rate_buckets (bucket_key, tokens, at) VALUES (?, ?, ?)
         ON CONFLICT (bucket_key) DO UPDATE SET tokens = excluded.tokens, at = max(at, excluded.at)`,
      ).run(key, tokens, now);
      return { allowed, tokens };
    });
    this.takeTx = (key, limit, now) => relaxed(db, () => take.immediate(key, limit, now));
    const fail = db.transaction((ip: string, windowMs: number, now: number): number => {
      const f = this.st('SELECT count, since FROM ip_failures WHERE ip = ?').get(ip) as { count: number; since: number } | undefined;
      const fresh = !f || now - f.since > windowMs;
      const count = fresh ? 1 : f.count + 1;
      this.st(
        `INSERT INTO ip_failures (ip, count, since) VALUES (?, ?, ?)
         ON CONFLICT (ip) DO UPDATE SET count = excluded.count, since = excluded.since`,
      ).run(ip, count, fresh ? now : f.since);
      return count;
    });
    this.failTx = (ip, windowMs, now) => relaxed(db, () => fail.immediate(ip, windowMs, now));
  }

  /** Opens (creating and migrating) a handle of its own on `path`; `close` closes it. */
  static open(path: string): SqliteRateStore {
    const db = openDatabase(path, { synchronous: 'FULL' });
    return new SqliteRateStore(db, () => db.close());
  }

  private st(sql: string): Database.Statement {
    return this.stmts.get(sql);
  }

  async take(bucketKey: string, limit: RateLimit, now: number): Promise<BucketTake> {
    return this.takeTx(bucketKey, limit, now);
  }

  async recordFailure(ip: string, windowMs: number, now: number): Promise<number> {
    const count = this.failTx(ip, windowMs, now);
    // Addresses that failed once and went away would otherwise stay a row each forever.
    if (++this.failuresSinceSweep >= SWEEP_EVERY) {
      this.failuresSinceSweep = 0;
      this.st('DELETE FROM ip_failures WHERE since < ?').run(now - windowMs);
    }
    return count;
  }

  async clearFailures(ip: string): Promise<void> {
    this.st('DELETE FROM ip_failures WHERE ip = ?').run(ip);
  }

  async putBan(b: IpBan): Promise<void> {
    this.st(
      `INSERT INTO ip_bans (ip, kind, until, strikes, reason, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (ip) DO UPDATE SET kind = excluded.kind, until = excluded.until, strikes = excluded.strikes, reason = excluded.reason, updated_at = excluded.updated_at`,
    ).run(b.ip, b.kind, b.until.getTime(), b.strikes, b.reason, b.updatedAt.getTime());
  }

  async getBan(ip: string): Promise<IpBan | null> {
    const r = this.st('SELECT * FROM ip_bans WHERE ip = ?').get(ip) as BanRow | undefined;
    return r ? toBan(r) : null;
  }

  async activeBans(now: Date): Promise<IpBan[]> {
    return (this.st('SELECT * FROM ip_bans WHERE until > ? ORDER BY until DESC').all(now.getTime()) as BanRow[]).map(toBan);
  }

  async deleteBan(ip: string): Promise<boolean> {
    return this.db.transaction(() => {
      this.st('DELETE FROM ip_failures WHERE ip = ?').run(ip);
      return this.st('DELETE FROM ip_bans WHERE ip = ?').run(ip).changes === 1;
    })();
  }

  async close(): Promise<void> {
    this.release();
  }
}
