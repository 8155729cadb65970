/**
 * Who is calling: API keys, their scopes and the principal a verified key becomes. Pure types
 * and rules; hashing and storage live in core and the adapters.
 */
import { badParam } from './error.registry.js';

/**
 * What a key may do. `admin` implies every other scope (and the admin API). `metrics` reads
 * GET /metrics (a scraper's key: it sees every account's and gallery's name and counts).
 */
export const SCOPES = ['detect', 'verify', 'galleries:read', 'galleries:write', 'search', 'metrics', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** What a plain client key gets by default and with `all`: not admin, and not the operator's metrics. */
export const CLIENT_SCOPES: readonly Scope[] = SCOPES.filter((s) => s !== 'admin' && s !== 'metrics');

/**
 * `token`: a high-entropy secret sent as Bearer/Token/x-api-key/app_key, stored as sha-256.
 * `password`: a LOGIN:PASSWORD pair whose password may be low-entropy, stored as scrypt.
 */
export type KeyKind = 'token' | 'password';

export interface RateLimit {
  /** Sustained requests per second (token bucket refill rate). */
  perSecond: number;
  /** Bucket size: requests that may arrive at once. */
  burst: number;
}

/** A stored key as the store and services see it; the secret itself is never kept. */
export interface ApiKey {
  /** Public id (`key_…`), safe to log and show. */
  id: string;
  account: string;
  name: string;
  kind: KeyKind;
  /** sha-256 (hex) of a token, or `scrypt$…` of a password. */
  secretHash: string;
  /** For password keys: the login (unique). */
  login: string | null;
  scopes: Scope[];
  /** IPs or CIDR ranges the key is valid from; empty = anywhere. */
  allowIps: string[];
  /** Per-key limits; null = the server's defaults. */
  rateLimit: RateLimit | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
  /** Refused when sent in the URL or a form field (URLs end up in logs and histories); absent = false. */
  headerOnly?: boolean;
}

/** A verified caller, attached to the request. */
export interface Principal {
  account: string;
  keyId: string;
  keyName: string;
  scopes: readonly Scope[];
  rateLimit: RateLimit | null;
}

export function hasScope(p: Pick<Principal, 'scopes'>, scope: Scope): boolean {
  return p.scopes.includes('admin') || p.scopes.includes(scope);
}

/** Reads scopes from a list or comma-separated text; unknown names are refused. */
export function parseScopes(input: unknown, param = 'scopes'): Scope[] {
  const items = Array.isArray(input) ? input : typeof input === 'string' ? input.split(',') : null;
  if (!items) throw badParam(param, `${param} must be a list of scopes`);
  const out = new Set<Scope>();
  for (const raw of items) {
    const s = String(raw).trim();
    if (s === '') continue;
    if (s === 'all') CLIENT_SCOPES.forEach((c) => out.add(c));
    else if ((SCOPES as readonly string[]).includes(s)) out.add(s as Scope);
    else throw badParam(param, `Unknown scope ${s}; use ${SCOPES.join(', ')} or all`);
  }
  if (out.size === 0) throw badParam(param, `${param} must name at least one scope`);
  return [...out];
}

const ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function validateAccountId(input: unknown, param = 'account'): string {
  if (typeof input !== 'string' || !ACCOUNT_ID.test(input)) throw badParam(param, `${param} must be 1–64 letters, digits, . _ or - (starting with a letter or digit)`);
  return input;
}

const LOGIN = /^[A-Za-z0-9._@-]{3,64}$/;

export function validateLogin(input: unknown, param = 'login'): string {
  if (typeof input !== 'string' || !LOGIN.test(input)) throw badParam(param, `${param} must be 3–64 letters, digits, . _ @ or -`);
  return input;
}
