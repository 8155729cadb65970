/**
 * Where rate-limit buckets, invalid-key counts and IP blocks/bans live. Behind a port so that
 * several server processes can share them (one store they all reach), while one process keeps
 * its buckets in memory, the fastest. Two parts, so a composition root may put each elsewhere:
 * buckets are hot (every request) and may be lost on restart; bans must outlive a restart.
 *
 * Every method is atomic in the store itself: two processes taking from one bucket, or counting
 * failures of one IP, at the same instant must never both read the old value.
 */
import type { RateLimit } from '../domain/auth.model.js';

/** `block`: minutes after repeated invalid keys; `ban`: the long one after repeated blocks. */
export type BanKind = 'block' | 'ban';

export interface IpBan {
  ip: string;
  kind: BanKind;
  until: Date;
  /** Blocks in the current escalation window; the ban comes at the configured count. */
  strikes: number;
  reason: string;
  updatedAt: Date;
}

export interface BucketTake {
  allowed: boolean;
  /** Tokens left after this request (fractional; refilled to `now` first). */
  tokens: number;
}

/** Token buckets: a bucket holds up to `burst` tokens and refills at `perSecond`. */
export interface RateBuckets {
  /**
   * Refills the bucket to `now` (ms): tokens = min(burst, tokens + elapsed × perSecond), takes one
   * token when at least one is there, and writes the result, all as one step. A bucket never seen
   * starts full; time running backwards (another node's clock) refills nothing.
   */
  take(bucketKey: string, limit: RateLimit, now: number): Promise<BucketTake>;
}

/** Invalid-key counts per IP and the blocks/bans they lead to. */
export interface BanStore {
  /**
   * Counts one invalid key from `ip` at `now` and returns the count in the current window: the
   * window starts at the first failure and a failure more than `windowMs` after that start opens
   * a new one (count 1).
   */
  recordFailure(ip: string, windowMs: number, now: number): Promise<number>;
  /** Forgets the IP's failure count (after it led to a block, or when a ban is lifted). */
  clearFailures(ip: string): Promise<void>;

  /** Writes (replaces) the IP's block or ban. */
  putBan(ban: IpBan): Promise<void>;
  /** The IP's record, in force or not (its strikes decide the next escalation). */
  getBan(ip: string): Promise<IpBan | null>;
  /** Blocks and bans in force at `now`, the one ending last first. */
  activeBans(now: Date): Promise<IpBan[]>;
  /** Deletes the IP's record (lifting a block or ban, forgetting its strikes) and its failures; false when there was no record. */
  deleteBan(ip: string): Promise<boolean>;
}

export interface RateStore extends RateBuckets, BanStore {
  close(): Promise<void>;
}
