/**
 * Turns a presented credential into a Principal, or refuses it. One path for every dialect:
 * the key (unknown and revoked keys look alike and count towards the IP's block), expiry, the
 * key's IP allow-list, and the IP's block/ban. A blocked or banned IP is refused whatever key
 * it sends, except a valid admin token: an operator locked out by an attacker sharing the
 * address (a NAT, a proxy without VISAGE_TRUST_PROXY) can still list and lift bans. While the IP
 * is held, a token still costs only a sha-256 and one lookup, and an invalid one still counts;
 * a login:password is refused unchecked, so a held address cannot make us run scrypts.
 *
 * Password checks cost an scrypt; a verified login:password is cached briefly in this process
 * (by its sha-256, never the password) so a busy client does not pay a hash per request. The
 * cache is safe with several processes sharing one account store: it only remembers "this
 * password matches this stored hash". The key record is read from the store on every request,
 * so a key revoked on another process is refused at the next request here (revokedAt), a key
 * rotated there no longer matches the cached hash (a rotation writes a new salted hash), and
 * expiry and the allow-list are checked after the cache as for any key.
 */
import { hasScope, type ApiKey, type Principal, type Scope } from '../domain/auth.model.js';
import { VisageError } from '../domain/error.registry.js';
import { ipAllowed } from '../domain/ip-allow-list.rules.js';
import type { AccountStore } from '../ports/account-store.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { IpBan } from '../ports/rate-store.port.js';
import type { AbuseGuard } from './abuse-guard.js';
import { sameDigest, sha256Hex, verifyPassword } from './secret-hash.js';

/** `via`: where a token came from; a header-only key is refused from the URL (`query`) or a form (`body`). */
export type Credential = { kind: 'token'; secret: string; via?: 'header' | 'query' | 'body' } | { kind: 'login'; login: string; password: string };

export interface AuthServiceDeps {
  store: AccountStore;
  clock: Clock;
  guard?: AbuseGuard;
  /** sha-256 of the admin key from config, when one is configured. */
  adminKeyHash?: string;
  /** How long a verified login:password is trusted without a new scrypt. */
  passwordCacheMs?: number;
  /** The slow check itself; injectable so tests can count how often it runs. */
  verifyPassword?: (password: string, stored: string) => Promise<boolean>;
}

/**
 * The config admin key acts for the default account with every scope. Its bucket is large
 * (operators script key creation in bursts) but still finite.
 */
export const ADMIN_PRINCIPAL: Principal = {
  account: 'default',
  keyId: 'admin',
  keyName: 'admin key (config)',
  scopes: ['admin'],
  rateLimit: { perSecond: 1000, burst: 1000 },
};

const MAX_CACHED = 10_000;

export class AuthService {
  private readonly passwordCache = new Map<string, { keyId: string; secretHash: string; until: number }>();

  constructor(private readonly deps: AuthServiceDeps) {}

  /** Throws IP_BLOCKED / IP_BANNED for an address the abuse guard holds (when no credential came to look at). */
  async checkAddress(ip: string): Promise<void> {
    await this.deps.guard?.check(ip);
  }

  /** Verifies `credential` from `ip`; throws UNAUTHORIZED, KEY_EXPIRED, IP_NOT_ALLOWED, IP_BLOCKED or IP_BANNED. */
  async authenticate(credential: Credential | null, ip: string): Promise<Principal> {
    const guard = this.deps.guard;
    const held = guard ? await guard.inForce(ip) : null;
    if (held && guard) return this.throughBlock(credential, ip, held, guard);
    if (!credential) throw new VisageError('UNAUTHORIZED', 'No API key was sent');
    const key = credential.kind === 'token' ? await this.byToken(credential.secret) : await this.byLogin(credential.login, credential.password);
    if (key === 'admin') return ADMIN_PRINCIPAL;
    if (!key || key.revokedAt) {
      await guard?.recordFailure(ip);
      throw new VisageError('UNAUTHORIZED', 'The API key is not valid');
    }
    if (key.headerOnly && credential.kind === 'token' && (credential.via === 'query' || credential.via === 'body')) {
      throw new VisageError('FORBIDDEN', 'This API key is accepted only in a header (Authorization), not in the URL or a form field', { headerOnly: true, via: credential.via });
    }
    return this.principalOf(key, ip);
  }

  /** From a held IP only a valid admin token passes; an invalid token still counts towards the next block or ban. */
  private async throughBlock(credential: Credential | null, ip: string, held: IpBan, guard: AbuseGuard): Promise<Principal> {
    if (credential?.kind !== 'token') throw guard.refusal(held);
    const key = await this.byToken(credential.secret);
    if (key === 'admin') return ADMIN_PRINCIPAL;
    if (!key || key.revokedAt) throw guard.refusal((await guard.recordFailure(ip)) ?? held);
    if (!hasScope(key, 'admin')) throw guard.refusal(held);
    return this.principalOf(key, ip);
  }

  private principalOf(key: ApiKey, ip: string): Principal {
    if (key.expiresAt && key.expiresAt.getTime() <= this.deps.clock.now()) throw new VisageError('KEY_EXPIRED');
    if (!ipAllowed(key.allowIps, ip)) throw new VisageError('IP_NOT_ALLOWED');
    return { account: key.account, keyId: key.id, keyName: key.name, scopes: key.scopes, rateLimit: key.rateLimit };
  }

  /** Throws FORBIDDEN unless the principal holds the scope. */
  requireScope(p: Principal, scope: Scope): void {
    if (!hasScope(p, scope)) throw new VisageError('FORBIDDEN', `This key lacks the ${scope} scope`, { scope });
  }

  private async byToken(secret: string): Promise<ApiKey | 'admin' | null> {
    if (secret.length === 0 || secret.length > 512) return null;
    const hash = sha256Hex(secret);
    if (this.deps.adminKeyHash && sameDigest(hash, this.deps.adminKeyHash)) return 'admin';
    return this.deps.store.findKeyByHash(hash);
  }

  private async byLogin(login: string, password: string): Promise<ApiKey | null> {
    if (login.length === 0 || login.length > 64 || password.length > 512) return null;
    const key = await this.deps.store.findKeyByLogin(login);
    if (!key) return null;
    const now = this.deps.clock.now();
    const cacheKey = sha256Hex(`${login}\u0000${password}`);
    const hit = this.passwordCache.get(cacheKey);
    // The cached verdict holds only for the same stored hash: a rotation invalidates it.
    if (hit && hit.until > now && hit.keyId === key.id && hit.secretHash === key.secretHash) return key;
    if (!(await (this.deps.verifyPassword ?? verifyPassword)(password, key.secretHash))) return null;
    this.passwordCache.set(cacheKey, { keyId: key.id, secretHash: key.secretHash, until: now + (this.deps.passwordCacheMs ?? 60_000) });
    if (this.passwordCache.size > MAX_CACHED) this.passwordCache.delete(this.passwordCache.keys().next().value!);
    return key;
  }
}
