/**
 * The rate store on PostgreSQL: buckets, invalid-key counts and blocks/bans shared by every node
 * on the database. Each read-modify-write is ONE upsert (INSERT … ON CONFLICT DO UPDATE), which
 * locks the row and computes from its newest version, so two nodes taking from one bucket, or
 * counting one IP's failures, at the same instant never both read the old value. Buckets and
 * failures are UNLOGGED tables (0003): losing them in a PostgreSQL crash refills a bucket.
 */
import type pg from 'pg';
import type { RateLimit } from '../../../domain/auth.model.js';
import type { BucketTake, IpBan, RateStore } from '../../../ports/rate-store.port.js';
import { toBan, type BanRow } from '../ban.rows.js';


/** Expired failure counts are swept once per this many failures recorded by this process. */
const SWEEP_EVERY = 1000;

/** The bucket refilled to $4 (now, ms) at $2 tokens/s, capped at the burst $3; an earlier clock adds nothing. */
const REFILLED = `LEAST($3::float8, b.tokens + GREATEST(0, $4::bigint - b.at) / 1000.0 * $2::float8)`;

export class PgRateStore implements RateStore {
  private failuresSinceSweep = 0;

  constructor(
    private readonly pool: pg.Pool,
    /** Called by close(): ends the pool when the store owns it, or releases a share of the process's. */
    private readonly release: () => Promise<void> = async () => undefined,
  ) {}

  async take(bucketKey: string, { perSecond, burst }: RateLimit, now: number): Promise<BucketTake> {
    const r = await this.pool.query<{ tokens: number; allowed: boolean }>(
      `INSERT INTO rate_buckets AS b (bucket_key, tokens, at, allowed)
         VALUES ($1, CASE WHEN $3::float8 >= 1 THEN $3::float8 - 1 ELSE $3::float8 END, $4::bigint, $3::float8 >= 1)
       ON CONFLICT (bucket_key) DO UPDATE SET
         tokens = CASE WHEN ${REFILLED} >= 1 THEN ${REFILLED} - 1 ELSE ${REFILLED} END,
         allowed = ${REFILLED} >= 1,
         at = GREATEST(b.at, $4::bigint)
       RETURNING tokens, allowed`,
      [bucketKey, perSecond, burst, now],
    );
    const row = r.rows[0]!;
    return { allowed: row.allowed, tokens: row.tokens };
  }

  async recordFailure(ip: string, windowMs: number, now: number): Promise<number> {
    // SET's right-hand sides all read the old row: the window test is the same for both.
    const r = await this.pool.query<{ count: number }>(
      `INSERT INTO ip_failures AS f (ip, count, since) VALUES ($1, 1, $3::bigint)
       ON CONFLICT (ip) DO UPDATE SET
         count = CASE WHEN $3::bigint - f.since > $2::bigint THEN 1 ELSE f.count + 1 END,
         since = CASE WHEN $3::bigint - f.since > $2::bigint THEN $3::bigint ELSE f.since END
       RETURNING count`,
      [ip, windowMs, now],
    );
    // Addresses that failed once and went away would otherwise stay a row each forever.
    if (++this.failuresSinceSweep >= SWEEP_EVERY) {
      this.failuresSinceSweep = 0;
      await this.pool.query('DELETE FROM ip_failures WHERE since < $1', [now - windowMs]);
    }
    return r.rows[0]!.count;
  }

  async clearFailures(ip: string): Promise<void> {
    await this.pool.query('DELETE FROM ip_failures WHERE ip = $1', [ip]);
  }

  async putBan(b: IpBan): Promise<void> {
    await this.pool.query(
      `INSERT INTO ip_bans (ip, kind, until, strikes, reason, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (ip) DO UPDATE SET kind = excluded.kind, until = excluded.until, strikes = excluded.strikes, reason = excluded.reason, updated_at = excluded.updated_at`,
      [b.ip, b.kind, b.until.getTime(), b.strikes, b.reason, b.updatedAt.getTime()],
    );
  }

  async getBan(ip: string): Promise<IpBan | null> {
    const r = await this.pool.query<BanRow>('SELECT * FROM ip_bans WHERE ip = $1', [ip]);
    return r.rows[0] ? toBan(r.rows[0]) : null;
  }

  async activeBans(now: Date): Promise<IpBan[]> {
    return (await this.pool.query<BanRow>('SELECT * FROM ip_bans WHERE until > $1 ORDER BY until DESC', [now.getTime()])).rows.map(toBan);
  }

  async deleteBan(ip: string): Promise<boolean> {
    // One statement: the failures go with the record, whether or not there was one.
    const r = await this.pool.query(
      `WITH f AS (DELETE FROM ip_failures WHERE ip = $1) DELETE FROM ip_bans WHERE ip = $1`,
      [ip],
    );
    return r.rowCount === 1;
  }

  async close(): Promise<void> {
    await this.release();
  }
}
