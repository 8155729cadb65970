/**
 * Wires accounts, keys, credits, limits, bans and the audit log onto the SQLite file the
 * galleries use (data dir `visage.db`), so a fresh start needs no setup; with DATABASE_URL onto
 * PostgreSQL, shared by every node (docs/scale-out.md). Also the first-start
 * bootstrap: with no key at all and no admin key in config, one admin key is made and printed once.
 */
import { MemoryRateStore } from '../adapters/store/memory/memory-rate.store.js';
import { SqliteAccountStore } from '../adapters/store/sqlite/sqlite-account.store.js';
import { SqliteRateStore } from '../adapters/store/sqlite/sqlite-rate.store.js';
import type { Config } from '../config/config.schema.js';
import { AbuseGuard, type AbusePolicy } from '../core/abuse-guard.js';
import { AuditService } from '../core/audit.service.js';
import { AuthService } from '../core/auth.service.js';
import { CreditsService } from '../core/credits.service.js';
import { KeysService } from '../core/keys.service.js';
import { RateLimiter } from '../core/rate-limiter.js';
import { sha256Hex } from '../core/secret-hash.js';
import type { AccountDeps } from './app.compose.js';
import { leaseDatabase, leasePgPool } from './database.compose.js';
import { PgAccountStore } from '../adapters/store/postgres/pg-account.store.js';
import { PgRateStore } from '../adapters/store/postgres/pg-rate.store.js';
import { databasePath } from './services.compose.js';
import type { AccountStore } from '../ports/account-store.port.js';
import { systemClock, type Clock } from '../ports/clock.port.js';
import type { RateStore } from '../ports/rate-store.port.js';

export interface AccountStack {
  deps: AccountDeps;
  store: AccountStore;
  /** Prunes the audit log and makes the first key when there is none. */
  start(print: (line: string) => void): Promise<void>;
  close(): Promise<void>;
}

const PRUNE_EVERY_MS = 6 * 60 * 60 * 1000;

export function buildKeysService(config: Config, store: AccountStore, clock: Clock = systemClock): KeysService {
  return new KeysService({ store, clock, defaultMonthlyCredits: config.defaultMonthlyCredits || null });
}

/**
 * The account store over the process's one database handle (or, with DATABASE_URL, its one
 * PostgreSQL pool, shared by every node); its close() releases the handle.
 */
export function openAccountStore(config: Config): AccountStore {
  if (config.databaseUrl) {
    const pg = leasePgPool(config.databaseUrl);
    return new PgAccountStore(pg.pool, pg.release);
  }
  const lease = leaseDatabase(databasePath(config));
  return new SqliteAccountStore(lease.db, lease.release);
}

/**
 * Invalid-key counts, blocks and bans: in the SQLite database, so they outlast a restart and
 * every process on the data dir sees them (and `visage bans` works with the server running).
 */
export function openBanStore(config: Config): RateStore {
  if (config.databaseUrl) {
    const pg = leasePgPool(config.databaseUrl);
    return new PgRateStore(pg.pool, pg.release);
  }
  const lease = leaseDatabase(databasePath(config));
  return new SqliteRateStore(lease.db, lease.release);
}

export function abusePolicy(config: Config): AbusePolicy {
  return {
    failuresToBlock: config.abuseFailuresToBlock,
    failureWindowMs: config.abuseFailureWindowMs,
    blockMs: config.abuseBlockMs,
    blocksToBan: config.abuseBlocksToBan,
    banWindowMs: config.abuseBanWindowMs,
    banMs: config.abuseBanMs,
  };
}

/** The abuse guard over the database's bans, for the CLI (`visage bans`); close the store after. */
export function openAbuseGuard(config: Config, clock: Clock = systemClock): { guard: AbuseGuard; close(): Promise<void> } {
  const bans = openBanStore(config);
  return { guard: new AbuseGuard(bans, clock, abusePolicy(config)), close: () => bans.close() };
}

export function buildAccounts(config: Config, clock: Clock = systemClock): AccountStack {
  const store = openAccountStore(config);
  const defaultMonthlyCredits = config.defaultMonthlyCredits || null;
  const bans = openBanStore(config);
  // Buckets are touched on every request: in one process memory is fastest and losing them on
  // restart costs nothing (a bucket starts full). `sqlite` shares them between processes on
  // one file, `postgres` (the default with DATABASE_URL) between every node: the ban store's.
  const buckets = config.rateLimitStore === 'memory' ? new MemoryRateStore() : bans;
  const guard = new AbuseGuard(bans, clock, abusePolicy(config));
  const keys = buildKeysService(config, store, clock);
  const audit = new AuditService({ store, clock, retentionDays: config.auditRetentionDays });
  const deps: AccountDeps = {
    auth: new AuthService({ store, clock, guard, adminKeyHash: config.adminKey ? sha256Hex(config.adminKey) : undefined }),
    keys,
    credits: new CreditsService({ store, clock, defaultMonthlyCredits }),
    limiter: new RateLimiter(buckets, clock, { perSecond: config.rateLimitPerSecond, burst: config.rateLimitBurst }),
    guard,
    audit,
  };
  let timer: NodeJS.Timeout | undefined;
  return {
    deps,
    store,
    async start(print) {
      await store.ensureAccount('default', defaultMonthlyCredits);
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
      await bans.close();
    },
  };
}
