/**
 * Credits are a monthly allowance that resets at 00:00 UTC on the first of each month
 * ("credits are reset at the beginning of every month"). A period is named `YYYY-MM`.
 */

/** The period an instant falls in, e.g. `2025-03`. */
export function creditPeriod(nowMs: number): string {
  const d = new Date(nowMs);
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The UTC day an instant falls in, e.g. `2025-03-07`: what per-day usage is counted under. */
export function creditDay(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

/** When the period of `nowMs` ends and credits are full again: the first of next month, UTC. */
export function nextCreditReset(nowMs: number): Date {
  const d = new Date(nowMs);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
}

/** Operations that cost credits, named as usage reports them. */
export const CREDIT_OPERATIONS = ['detect', 'templates', 'verify', 'enrol', 'search'] as const;
export type CreditOperation = (typeof CREDIT_OPERATIONS)[number];
