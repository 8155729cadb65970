/**
 * Monthly credits per account, spent only by requests that succeed ("one credit is
 * consumed for each successful image analysis").
 *
 * Reserve-then-refund, not charge-after-success: the reservation is the store's atomic "spend if
 * enough", taken before the work, and given back if the request fails. Charging after success
 * would let N parallel requests all pass a balance check of 1 and all do the work; reserving
 * means at most `allowance` requests ever hold a credit at once, so 200 parallel requests on 50
 * credits succeed exactly 50 times. The cost of the choice: while a request that will fail holds
 * the last credit, a parallel one may be refused — the account is never overdrawn.
 */
import { creditDay, creditPeriod, nextCreditReset } from '../domain/credit-period.rules.js';
import { VisageError } from '../domain/error.registry.js';
import type { AccountStore } from '../ports/account-store.port.js';
import type { Clock } from '../ports/clock.port.js';

export interface Reservation {
  /** Credits reserved: the cost asked, or fewer with reserveUpTo. */
  granted: number;
  /** Keeps `used` of the reserved credits (0 for a failed request) and refunds the rest. Idempotent. */
  settle(used: number): Promise<void>;
}

export interface CreditReport {
  account: string;
  /** null = unlimited. */
  monthlyCredits: number | null;
  spent: number;
  remaining: number | null;
  period: string;
  resetsAt: Date;
  byOperation: Record<string, number>;
}

export interface DailyUsageReport {
  account: string;
  /** False when this account store keeps no per-day usage (then `days` is empty). */
  kept: boolean;
  from: string;
  to: string;
  /** Every day of from..to, oldest first, with its credits by operation (zeros included). */
  days: { day: string; total: number; byOperation: Record<string, number> }[];
}

const DAY_MS = 86_400_000;

export class CreditsService {
  constructor(private readonly deps: { store: AccountStore; clock: Clock; defaultMonthlyCredits: number | null }) {}

  private async allowance(account: string): Promise<number | null> {
    const a = (await this.deps.store.getAccount(account)) ?? (await this.deps.store.ensureAccount(account, this.deps.defaultMonthlyCredits));
    return a.monthlyCredits;
  }

  /** Takes `cost` credits for `operation` or throws INSUFFICIENT_CREDITS. */
  async reserve(account: string, operation: string, cost = 1): Promise<Reservation> {
    return this.reserveUpTo(account, operation, cost, false);
  }

  /**
   * For work paid per item (a bulk enrolment): reserves `cost`, or as many credits as are left
   * when that is fewer (at least one, else INSUFFICIENT_CREDITS); `granted` says how many.
   */
  async reserveUpTo(account: string, operation: string, cost: number, partial = true): Promise<Reservation> {
    const now = this.deps.clock.now();
    const period = creditPeriod(now);
    const day = creditDay(now);
    const allowance = await this.allowance(account);
    let granted = cost;
    let spent = await this.deps.store.spendCredits(account, period, operation, cost, allowance, day);
    if (!spent && partial && allowance !== null) {
      // Spending is one atomic statement; what is left is read, then spent in one more.
      const left = allowance - (await this.deps.store.creditUsage(account, period)).spent;
      granted = Math.min(cost, left);
      spent = granted > 0 && (await this.deps.store.spendCredits(account, period, operation, granted, allowance, day));
    }
    if (!spent) {
      throw new VisageError('INSUFFICIENT_CREDITS', undefined, { monthlyCredits: allowance ?? undefined, cost, resetsAt: nextCreditReset(now).toISOString() });
    }
    let settled = false;
    return {
      granted,
      settle: async (used) => {
        if (settled) return;
        settled = true;
        const refund = granted - Math.min(granted, Math.max(0, Math.floor(used)));
        if (refund > 0) await this.deps.store.refundCredits(account, period, operation, refund, day);
      },
    };
  }

  async report(account: string): Promise<CreditReport> {
    const now = this.deps.clock.now();
    const period = creditPeriod(now);
    const monthlyCredits = await this.allowance(account);
    const usage = await this.deps.store.creditUsage(account, period);
    return {
      account,
      monthlyCredits,
      spent: usage.spent,
      remaining: monthlyCredits === null ? null : Math.max(0, monthlyCredits - usage.spent),
      period,
      resetsAt: nextCreditReset(now),
      byOperation: usage.byOperation,
    };
  }

  /** Credits spent per UTC day over the last `days` days (today included), by operation. */
  async dailyReport(account: string, days: number): Promise<DailyUsageReport> {
    if (!Number.isInteger(days) || days < 1 || days > 366) throw new VisageError('BAD_PARAM', 'days must be a whole number from 1 to 366', { param: 'days' });
    const now = this.deps.clock.now();
    const all = Array.from({ length: days }, (_, i) => creditDay(now - (days - 1 - i) * DAY_MS));
    const from = all[0]!;
    const to = all.at(-1)!;
    if (!this.deps.store.dailyUsage) return { account, kept: false, from, to, days: [] };
    const rows = await this.deps.store.dailyUsage(account, from, to);
    return {
      account,
      kept: true,
      from,
      to,
      days: all.map((day) => {
        const byOperation = Object.fromEntries(rows.filter((r) => r.day === day).map((r) => [r.operation, r.count]));
        return { day, total: Object.values(byOperation).reduce((a, b) => a + b, 0), byOperation };
      }),
    };
  }

  async setMonthlyCredits(account: string, monthlyCredits: number | null): Promise<CreditReport> {
    await this.deps.store.ensureAccount(account, this.deps.defaultMonthlyCredits);
    await this.deps.store.setMonthlyCredits(account, monthlyCredits);
    return this.report(account);
  }
}
