/**
 * Accounts (tenants), their API keys (hashes only), the monthly credit ledger, and the usage and
 * audit log (IP blocks and bans: rate-store.port.ts). Credit spending must be atomic in the store
 * itself: a check then a write would let parallel requests overspend.
 */
import type { ApiKey } from '../domain/auth.model.js';

export interface Account {
  id: string;
  /** Credits per month; null = unlimited. */
  monthlyCredits: number | null;
  createdAt: Date;
}

export interface CreditUsage {
  /** Credits held for the period: spent by finished requests plus those in flight. */
  spent: number;
  /** Spent credits by operation (detect, search, …). */
  byOperation: Record<string, number>;
}

/** Credits spent on one UTC day (`YYYY-MM-DD`) for one operation. */
export interface DailyUsage {
  day: string;
  operation: string;
  count: number;
}

export interface AuditEntry {
  at: Date;
  requestId: string;
  account: string;
  keyId: string | null;
  ip: string;
  /** e.g. `search`, `gallery.delete`, `face.delete`, `key.create`. */
  action: string;
  /** What it acted on: a gallery name, `gallery/face`, a key id. Never an image, template or key. */
  target: string | null;
  status: number;
}

export interface AuditQuery {
  account?: string;
  action?: string;
  since?: Date;
  until?: Date;
  limit: number;
}

/** What an admin may change on an existing key; the secret, kind, login and account stay. */
export type KeyOptions = Pick<ApiKey, 'name' | 'scopes' | 'allowIps' | 'rateLimit' | 'expiresAt'> & { headerOnly: boolean };

export interface AccountStore {
  /** Creates the account when missing; an existing one is returned unchanged. */
  ensureAccount(id: string, monthlyCredits: number | null): Promise<Account>;
  getAccount(id: string): Promise<Account | null>;
  listAccounts(): Promise<Account[]>;
  setMonthlyCredits(id: string, monthlyCredits: number | null): Promise<Account | null>;

  insertKey(key: ApiKey): Promise<void>;
  getKey(id: string): Promise<ApiKey | null>;
  findKeyByHash(secretHash: string): Promise<ApiKey | null>;
  findKeyByLogin(login: string): Promise<ApiKey | null>;
  listKeys(account?: string): Promise<ApiKey[]>;
  /** False when there is no such key or it was already revoked. */
  revokeKey(id: string, at: Date): Promise<boolean>;
  /** Replaces the secret of an active key (rotation); null when there is no such active key. */
  replaceSecret(id: string, secretHash: string): Promise<ApiKey | null>;
  /**
   * Writes an active key's options (name, scopes, allow-list, rate limit, expiry, header-only)
   * in one statement, secret and account untouched; null when there is no such active key.
   */
  updateKeyOptions(id: string, options: KeyOptions): Promise<ApiKey | null>;
  countActiveKeys(): Promise<number>;

  /**
   * Atomically adds `cost` to the period's spent credits when that stays within `allowance`
   * (null = unlimited), counting it under `operation` and, when `day` (UTC `YYYY-MM-DD`) is
   * given, under that day too, in the same transaction. False, and nothing written, otherwise.
   */
  spendCredits(account: string, period: string, operation: string, cost: number, allowance: number | null, day?: string): Promise<boolean>;
  /** Gives back what spendCredits took (a request that failed after reserving), on `day` too when given. */
  refundCredits(account: string, period: string, operation: string, cost: number, day?: string): Promise<void>;
  creditUsage(account: string, period: string): Promise<CreditUsage>;
  /**
   * Spent credits per day and operation for `from`..`to` (UTC days, inclusive), oldest first;
   * zero rows left out. Optional only while every store gains it (the contract suite asks for it).
   */
  dailyUsage?(account: string, from: string, to: string): Promise<DailyUsage[]>;

  appendAudit(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  queryAudit(query: AuditQuery): Promise<AuditEntry[]>;
  /** Deletes entries older than `before`; returns how many. */
  pruneAudit(before: Date): Promise<number>;

  close(): Promise<void>;
}
