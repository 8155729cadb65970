/**
 * Invalid-key abuse per IP (a temporary block, then a long ban): `failuresToBlock` invalid keys within
 * `failureWindowMs` block the IP for `blockMs`; the `blocksToBan`-th block within `banWindowMs`
 * becomes a ban of `banMs`. While blocked or banned, every request from the IP is refused, a
 * valid key included. Blocks and bans are written to the store (visible to admins, kept across
 * restarts) and cached here so the per-request check is a Map lookup.
 */
import { VisageError } from '../domain/error.registry.js';
import type { AccountStore, IpBan } from '../ports/account-store.port.js';
import type { Clock } from '../ports/clock.port.js';

export interface AbusePolicy {
  failuresToBlock: number;
  failureWindowMs: number;
  blockMs: number;
  blocksToBan: number;
  banWindowMs: number;
  banMs: number;
}

const MAX_TRACKED = 100_000;

export class AbuseGuard {
  private readonly failures = new Map<string, { count: number; since: number }>();
  private readonly active = new Map<string, IpBan>();

  constructor(
    private readonly store: AccountStore,
    private readonly clock: Clock,
    private readonly policy: AbusePolicy,
  ) {}

  /** Loads the blocks and bans in force (at start). */
  async load(): Promise<void> {
    for (const b of await this.store.activeBans(new Date(this.clock.now()))) this.active.set(b.ip, b);
  }

  /** Throws IP_BLOCKED or IP_BANNED (with retry_after seconds) when the IP may not call now. */
  check(ip: string): void {
    const ban = this.active.get(ip);
    if (!ban) return;
    const left = ban.until.getTime() - this.clock.now();
    if (left <= 0) {
      this.active.delete(ip);
      return;
    }
    const retryAfter = Math.ceil(left / 1000);
    throw new VisageError(ban.kind === 'ban' ? 'IP_BANNED' : 'IP_BLOCKED', undefined, { retryAfter, until: ban.until.toISOString() });
  }

  /** Counts an invalid key from `ip`; returns the block or ban it caused, if any. */
  async recordFailure(ip: string): Promise<IpBan | null> {
    const now = this.clock.now();
    let f = this.failures.get(ip);
    if (!f || now - f.since > this.policy.failureWindowMs) f = { count: 0, since: now };
    f.count++;
    this.failures.delete(ip);
    if (f.count < this.policy.failuresToBlock) {
      this.failures.set(ip, f);
      if (this.failures.size > MAX_TRACKED) this.failures.delete(this.failures.keys().next().value!);
      return null;
    }
    const prev = await this.store.getBan(ip);
    const strikes = prev && now - prev.updatedAt.getTime() < this.policy.banWindowMs ? prev.strikes + 1 : 1;
    const isBan = strikes >= this.policy.blocksToBan;
    const ban: IpBan = {
      ip,
      kind: isBan ? 'ban' : 'block',
      until: new Date(now + (isBan ? this.policy.banMs : this.policy.blockMs)),
      strikes,
      reason: `${f.count} invalid keys within ${Math.round(this.policy.failureWindowMs / 1000)} s (block ${strikes})`,
      updatedAt: new Date(now),
    };
    await this.store.putBan(ban);
    this.active.set(ip, ban);
    return ban;
  }

  /** Blocks and bans in force, newest end first. */
  async list(): Promise<IpBan[]> {
    return this.store.activeBans(new Date(this.clock.now()));
  }

  /** Lifts a block or ban and forgets its strikes; false when there was none. */
  async lift(ip: string): Promise<boolean> {
    this.active.delete(ip);
    this.failures.delete(ip);
    return this.store.deleteBan(ip);
  }
}
