/**
 * The usage and audit log: who searched which gallery, who enrolled or deleted what, with the
 * request id. Entries name accounts, key ids, IPs, actions and targets only — never an image,
 * a template or a key. Entries older than the retention period are pruned.
 */
import { badParam } from '../domain/error.registry.js';
import type { AccountStore, AuditEntry, AuditQuery } from '../ports/account-store.port.js';
import type { Clock } from '../ports/clock.port.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export class AuditService {
  constructor(private readonly deps: { store: AccountStore; clock: Clock; retentionDays: number }) {}

  async record(entry: Omit<AuditEntry, 'at'>): Promise<void> {
    await this.deps.store.appendAudit({ ...entry, at: new Date(this.deps.clock.now()) });
  }

  async query(q: { account?: string; action?: string; since?: string; until?: string; limit?: number }): Promise<AuditEntry[]> {
    const when = (v: string | undefined, param: string) => {
      if (v === undefined) return undefined;
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) throw badParam(param, `${param} must be an ISO 8601 date`);
      return d;
    };
    const limit = q.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw badParam('limit', 'limit must be 1–10000');
    const query: AuditQuery = { account: q.account, action: q.action, since: when(q.since, 'since'), until: when(q.until, 'until'), limit };
    return this.deps.store.queryAudit(query);
  }

  /** Deletes what is past retention; returns how many entries went. */
  async prune(): Promise<number> {
    return this.deps.store.pruneAudit(new Date(this.deps.clock.now() - this.deps.retentionDays * DAY_MS));
  }
}
