/**
 * The rate store in this process's memory: the fastest (a Map lookup per request) and right for
 * one server process; lost on restart and invisible to other processes. Node runs each method
 * to completion before another request's, so every step is atomic without locks.
 * Buckets and failure counts are kept least-recently-used first and capped, so a flood of new
 * keys or addresses cannot grow memory without bound (a full bucket forgotten loses nothing).
 */
import type { RateLimit } from '../../../domain/auth.model.js';
import type { BucketTake, IpBan, RateStore } from '../../../ports/rate-store.port.js';

interface Bucket {
  tokens: number;
  at: number;
}

/** Re-inserts so Map order is least-recently-used first, and drops the oldest past `cap`. */
function touch<V>(map: Map<string, V>, key: string, value: V, cap: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > cap) map.delete(map.keys().next().value!);
}

export class MemoryRateStore implements RateStore {
  private readonly buckets = new Map<string, Bucket>();
  private readonly failures = new Map<string, { count: number; since: number }>();
  private readonly bans = new Map<string, IpBan>();

  constructor(
    /** Buckets, failure counts and bans kept at most, each. */
    private readonly maxEntries = 100_000,
  ) {}

  async take(bucketKey: string, { perSecond, burst }: RateLimit, now: number): Promise<BucketTake> {
    const b = this.buckets.get(bucketKey);
    let tokens = b ? Math.min(burst, b.tokens + (Math.max(0, now - b.at) / 1000) * perSecond) : burst;
    const allowed = tokens >= 1;
    if (allowed) tokens -= 1;
    touch(this.buckets, bucketKey, { tokens, at: b ? Math.max(b.at, now) : now }, this.maxEntries);
    return { allowed, tokens };
  }

  async recordFailure(ip: string, windowMs: number, now: number): Promise<number> {
    let f = this.failures.get(ip);
    if (!f || now - f.since > windowMs) f = { count: 0, since: now };
    f = { count: f.count + 1, since: f.since };
    touch(this.failures, ip, f, this.maxEntries);
    return f.count;
  }

  async clearFailures(ip: string): Promise<void> {
    this.failures.delete(ip);
  }

  async putBan(ban: IpBan): Promise<void> {
    touch(this.bans, ban.ip, { ...ban }, this.maxEntries);
  }

  async getBan(ip: string): Promise<IpBan | null> {
    const b = this.bans.get(ip);
    return b ? { ...b } : null;
  }

  async activeBans(now: Date): Promise<IpBan[]> {
    return [...this.bans.values()]
      .filter((b) => b.until.getTime() > now.getTime())
      .sort((a, b) => b.until.getTime() - a.until.getTime())
      .map((b) => ({ ...b }));
  }

  async deleteBan(ip: string): Promise<boolean> {
    this.failures.delete(ip);
    return this.bans.delete(ip);
  }

  async close(): Promise<void> {}
}
