/**
 * API key management: create, list, edit options, revoke and rotate. The raw secret is returned exactly once,
 * by create and rotate; the store only ever sees its hash (sha-256 for tokens, scrypt for
 * login:password pairs).
 */
import { randomBytes } from 'node:crypto';
import {
  CLIENT_SCOPES,
  parseScopes,
  validateAccountId,
  validateLogin,
  type ApiKey,
  type RateLimit,
  type Scope,
} from '../domain/auth.model.js';
import { VisageError, badParam } from '../domain/error.registry.js';
import { parseAllowList } from '../domain/ip-allow-list.rules.js';
import type { AccountStore } from '../ports/account-store.port.js';
import type { Clock } from '../ports/clock.port.js';
import { hashPassword, newPassword, newToken, sha256Hex } from './secret-hash.js';

export interface NewKeyInput {
  account?: unknown;
  name?: unknown;
  scopes?: unknown;
  allowIps?: unknown;
  /** ISO date, or null for no expiry. */
  expiresAt?: unknown;
  rateLimit?: { perSecond?: unknown; burst?: unknown } | null;
  /** Makes a login:password key (HTTP `Authorization: LOGIN:PASSWORD`); the password is generated unless given. */
  login?: unknown;
  password?: unknown;
  /** Accept the key only in a header (Authorization, x-api-key), never in the URL or a form field. */
  headerOnly?: unknown;
}

/**
 * Changes to an existing key's options: each field given replaces the key's (validated as on
 * create); a field left out stays. `expiresAt: null` and `rateLimit: null` remove them
 * (the key then follows the server's default rate limit).
 */
export interface KeyChangesInput {
  name?: unknown;
  scopes?: unknown;
  allowIps?: unknown;
  expiresAt?: unknown;
  rateLimit?: { perSecond?: unknown; burst?: unknown } | null;
  headerOnly?: unknown;
}

/** A key as shown to admins: never the hash. */
export type KeyView = Omit<ApiKey, 'secretHash'>;

export const toKeyView = ({ secretHash: _hidden, ...rest }: ApiKey): KeyView => rest;

export interface CreatedKey {
  key: KeyView;
  /** The credential to send: a token, or `LOGIN:PASSWORD`. Shown once. */
  secret: string;
}

function parseRateLimit(input: NewKeyInput['rateLimit']): RateLimit | null {
  if (!input || (input.perSecond === undefined && input.burst === undefined)) return null;
  const perSecond = Number(input.perSecond);
  if (!(perSecond > 0 && perSecond <= 1_000_000)) throw badParam('rate_per_second', 'rate_per_second must be a number above 0');
  const burst = input.burst === undefined ? Math.max(1, Math.ceil(perSecond * 2)) : Number(input.burst);
  if (!Number.isInteger(burst) || burst < 1 || burst > 10_000_000) throw badParam('burst', 'burst must be a whole number of at least 1');
  return { perSecond, burst };
}

function parseName(input: unknown): string {
  const name = String(input).trim();
  if (name.length === 0 || name.length > 100) throw badParam('name', 'name must be 1–100 characters');
  return name;
}

const parseFlag = (input: unknown) => input === true || input === 'true';

function parseExpiry(input: unknown, now: number): Date | null {
  if (input === undefined || input === null || input === '') return null;
  const d = input instanceof Date ? input : new Date(String(input));
  if (Number.isNaN(d.getTime())) throw badParam('expires_at', 'expires_at must be an ISO 8601 date');
  if (d.getTime() <= now) throw badParam('expires_at', 'expires_at must be in the future');
  return d;
}

export class KeysService {
  constructor(
    private readonly deps: { store: AccountStore; clock: Clock; defaultMonthlyCredits: number | null },
  ) {}

  async create(input: NewKeyInput): Promise<CreatedKey> {
    const now = this.deps.clock.now();
    const account = input.account === undefined ? 'default' : validateAccountId(input.account);
    const name = input.name === undefined ? 'key' : parseName(input.name);
    const scopes: Scope[] = input.scopes === undefined ? [...CLIENT_SCOPES] : parseScopes(input.scopes);
    const base = {
      id: `key_${randomBytes(9).toString('base64url')}`,
      account,
      name,
      scopes,
      allowIps: input.allowIps === undefined ? [] : parseAllowList(input.allowIps),
      rateLimit: parseRateLimit(input.rateLimit),
      expiresAt: parseExpiry(input.expiresAt, now),
      revokedAt: null,
      createdAt: new Date(now),
      headerOnly: parseFlag(input.headerOnly),
    };
    let key: ApiKey;
    let secret: string;
    if (input.login !== undefined) {
      const login = validateLogin(input.login);
      if (await this.deps.store.findKeyByLogin(login)) throw new VisageError('BAD_PARAM', `The login ${login} is taken`, { param: 'login' });
      const password = input.password === undefined ? newPassword() : String(input.password);
      if (password.length < 8 || password.includes(':')) throw badParam('password', 'password must be at least 8 characters, without ":"');
      key = { ...base, kind: 'password', login, secretHash: await hashPassword(password) };
      secret = `${login}:${password}`;
    } else {
      secret = newToken();
      key = { ...base, kind: 'token', login: null, secretHash: sha256Hex(secret) };
    }
    await this.deps.store.ensureAccount(account, this.deps.defaultMonthlyCredits);
    await this.deps.store.insertKey(key);
    return { key: toKeyView(key), secret };
  }

  async list(account?: string): Promise<KeyView[]> {
    return (await this.deps.store.listKeys(account)).map(toKeyView);
  }

  async get(id: string): Promise<KeyView> {
    const k = await this.deps.store.getKey(id);
    if (!k) throw new VisageError('KEY_NOT_FOUND', `Key ${id} does not exist`, { param: 'id' });
    return toKeyView(k);
  }

  async revoke(id: string): Promise<void> {
    const ok = await this.deps.store.revokeKey(id, new Date(this.deps.clock.now()));
    if (!ok) throw new VisageError('KEY_NOT_FOUND', `Key ${id} does not exist or is already revoked`, { param: 'id' });
  }

  /** Edits an active key's options; it keeps its secret, so clients go on without a change. */
  async update(id: string, input: KeyChangesInput): Promise<KeyView> {
    const k = await this.deps.store.getKey(id);
    if (!k || k.revokedAt) throw new VisageError('KEY_NOT_FOUND', `Key ${id} does not exist or is revoked`, { param: 'id' });
    const updated = await this.deps.store.updateKeyOptions(id, {
      name: input.name === undefined ? k.name : parseName(input.name),
      scopes: input.scopes === undefined ? k.scopes : parseScopes(input.scopes),
      allowIps: input.allowIps === undefined ? k.allowIps : parseAllowList(input.allowIps),
      rateLimit: input.rateLimit === undefined ? k.rateLimit : parseRateLimit(input.rateLimit),
      expiresAt: input.expiresAt === undefined ? k.expiresAt : parseExpiry(input.expiresAt, this.deps.clock.now()),
      headerOnly: input.headerOnly === undefined ? k.headerOnly === true : parseFlag(input.headerOnly),
    });
    if (!updated) throw new VisageError('KEY_NOT_FOUND', `Key ${id} does not exist or is revoked`, { param: 'id' });
    return toKeyView(updated);
  }

  /** A new secret for the same key (same id, scopes and limits); the old one stops working at once. */
  async rotate(id: string): Promise<CreatedKey> {
    const k = await this.deps.store.getKey(id);
    if (!k || k.revokedAt) throw new VisageError('KEY_NOT_FOUND', `Key ${id} does not exist or is revoked`, { param: 'id' });
    let secret: string;
    let hash: string;
    if (k.kind === 'password') {
      const password = newPassword();
      secret = `${k.login}:${password}`;
      hash = await hashPassword(password);
    } else {
      secret = newToken();
      hash = sha256Hex(secret);
    }
    const updated = await this.deps.store.replaceSecret(id, hash);
    if (!updated) throw new VisageError('KEY_NOT_FOUND', `Key ${id} does not exist or is revoked`, { param: 'id' });
    return { key: toKeyView(updated), secret };
  }

  async activeKeyCount(): Promise<number> {
    return this.deps.store.countActiveKeys();
  }
}
