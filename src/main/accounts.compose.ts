/**
 * Wires accounts, keys, credits, limits, bans and the audit log onto the SQLite file the
 * galleries use (data dir `visage.db`), so a fresh start needs no setup. Also the first-start
 * bootstrap: with no key at all and no admin key in config, one admin key is made and printed once.
 */
import { SqliteAccountStore } from '../adapters/store/sqlite/sqlite-account.store.js';
import type { Config } from '../config/config.schema.js';
import { AbuseGuard } from '../core/abuse-guard.js';
import { AuditService } from '../core/audit.service.js';
import { AuthService } from '../core/auth.service.js';
import { CreditsService } from '../core/credits.service.js';
import { KeysService } from '../core/keys.service.js';
import { RateLimiter } from '../core/rate-limiter.js';
import { sha256Hex } from '../core/secret-hash.js';
import type { AccountDeps } from './app.compose.js';
import { databasePath } from './services.compose.js';
import type { AccountStore } from '../ports/account-store.port.js';
import { systemClock, type Clock } from '../ports/clock.port.js';

export interface AccountStack {
  deps: AccountDeps;
  store: AccountStore;
  /** Loads bans, prunes the audit log and makes the first key when there is none. */
  start(print: (line: string) => void): Promise<void>;
  close(): Promise<void>;
}

const PRUNE_EVERY_MS = 6 * 60 * 60 * 1000;

export function buildKeysService(config: Config, store: AccountStore, clock: Clock = systemClock): KeysService {
  return new KeysService({ store, clock, defaultMonthlyCredits: config.defaultMonthlyCredits || null });
}

export function openAccountStore(config: Config): AccountStore {
  return SqliteAccountStore.open(databasePath(config));
}

export function buildAccounts(config: Config, clock: Clock = systemClock): AccountStack {
  const store = openAccountStore(config);
  const defaultMonthlyCredits = config.defaultMonthlyCredits || null;
  const guard = new AbuseGuard(store, clock, {
    failuresToBlock: config.abuseFailuresToBlock,
    failureWindowMs: config.abuseFailureWindowMs,
    blockMs: config.abuseBlockMs,
    blocksToBan: config.abuseBlocksToBan,
    banWindowMs: config.abuseBanWindowMs,
    banMs: config.abuseBanMs,
  });
  const keys = buildKeysService(config, store, clock);
  const audit = new AuditService({ store, clock, retentionDays: config.auditRetentionDays });
  const deps: AccountDeps = {
    auth: new AuthService({ store, clock, guard, adminKeyHash: config.adminKey ? sha256Hex(config.adminKey) : undefined }),
    keys,
    credits: new CreditsService({ store, clock, defaultMonthlyCredits }),
    limiter: new RateLimiter(clock, { perSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst }),
    guard,
    audit,
    adminEnabled: config.adminKey !== '',
  };
  let timer: NodeJS.Timeout | undefined;
  return {
    deps,
    store,
    async start(print) {
      await store.ensureAccount('default', defaultMonthlyCredits);
      await guard.load();
      await audit.prune();
      timer = setInterval(() => void audit.prune().catch(() => undefined), PRUNE_EVERY_MS);
      timer.unref();
      if (config.adminKey === '' && (await keys.activeKeyCount()) === 0) {
        const { key, secret } = await keys.create({ account: 'default', name: 'bootstrap', scopes: ['admin'] });
        // Printed, not logged: logs never carry keys. This is the only time the secret is shown.
        print(
          `\nNo API key existed, so one was created (id ${key.id}). It is shown only this once:\n\n  ${secret}\n\n` +
            `Send it as "Authorization: Bearer <key>" or "x-api-key: <key>". Manage keys with "visage keys --help".\n\n`,
        );
      }
    },
    async close() {
      if (timer) clearInterval(timer);
      await store.close();
    },
  };
}
