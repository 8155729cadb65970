/**
 * The key and account rows every SQL account store reads (SQLite, PostgreSQL: the same columns,
 * times as milliseconds), and their mapping to the domain's types. The engines differ only in
 * how a boolean comes back: 0/1 from SQLite, true/false from PostgreSQL.
 */
import type { ApiKey, Scope } from '../../domain/auth.model.js';
import type { Account, KeyOptions } from '../../ports/account-store.port.js';
import { bool, type SqlBool } from './face.rows.js';

export interface KeyRowOf<B extends SqlBool> {
  id: string;
  account_id: string;
  name: string;
  kind: 'token' | 'password';
  secret_hash: string;
  login: string | null;
  scopes: string;
  allow_ips: string;
  rate_per_sec: number | null;
  rate_burst: number | null;
  expires_at: number | null;
  revoked_at: number | null;
  created_at: number;
  header_only?: B;
}

export interface AccountRow {
  id: string;
  monthly_credits: number | null;
  created_at: number;
}

const date = (ms: number | null) => (ms === null ? null : new Date(ms));

export function toKey(r: KeyRowOf<SqlBool>): ApiKey {
  return {
    id: r.id,
    account: r.account_id,
    name: r.name,
    kind: r.kind,
    secretHash: r.secret_hash,
    login: r.login,
    scopes: JSON.parse(r.scopes) as Scope[],
    allowIps: JSON.parse(r.allow_ips) as string[],
    // A key without a stored burst gets one second's worth (at least 1).
    rateLimit: r.rate_per_sec === null ? null : { perSecond: r.rate_per_sec, burst: r.rate_burst ?? Math.max(1, Math.ceil(r.rate_per_sec)) },
    expiresAt: date(r.expires_at),
    revokedAt: date(r.revoked_at),
    createdAt: new Date(r.created_at),
    ...(r.header_only !== undefined && bool(r.header_only) ? { headerOnly: true } : {}),
  };
}

export const toAccount = (r: AccountRow): Account => ({ id: r.id, monthlyCredits: r.monthly_credits, createdAt: new Date(r.created_at) });

/** The api_keys columns a key is written to, in the order of keyValues. */
export const KEY_COLUMNS = 'id, account_id, name, kind, secret_hash, login, scopes, allow_ips, rate_per_sec, rate_burst, expires_at, revoked_at, created_at, header_only';

/** A key's values for KEY_COLUMNS; `flag` writes a boolean as the engine stores it. */
export function keyValues<B extends SqlBool>(k: ApiKey, flag: (v: boolean) => B): unknown[] {
  return [
    k.id,
    k.account,
    k.name,
    k.kind,
    k.secretHash,
    k.login,
    JSON.stringify(k.scopes),
    JSON.stringify(k.allowIps),
    k.rateLimit?.perSecond ?? null,
    k.rateLimit?.burst ?? null,
    k.expiresAt?.getTime() ?? null,
    k.revokedAt?.getTime() ?? null,
    k.createdAt.getTime(),
    flag(k.headerOnly === true),
  ];
}

/** The api_keys columns an options update writes, in the order of keyOptionValues. */
export const KEY_OPTION_COLUMNS = ['name', 'scopes', 'allow_ips', 'rate_per_sec', 'rate_burst', 'expires_at', 'header_only'] as const;

export function keyOptionValues<B extends SqlBool>(o: KeyOptions, flag: (v: boolean) => B): unknown[] {
  return [o.name, JSON.stringify(o.scopes), JSON.stringify(o.allowIps), o.rateLimit?.perSecond ?? null, o.rateLimit?.burst ?? null, o.expiresAt?.getTime() ?? null, flag(o.headerOnly)];
}
