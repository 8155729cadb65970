/**
 * The account store on PostgreSQL, shared by every node on the database. The credit spend is
 * ONE statement (an INSERT … ON CONFLICT DO UPDATE … WHERE that checks the allowance on the
 * locked row, and the usage count in the same statement), so parallel requests on any number
 * of nodes never overspend. Rows map exactly as SQLite's: times are BIGINT milliseconds.
 */
import type pg from 'pg';
import type { ApiKey } from '../../../domain/auth.model.js';
import type { Account, AccountStore, KeyOptions, AuditEntry, AuditQuery, CreditUsage, DailyUsage } from '../../../ports/account-store.port.js';
import { KEY_COLUMNS, KEY_OPTION_COLUMNS, keyOptionValues, keyValues, toAccount, toKey, type AccountRow, type KeyRowOf } from '../account.rows.js';

type KeyRow = KeyRowOf<boolean>;

interface AuditRow {
  at: number;
  request_id: string;
  account_id: string;
  key_id: string | null;
  ip: string;
  action: string;
  target: string | null;
  status: number;
}

export class PgAccountStore implements AccountStore {
  constructor(
    private readonly pool: pg.Pool,
    /** Called by close(): ends the pool when the store owns it, or releases a share of the process's. */
    private readonly release: () => Promise<void> = async () => undefined,
  ) {}

  private async rows<T>(sql: string, args: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, args)).rows as T[];
  }

  // ---- accounts ----

  async ensureAccount(id: string, monthlyCredits: number | null): Promise<Account> {
    await this.pool.query('INSERT INTO accounts (id, monthly_credits, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [id, monthlyCredits, Date.now()]);
    return (await this.getAccount(id))!;
  }

  async getAccount(id: string): Promise<Account | null> {
    const [r] = await this.rows<AccountRow>('SELECT * FROM accounts WHERE id = $1', [id]);
    return r ? toAccount(r) : null;
  }

  async listAccounts(): Promise<Account[]> {
    return (await this.rows<AccountRow>('SELECT * FROM accounts ORDER BY id')).map(toAccount);
  }

  async setMonthlyCredits(id: string, monthlyCredits: number | null): Promise<Account | null> {
    const [r] = await this.rows<AccountRow>('UPDATE accounts SET monthly_credits = $1 WHERE id = $2 RETURNING *', [monthlyCredits, id]);
    return r ? toAccount(r) : null;
  }

  // ---- keys ----

  async insertKey(k: ApiKey): Promise<void> {
    await this.pool.query(
      `INSERT INTO api_keys (${KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      keyValues(k, (v) => v),
    );
  }

  private async keyWhere(where: string, arg: unknown): Promise<ApiKey | null> {
    const [r] = await this.rows<KeyRow>(`SELECT * FROM api_keys WHERE ${where}`, [arg]);
    return r ? toKey(r) : null;
  }

  getKey(id: string): Promise<ApiKey | null> {
    return this.keyWhere('id = $1', id);
  }

  findKeyByHash(secretHash: string): Promise<ApiKey | null> {
    return this.keyWhere("kind = 'token' AND secret_hash = $1", secretHash);
  }

  findKeyByLogin(login: string): Promise<ApiKey | null> {
    return this.keyWhere("kind = 'password' AND login = $1", login);
  }

  async listKeys(account?: string): Promise<ApiKey[]> {
    const rows =
      account === undefined
        ? await this.rows<KeyRow>('SELECT * FROM api_keys ORDER BY created_at, id')
        : await this.rows<KeyRow>('SELECT * FROM api_keys WHERE account_id = $1 ORDER BY created_at, id', [account]);
    return rows.map(toKey);
  }

  async revokeKey(id: string, at: Date): Promise<boolean> {
    return (await this.pool.query('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at.getTime(), id])).rowCount === 1;
  }

  async replaceSecret(id: string, secretHash: string): Promise<ApiKey | null> {
    const [r] = await this.rows<KeyRow>('UPDATE api_keys SET secret_hash = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING *', [secretHash, id]);
    return r ? toKey(r) : null;
  }

  async updateKeyOptions(id: string, o: KeyOptions): Promise<ApiKey | null> {
    const set = KEY_OPTION_COLUMNS.map((c, i) => `${c} = $${i + 1}`).join(', ');
    const [r] = await this.rows<KeyRow>(`UPDATE api_keys SET ${set} WHERE id = $${KEY_OPTION_COLUMNS.length + 1} AND revoked_at IS NULL RETURNING *`, [...keyOptionValues(o, (v) => v), id]);
    return r ? toKey(r) : null;
  }

  async countActiveKeys(): Promise<number> {
    return (await this.rows<{ n: number }>('SELECT COUNT(*)::bigint AS n FROM api_keys WHERE revoked_at IS NULL'))[0]!.n;
  }

  // ---- credits ----

  async spendCredits(account: string, period: string, operation: string, cost: number, allowance: number | null, day?: string): Promise<boolean> {
    // A new period row is inserted only when the cost fits; an existing one is updated only when
    // the sum fits, checked on the row as locked by this statement (READ COMMITTED re-checks the
    // WHERE on the newest version), so no other spend slips in between. The usage counts (the
    // month's, and the day's when a day is given) are written by the same statement only when
    // the spend was.
    const r = await this.pool.query<{ n: string }>(
      `WITH spend AS (
         INSERT INTO credit_ledger (account_id, period, spent)
           SELECT $1, $2, $4::bigint WHERE $5::bigint IS NULL OR $4::bigint <= $5::bigint
         ON CONFLICT (account_id, period) DO UPDATE SET spent = credit_ledger.spent + excluded.spent
           WHERE $5::bigint IS NULL OR credit_ledger.spent + excluded.spent <= $5::bigint
         RETURNING 1
       ), usage AS (
         INSERT INTO credit_usage (account_id, period, operation, count) SELECT $1, $2, $3, $4::bigint FROM spend
         ON CONFLICT (account_id, period, operation) DO UPDATE SET count = credit_usage.count + excluded.count
       ), daily AS (
         INSERT INTO credit_usage_daily (account_id, day, operation, count) SELECT $1, $6::text, $3, $4::bigint FROM spend WHERE $6::text IS NOT NULL
         ON CONFLICT (account_id, day, operation) DO UPDATE SET count = credit_usage_daily.count + excluded.count
       )
       SELECT count(*) AS n FROM spend`,
      [account, period, operation, cost, allowance, day ?? null],
    );
    return Number(r.rows[0]?.n ?? 0) === 1;
  }

  async refundCredits(account: string, period: string, operation: string, cost: number, day?: string): Promise<void> {
    await this.pool.query(
      // One statement: a data-modifying CTE runs whether or not the rest reads it.
      `WITH refund AS (UPDATE credit_ledger SET spent = GREATEST(0, spent - $4::bigint) WHERE account_id = $1 AND period = $2),
       daily AS (
         UPDATE credit_usage_daily SET count = GREATEST(0, count - $4::bigint)
         WHERE $5::text IS NOT NULL AND account_id = $1 AND day = $5::text AND operation = $3
       )
       INSERT INTO credit_usage (account_id, period, operation, count) VALUES ($1, $2, $3, -$4::bigint)
       ON CONFLICT (account_id, period, operation) DO UPDATE SET count = credit_usage.count + excluded.count`,
      [account, period, operation, cost, day ?? null],
    );
  }

  async dailyUsage(account: string, from: string, to: string): Promise<DailyUsage[]> {
    const rows = await this.rows<{ day: string; operation: string; count: string | number }>(
      'SELECT day, operation, count FROM credit_usage_daily WHERE account_id = $1 AND day >= $2 AND day <= $3 AND count > 0 ORDER BY day, operation',
      [account, from, to],
    );
    return rows.map((r) => ({ day: r.day, operation: r.operation, count: Number(r.count) }));
  }

  async creditUsage(account: string, period: string): Promise<CreditUsage> {
    const [l] = await this.rows<{ spent: number }>('SELECT spent FROM credit_ledger WHERE account_id = $1 AND period = $2', [account, period]);
    const rows = await this.rows<{ operation: string; count: number }>(
      'SELECT operation, count FROM credit_usage WHERE account_id = $1 AND period = $2 AND count > 0 ORDER BY operation',
      [account, period],
    );
    return { spent: l?.spent ?? 0, byOperation: Object.fromEntries(rows.map((r) => [r.operation, r.count])) };
  }

  // ---- audit ----

  async appendAudit(e: AuditEntry): Promise<void> {
    await this.pool.query(
      'INSERT INTO audit_log (at, request_id, account_id, key_id, ip, action, target, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [e.at.getTime(), e.requestId, e.account, e.keyId, e.ip, e.action, e.target, e.status],
    );
  }

  async queryAudit(q: AuditQuery): Promise<AuditEntry[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => (args.push(v), `$${args.length}`);
    if (q.account !== undefined) where.push(`account_id = ${arg(q.account)}`);
    if (q.action !== undefined) where.push(`action = ${arg(q.action)}`);
    if (q.since !== undefined) where.push(`at >= ${arg(q.since.getTime())}`);
    if (q.until !== undefined) where.push(`at < ${arg(q.until.getTime())}`);
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${arg(q.limit)}`;
    return (await this.rows<AuditRow>(sql, args)).map((r) => ({
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
    return (await this.pool.query('DELETE FROM audit_log WHERE at < $1', [before.getTime()])).rowCount ?? 0;
  }

  async close(): Promise<void> {
    await this.release();
  }
}
