/**
 * Per-key token buckets, pure over the Clock. A bucket holds up to `burst` tokens and refills at
 * `perSecond`: tokens(t) = min(burst, tokens(t0) + (t − t0)/1000 × perSecond). A request takes
 * one token or is refused with the wait until one is back: (1 − tokens)/perSecond seconds.
 * Over any window T a key gets at most burst + perSecond × T requests.
 */
import type { RateLimit } from '../domain/auth.model.js';
import type { Clock } from '../ports/clock.port.js';

export interface RateDecision {
  allowed: boolean;
  /** The bucket size (what RateLimit-Limit reports). */
  limit: number;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Milliseconds until the bucket is full again. */
  resetMs: number;
  /** When refused: milliseconds until a request would pass. */
  retryAfterMs: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Clock,
    private readonly defaults: RateLimit,
    /** Buckets kept at most; the least recently used go first (a full bucket loses nothing). */
    private readonly maxBuckets = 100_000,
  ) {}

  take(key: string, limit: RateLimit | null = null): RateDecision {
    const { perSecond, burst } = limit ?? this.defaults;
    const now = this.clock.now();
    const b = this.buckets.get(key);
    let tokens = b ? Math.min(burst, b.tokens + (Math.max(0, now - b.at) / 1000) * perSecond) : burst;
    const allowed = tokens >= 1;
    if (allowed) tokens -= 1;
    // Re-insert so Map order is least-recently-used first.
    if (b) this.buckets.delete(key);
    this.buckets.set(key, { tokens, at: now });
    if (this.buckets.size > this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value!);
    return {
      allowed,
      limit: burst,
      remaining: Math.floor(tokens),
      resetMs: Math.ceil(((burst - tokens) / perSecond) * 1000),
      retryAfterMs: allowed ? 0 : Math.ceil(((1 - tokens) / perSecond) * 1000),
    };
  }
}
