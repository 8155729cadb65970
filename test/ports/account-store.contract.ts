// The contract every account store passes: SQLite
// (test/adapters/store/sqlite/sqlite-account.store.test.ts) and PostgreSQL
// (test/adapters/store/postgres/pg-account.store.test.ts). `open(dir)` opens the store kept at
// `dir` (a file there, or a database schema named after it); opening the same dir again must
// see the same data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiKey } from '../../src/domain/auth.model.js';
import type { AccountStore } from '../../src/ports/account-store.port.js';

export interface AccountStoreFixture {
  open(dir: string): AccountStore | Promise<AccountStore>;
}

const key = (id: string, over: Partial<ApiKey> = {}): ApiKey => ({
  id,
  account: 'acme',
  name: `app ${id}`,
  kind: 'token',
  secretHash: `hash-${id}`,
  login: null,
  scopes: ['detect', 'search'],
  allowIps: ['10.0.0.0/8'],
  rateLimit: { perSecond: 5, burst: 10 },
  expiresAt: new Date('2030-01-01T00:00:00Z'),
  revokedAt: null,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  ...over,
});

export function accountStoreContract(name: string, fx: AccountStoreFixture): void {
  const setup = (t: import('node:test').TestContext) => {
    const dir = mkdtempSync(join(tmpdir(), 'visage-accounts-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };

  test(`${name}: accounts are created once and keep their allowance`, async (t) => {
    const s = await fx.open(setup(t));
    const a = await s.ensureAccount('acme', 100);
    assert.equal(a.monthlyCredits, 100);
    assert.equal((await s.ensureAccount('acme', 5)).monthlyCredits, 100, 'an existing account is returned unchanged');
    await s.ensureAccount('free', null);
    assert.equal((await s.getAccount('free'))!.monthlyCredits, null);
    assert.equal(await s.getAccount('nobody'), null);
    assert.deepEqual((await s.listAccounts()).map((x) => x.id).sort(), ['acme', 'free']);
    assert.equal((await s.setMonthlyCredits('acme', 7))!.monthlyCredits, 7);
    assert.equal(await s.setMonthlyCredits('nobody', 7), null);
    await s.close();
  });

  test(`${name}: keys survive a reopen with every field; revoke and rotate`, async (t) => {
    const dir = setup(t);
    const s1 = await fx.open(dir);
    await s1.ensureAccount('acme', null);
    await s1.insertKey(key('key_a'));
    await s1.insertKey(key('key_b', { kind: 'password', login: 'acme-app', secretHash: 'scrypt$x', rateLimit: null, expiresAt: null, allowIps: [] }));
    await s1.close();
    const s = await fx.open(dir);
    assert.deepEqual(await s.getKey('key_a'), key('key_a'));
    assert.equal((await s.findKeyByHash('hash-key_a'))!.id, 'key_a');
    assert.equal((await s.findKeyByLogin('acme-app'))!.id, 'key_b');
    assert.equal(await s.findKeyByLogin('nobody'), null);
    assert.deepEqual((await s.listKeys('acme')).map((k) => k.id).sort(), ['key_a', 'key_b']);
    assert.equal(await s.countActiveKeys(), 2);
    const rotated = await s.replaceSecret('key_a', 'hash-new');
    assert.equal(rotated!.secretHash, 'hash-new');
    assert.equal(await s.findKeyByHash('hash-key_a'), null, 'the old secret no longer finds the key');
    const options = { name: 'renamed', scopes: ['detect' as const], allowIps: ['10.0.0.0/8'], rateLimit: { perSecond: 2.5, burst: 7 }, expiresAt: new Date('2031-01-01T00:00:00Z'), headerOnly: true };
    const edited = await s.updateKeyOptions('key_a', options);
    assert.deepEqual(
      { name: edited!.name, scopes: edited!.scopes, allowIps: edited!.allowIps, rateLimit: edited!.rateLimit, expiresAt: edited!.expiresAt, headerOnly: edited!.headerOnly },
      options,
    );
    assert.equal(edited!.secretHash, 'hash-new', 'the secret stays');
    assert.deepEqual(await s.getKey('key_a'), edited, 'read back as written');
    const cleared = await s.updateKeyOptions('key_a', { ...options, allowIps: [], rateLimit: null, expiresAt: null, headerOnly: false });
    assert.equal(cleared!.rateLimit, null);
    assert.equal(cleared!.expiresAt, null);
    assert.equal(cleared!.headerOnly, undefined, 'header-only off reads as absent, as on a new key');
    assert.equal(await s.updateKeyOptions('key_nope', options), null);
    assert.equal(await s.revokeKey('key_a', new Date('2026-02-01T00:00:00Z')), true);
    assert.equal(await s.updateKeyOptions('key_a', options), null, 'a revoked key is not edited');
    assert.equal(await s.revokeKey('key_a', new Date()), false, 'revoked once');
    assert.equal(await s.replaceSecret('key_a', 'again'), null, 'a revoked key is not rotated');
    assert.equal(await s.countActiveKeys(), 1);
    assert.ok((await s.getKey('key_a'))!.revokedAt);
    await s.close();
  });

  test(`${name}: credits are spent atomically within the allowance, refunded, counted by operation`, async (t) => {
    const s = await fx.open(setup(t));
    await s.ensureAccount('acme', 10);
    const spends = await Promise.all(Array.from({ length: 30 }, () => s.spendCredits('acme', '2026-12', 'detect', 1, 10)));
    assert.equal(spends.filter(Boolean).length, 10, 'never past the allowance, however many at once');
    assert.equal(await s.spendCredits('acme', '2026-12', 'search', 1, 10), false);
    await s.refundCredits('acme', '2026-12', 'detect', 3);
    assert.equal(await s.spendCredits('acme', '2026-12', 'search', 2, 10), true);
    assert.deepEqual(await s.creditUsage('acme', '2026-12'), { spent: 9, byOperation: { detect: 7, search: 2 } });
    assert.deepEqual(await s.creditUsage('acme', '2027-01'), { spent: 0, byOperation: {} }, 'each period on its own');
    assert.equal(await s.spendCredits('acme', '2026-12', 'detect', 1000, null), true, 'null allowance: unlimited');
    await s.close();
  });

  test(`${name}: credits are also counted per UTC day, in the same transaction, refunds included`, async (t) => {
    const s = await fx.open(setup(t));
    assert.equal(typeof s.dailyUsage, 'function', 'AccountStore.dailyUsage (per-day usage for the admin chart) is part of the contract');
    await s.ensureAccount('acme', 10);
    await s.ensureAccount('other', null);
    assert.equal(await s.spendCredits('acme', '2026-11', 'detect', 2, 10, '2026-11-30'), true);
    const spends = await Promise.all(Array.from({ length: 12 }, () => s.spendCredits('acme', '2026-12', 'detect', 1, 10, '2026-12-01')));
    assert.equal(spends.filter(Boolean).length, 10);
    assert.equal(await s.spendCredits('acme', '2026-12', 'search', 1, 10, '2026-12-02'), false, 'a refused spend counts on no day');
    await s.refundCredits('acme', '2026-12', 'detect', 4, '2026-12-01');
    assert.equal(await s.spendCredits('acme', '2026-12', 'search', 3, 10, '2026-12-02'), true);
    assert.equal(await s.spendCredits('acme', '2026-12', 'verify', 1, 10), true, 'without a day: the month only');
    await s.spendCredits('other', '2026-12', 'detect', 5, null, '2026-12-01');
    assert.deepEqual(await s.dailyUsage!('acme', '2026-11-30', '2026-12-31'), [
      { day: '2026-11-30', operation: 'detect', count: 2 },
      { day: '2026-12-01', operation: 'detect', count: 6 },
      { day: '2026-12-02', operation: 'search', count: 3 },
    ]);
    assert.deepEqual(await s.dailyUsage!('acme', '2026-12-02', '2026-12-02'), [{ day: '2026-12-02', operation: 'search', count: 3 }], 'both ends inclusive');
    assert.deepEqual((await s.creditUsage('acme', '2026-12')).byOperation, { detect: 6, search: 3, verify: 1 });
    await s.close();
  });

  test(`${name}: the audit log answers newest first, filtered, and forgets what is older than its retention`, async (t) => {
    const s = await fx.open(setup(t));
    const at = (d: string) => new Date(`2026-12-${d}T12:00:00Z`);
    const entry = (d: string, action: string, account = 'acme') => ({ at: at(d), requestId: `r${d}`, account, keyId: 'key_a', ip: '127.0.0.1', action, target: 'g', status: 200 });
    for (const e of [entry('01', 'search'), entry('02', 'gallery.delete'), entry('03', 'search'), entry('04', 'search', 'other')]) await s.appendAudit(e);
    assert.deepEqual((await s.queryAudit({ account: 'acme', limit: 10 })).map((e) => e.requestId), ['r03', 'r02', 'r01']);
    assert.deepEqual((await s.queryAudit({ action: 'search', limit: 10 })).map((e) => e.requestId), ['r04', 'r03', 'r01']);
    assert.deepEqual((await s.queryAudit({ since: at('02'), until: at('03'), limit: 10 })).map((e) => e.requestId), ['r02'], 'since inclusive, until exclusive');
    assert.equal((await s.queryAudit({ limit: 1 })).length, 1);
    assert.equal(await s.pruneAudit(at('03')), 2);
    assert.deepEqual((await s.queryAudit({ limit: 10 })).map((e) => e.requestId), ['r04', 'r03']);
    await s.close();
  });
}
