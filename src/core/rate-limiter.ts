/**
 * Per-key token buckets over a bucket store (in memory for one process, shared for several). A
 * bucket holds up to `burst` tokens and refills at `perSecond`:
 * tokens(t) = min(burst, tokens(t0) + (t − t0)/1000 × perSecond). A request takes one token or is
 * refused with the wait until one is back: (1 − tokens)/perSecond seconds. Over any window T a
 * key gets at most burst + perSecond × T requests.
 */
import type { RateLimit } from '../domain/auth.model.js';
import type { Clock } from '../ports/clock.port.js';
import type { RateBuckets } from '../ports/rate-store.port.js';

export interface RateDecision {
  allowed: boolean;
  /** The bucket this request was counted in: its refill rate and size. */
  limit: RateLimit;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Milliseconds until the bucket is full again. */
  resetMs: number;
  /** When refused: milliseconds until a request would pass. */
  retryAfterMs: number;
}

export class RateLimiter {
  constructor(
    private readonly buckets: RateBuckets,
    private readonly clock: Clock,
    private readonly defaults: RateLimit,
  ) {}

  /** The limit a key with `limit` (null: the server's default) is held to. */
  limitFor(limit: RateLimit | null): RateLimit {
    return limit ?? this.defaults;
  }

  async take(key: string, keyLimit: RateLimit | null = null): Promise<RateDecision> {
    const limit = this.limitFor(keyLimit);
    const { allowed, tokens } = await this.buckets.take(key, limit, this.clock.now());
    return {
      allowed,
      limit,
      remaining: Math.max(0, Math.floor(tokens)),
      resetMs: Math.max(0, Math.ceil(((limit.burst - tokens) / limit.perSecond) * 1000)),
      retryAfterMs: allowed ? 0 : Math.ceil(((1 - tokens) / limit.perSecond) * 1000),
    };
  }
}
