/**
 * The account store on SQLite, in the same file as the galleries (its own connection, WAL).
 * better-sqlite3 is synchronous, so each statement below runs to completion before another
 * request's: the credit spend is ONE conditional UPDATE, atomic without a transaction.
 * synchronous=NORMAL here (FULL for the face store): a ledger write is not worth an fsync per
 * request; in WAL mode NORMAL loses at most the last commits on power loss, never consistency.
 */
import type Database from 'better-sqlite3';
import type { ApiKey } from '../../../domain/auth.model.js';
import type { Account, AccountStore, KeyOptions, AuditEntry, AuditQuery, CreditUsage, DailyUsage } from '../../../ports/account-store.port.js';
import { openDatabase, relaxed, StatementCache } from './sqlite-database.js';
import { KEY_COLUMNS, KEY_OPTION_COLUMNS, keyOptionValues, keyValues, toAccount, toKey, type AccountRow, type KeyRowOf } from '../account.rows.js';

type KeyRow = KeyRowOf<number>;

export class SqliteAccountStore implements AccountStore {
  private readonly stmts: StatementCache;

  /** Over the process's database handle (main/database.compose.ts), opened FULL. */
  constructor(
    private readonly db: Database.Database,
    /** Called by close(): releases the shared handle (or closes a handle of its own). */
    private readonly release: () => void = () => undefined,
  ) {
    this.stmts = new StatementCache(db);
  }

  /** NORMAL sync: usage counters need no fsync per request; a process crash still loses nothing committed. */
  static open(path: string): SqliteAccountStore {
    const db = openDatabase(path, { synchronous: 'FULL', secureDelete: true });
    return new SqliteAccountStore(db, () => db.close());
  }

  private st(sql: string): Database.Statement {
    return this.stmts.get(sql);
  }

  // ---- accounts ----

  async ensureAccount(id: string, monthlyCredits: number | null): Promise<Account> {
    this.st('INSERT OR IGNORE INTO accounts (id, monthly_credits, created_at) VALUES (?, ?, ?)').run(id, monthlyCredits, Date.now());
    return (await this.getAccount(id))!;
  }

  async getAccount(id: string): Promise<Account | null> {
    const r = this.st('SELECT * FROM accounts WHERE id = ?').get(id) as AccountRow | undefined;
    return r ? toAccount(r) : null;
  }

  async listAccounts(): Promise<Account[]> {
    return (this.st('SELECT * FROM accounts ORDER BY id').all() as AccountRow[]).map(toAccount);
  }

  async setMonthlyCredits(id: string, monthlyCredits: number | null): Promise<Account | null> {
    const r = this.st('UPDATE accounts SET monthly_credits = ? WHERE id = ? RETURNING *').get(monthlyCredits, id) as AccountRow | undefined;
    return r ? toAccount(r) : null;
  }

  // ---- keys ----

  async insertKey(k: ApiKey): Promise<void> {
    this.st(
      `INSERT INTO api_keys (${KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(...keyValues(k, (v) => (v ? 1 : 0)));
  }

  private keyWhere(where: string, ...args: unknown[]): ApiKey | null {
    const r = this.st(`SELECT * FROM api_keys WHERE ${where}`).get(...args) as KeyRow | undefined;
    return r ? toKey(r) : null;
  }

  async getKey(id: string): Promise<ApiKey | null> {
    return this.keyWhere('id = ?', id);
  }

  async findKeyByHash(secretHash: string): Promise<ApiKey | null> {
    return this.keyWhere("kind = 'token' AND secret_hash = ?", secretHash);
  }

  async findKeyByLogin(login: string): Promise<ApiKey | null> {
    return this.keyWhere("kind = 'password' AND login = ?", login);
  }

  async listKeys(account?: string): Promise<ApiKey[]> {
    const rows = (account === undefined
      ? this.st('SELECT * FROM api_keys ORDER BY created_at, id').all()
      : this.st('SELECT * FROM api_keys WHERE account_id = ? ORDER BY created_at, id').all(account)) as KeyRow[];
    return rows.map(toKey);
  }

  async revokeKey(id: string, at: Date): Promise<boolean> {
    return this.st('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at.getTime(), id).changes === 1;
  }

  async replaceSecret(id: string, secretHash: string): Promise<ApiKey | null> {
    const r = this.st('UPDATE api_keys SET secret_hash = ? WHERE id = ? AND revoked_at IS NULL RETURNING *').get(secretHash, id) as KeyRow | undefined;
    return r ? toKey(r) : null;
  }

  async updateKeyOptions(id: string, o: KeyOptions): Promise<ApiKey | null> {
    const set = KEY_OPTION_COLUMNS.map((c) => `${c} = ?`).join(', ');
    const r = this.st(`UPDATE api_keys SET ${set} WHERE id = ? AND revoked_at IS NULL RETURNING *`).get(...keyOptionValues(o, (v) => (v ? 1 : 0)), id) as KeyRow | undefined;
    return r ? toKey(r) : null;
  }

  async countActiveKeys(): Promise<number> {
    return (this.st('SELECT COUNT(*) AS n FROM api_keys WHERE revoked_at IS NULL').get() as { n: number }).n;
  }

  // ---- credits ----

  private readonly spendTx = (account: string, period: string, operation: string, cost: number, allowance: number | null, day?: string): boolean =>
    this.db.transaction(() => {
      this.st('INSERT OR IGNORE INTO credit_ledger (account_id, period, spent) VALUES (?, ?, 0)').run(account, period);
      // The check and the write are one statement: no other spend can slip in between.
      const ok =
        this.st('UPDATE credit_ledger SET spent = spent + ? WHERE account_id = ? AND period = ? AND (? IS NULL OR spent + ? <= ?)').run(
          cost,
          account,
          period,
          allowance,
          cost,
          allowance,
        ).changes === 1;
      if (ok) this.bumpUsage(account, period, operation, cost, day);
      return ok;
    })();

  private bumpUsage(account: string, period: string, operation: string, delta: number, day?: string): void {
    this.st(
      `INSERT INTO credit_usage (account_id, period, operation, count) VALUES (?, ?, ?, ?)
       ON CONFLICT (account_id, period, operation) DO UPDATE SET count = count + excluded.count`,
    ).run(account, period, operation, delta);
    if (day === undefined) return;
    this.st(
      `INSERT INTO credit_usage_daily (account_id, day, operation, count) VALUES (?, ?, ?, ?)
       ON CONFLICT (account_id, day, operation) DO UPDATE SET count = MAX(0, count + excluded.count)`,
    ).run(account, day, operation, delta);
  }

  async spendCredits(account: string, period: string, operation: string, cost: number, allowance: number | null, day?: string): Promise<boolean> {
    return relaxed(this.db, () => this.spendTx(account, period, operation, cost, allowance, day));
  }

  async refundCredits(account: string, period: string, operation: string, cost: number, day?: string): Promise<void> {
    relaxed(this.db, () =>
      this.db.transaction(() => {
        this.st('UPDATE credit_ledger SET spent = MAX(0, spent - ?) WHERE account_id = ? AND period = ?').run(cost, account, period);
        this.bumpUsage(account, period, operation, -cost, day);
      })(),
    );
  }

  async dailyUsage(account: string, from: string, to: string): Promise<DailyUsage[]> {
    return this.st('SELECT day, operation, count FROM credit_usage_daily WHERE account_id = ? AND day >= ? AND day <= ? AND count > 0 ORDER BY day, operation').all(account, from, to) as DailyUsage[];
  }

  async creditUsage(account: string, period: string): Promise<CreditUsage> {
    const spent = (this.st('SELECT spent FROM credit_ledger WHERE account_id = ? AND period = ?').get(account, period) as { spent: number } | undefined)?.spent ?? 0;
    const rows = this.st('SELECT operation, count FROM credit_usage WHERE account_id = ? AND period = ? AND count > 0 ORDER BY operation').all(account, period) as {
      operation: string;
      count: number;
    }[];
    return { spent, byOperation: Object.fromEntries(rows.map((r) => [r.operation, r.count])) };
  }

  // ---- audit ----

  async appendAudit(e: AuditEntry): Promise<void> {
    const insert = this.st('INSERT INTO audit_log (at, request_id, account_id, key_id, ip, action, target, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    relaxed(this.db, () => insert.run(
      e.at.getTime(),
      e.requestId,
      e.account,
      e.keyId,
      e.ip,
      e.action,
      e.target,
      e.status,
    ));
  }

  async queryAudit(q: AuditQuery): Promise<AuditEntry[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.account !== undefined) (where.push('account_id = ?'), args.push(q.account));
    if (q.action !== undefined) (where.push('action = ?'), args.push(q.action));
    if (q.since !== undefined) (where.push('at >= ?'), args.push(q.since.getTime()));
    if (q.until !== undefined) (where.push('at < ?'), args.push(q.until.getTime()));
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    const rows = this.st(sql).all(...args, q.limit) as {
      at: number;
      request_id: string;
      account_id: string;
      key_id: string | null;
      ip: string;
      action: string;
      target: string | null;
      status: number;
    }[];
    return rows.map((r) => ({
      at: new Date(r.at),
      requestId: r.request_id,
      account: r.account_id,
      keyId: r.key_id,
      ip: r.ip,
      action: r.action,
      target: r.target,
      status: r.status,
    }));
  }

  async pruneAudit(before: Date): Promise<number> {
    return this.st('DELETE FROM audit_log WHERE at < ?').run(before.getTime()).changes;
  }

  async close(): Promise<void> {
    if (this.db.open) this.release();
  }
}
