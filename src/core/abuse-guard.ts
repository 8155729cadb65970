/**
 * Invalid-key abuse per IP (a temporary block, then a long ban): `failuresToBlock` invalid keys
 * within `failureWindowMs` block the IP for `blockMs`; the `blocksToBan`-th block within
 * `banWindowMs` becomes a ban of `banMs`. Counts, blocks and bans live in the ban store, read
 * on every check (no copy here), so processes sharing a store see each other's bans at once and
 * a ban lifted anywhere is lifted everywhere. Who may pass a block is AuthService's rule.
 */
import { VisageError } from '../domain/error.registry.js';
import type { Clock } from '../ports/clock.port.js';
import type { BanStore, IpBan } from '../ports/rate-store.port.js';

export interface AbusePolicy {
  failuresToBlock: number;
  failureWindowMs: number;
  blockMs: number;
  blocksToBan: number;
  banWindowMs: number;
  banMs: number;
}

export class AbuseGuard {
  constructor(
    private readonly store: BanStore,
    private readonly clock: Clock,
    private readonly policy: AbusePolicy,
  ) {}

  /** The block or ban in force for `ip` now, if any. */
  async inForce(ip: string): Promise<IpBan | null> {
    const ban = await this.store.getBan(ip);
    return ban && ban.until.getTime() > this.clock.now() ? ban : null;
  }

  /** IP_BLOCKED or IP_BANNED for `ban`, with retry_after seconds and its end. */
  refusal(ban: IpBan): VisageError {
    const retryAfter = Math.max(1, Math.ceil((ban.until.getTime() - this.clock.now()) / 1000));
    return new VisageError(ban.kind === 'ban' ? 'IP_BANNED' : 'IP_BLOCKED', undefined, { retryAfter, until: ban.until.toISOString() });
  }

  /** Throws IP_BLOCKED or IP_BANNED when the IP is held now. */
  async check(ip: string): Promise<void> {
    const ban = await this.inForce(ip);
    if (ban) throw this.refusal(ban);
  }

  /** Counts an invalid key from `ip`; returns the block or ban it caused, if any. */
  async recordFailure(ip: string): Promise<IpBan | null> {
    const now = this.clock.now();
    const count = await this.store.recordFailure(ip, this.policy.failureWindowMs, now);
    if (count < this.policy.failuresToBlock) return null;
    // Two processes crossing the threshold at once may both write a block; the strikes then
    // count one block, never more than there were.
    const prev = await this.store.getBan(ip);
    const strikes = prev && now - prev.updatedAt.getTime() < this.policy.banWindowMs ? prev.strikes + 1 : 1;
    // A ban in force stays a ban (and is never shortened) whatever the strikes say.
    const banInForce = prev?.kind === 'ban' && prev.until.getTime() > now;
    const isBan = banInForce || strikes >= this.policy.blocksToBan;
    const ban: IpBan = {
      ip,
      kind: isBan ? 'ban' : 'block',
      until: new Date(now + (isBan ? this.policy.banMs : this.policy.blockMs)),
      strikes,
      reason: `${count} invalid keys within ${Math.round(this.policy.failureWindowMs / 1000)} s (block ${strikes})`,
      updatedAt: new Date(now),
    };
    if (prev && banInForce && prev.until.getTime() > ban.until.getTime()) ban.until = prev.until;
    await this.store.putBan(ban);
    await this.store.clearFailures(ip);
    return ban;
  }

  /** Blocks and bans in force, the one ending last first. */
  async list(): Promise<IpBan[]> {
    return this.store.activeBans(new Date(this.clock.now()));
  }

  /** Lifts a block or ban and forgets its strikes; false when there was none. */
  async lift(ip: string): Promise<boolean> {
    return this.store.deleteBan(ip);
  }
}
