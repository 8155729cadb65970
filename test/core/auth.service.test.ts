// AuthService over real stores: who passes an IP block, and the password cache when another
// process (a second store on the same database file) revokes or rotates a key.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SqliteAccountStore } from '../../src/adapters/store/sqlite/sqlite-account.store.js';
import { SqliteRateStore } from '../../src/adapters/store/sqlite/sqlite-rate.store.js';
import { AbuseGuard } from '../../src/core/abuse-guard.js';
import { AuthService, type Credential } from '../../src/core/auth.service.js';
import { KeysService } from '../../src/core/keys.service.js';
import { sha256Hex, verifyPassword } from '../../src/core/secret-hash.js';
import { isVisageError } from '../../src/domain/error.registry.js';

const dir = mkdtempSync(join(tmpdir(), 'visage-auth-'));
const dbPath = join(dir, 'visage.db');
after(() => rmSync(dir, { recursive: true, force: true }));
const clock = { t: Date.UTC(2025, 0, 15), now() { return this.t; } };
const CONFIG_ADMIN = 'config-admin-key-0123456789abcdef';

const outcome = async (p: Promise<unknown>) => {
  try {
    const principal = (await p) as { keyId: string };
    return `ok ${principal.keyId}`;
  } catch (e) {
    return isVisageError(e) ? e.code : `other ${(e as Error).message}`;
  }
};
const token = (secret: string): Credential => ({ kind: 'token', secret });

test('a held IP: only a valid admin key passes; other keys, logins and no key are refused; invalid keys still count', async () => {
  const store = SqliteAccountStore.open(dbPath);
  const bans = SqliteRateStore.open(dbPath);
  const guard = new AbuseGuard(bans, clock, { failuresToBlock: 3, failureWindowMs: 60_000, blockMs: 60_000, blocksToBan: 2, banWindowMs: 3_600_000, banMs: 86_400_000 });
  let scrypts = 0;
  const auth = new AuthService({ store, clock, guard, adminKeyHash: sha256Hex(CONFIG_ADMIN), verifyPassword: async (p, h) => (scrypts++, verifyPassword(p, h)) });
  const keys = new KeysService({ store, clock, defaultMonthlyCredits: null });
  const admin = await keys.create({ account: 'ops', name: 'admin', scopes: ['admin'] });
  const plain = await keys.create({ account: 'ops', name: 'app', scopes: ['detect'] });
  const login = await keys.create({ account: 'ops', name: 'legacy', scopes: ['admin'], login: 'ops-login', password: 'long-enough-pw' });
  const revokedAdmin = await keys.create({ account: 'ops', name: 'old admin', scopes: ['admin'] });
  await keys.revoke(revokedAdmin.key.id);
  const ip = '203.0.113.7';

  for (let i = 0; i < 3; i++) assert.equal(await outcome(auth.authenticate(token(`vsg_guess${i}`), ip)), 'UNAUTHORIZED');
  assert.equal(await outcome(auth.authenticate(token(plain.secret), ip)), 'IP_BLOCKED');
  assert.equal(await outcome(auth.authenticate(token(admin.secret), ip)), `ok ${admin.key.id}`, 'an admin key passes the block');
  assert.equal(await outcome(auth.authenticate(token(CONFIG_ADMIN), ip)), 'ok admin', 'so does the config admin key');
  assert.equal(await outcome(auth.authenticate(null, ip)), 'IP_BLOCKED');
  const [user, password] = login.secret.split(':') as [string, string];
  assert.equal(await outcome(auth.authenticate({ kind: 'login', login: user, password }, ip)), 'IP_BLOCKED');
  assert.equal(scrypts, 0, 'a held address never costs an scrypt');

  // Invalid keys during the block still count: three more make the second block, i.e. the ban.
  assert.equal(await outcome(auth.authenticate(token(revokedAdmin.secret), ip)), 'IP_BLOCKED', 'a revoked admin key is an invalid key');
  for (let i = 0; i < 2; i++) await outcome(auth.authenticate(token(`vsg_more${i}`), ip));
  assert.equal(await outcome(auth.authenticate(token(plain.secret), ip)), 'IP_BANNED');
  assert.equal(await outcome(auth.authenticate(token(admin.secret), ip)), `ok ${admin.key.id}`, 'an admin key passes a ban too');
  assert.equal((await guard.list())[0]?.kind, 'ban');
  assert.equal(await outcome(auth.authenticate(token(plain.secret), '203.0.113.8')), `ok ${plain.key.id}`, 'other addresses are not held');
  await store.close();
  await bans.close();
});

test('password cache: a key revoked or rotated through another process is refused here at the next request', async () => {
  const nodeA = SqliteAccountStore.open(dbPath);
  const nodeB = SqliteAccountStore.open(dbPath);
  let scrypts = 0;
  const authA = new AuthService({ store: nodeA, clock, passwordCacheMs: 3_600_000, verifyPassword: async (p, h) => (scrypts++, verifyPassword(p, h)) });
  const keysB = new KeysService({ store: nodeB, clock, defaultMonthlyCredits: null });
  const created = await keysB.create({ account: 'pw', name: 'pw', scopes: ['detect'], login: 'cache-login', password: 'first-password' });
  const cred = (password: string): Credential => ({ kind: 'login', login: 'cache-login', password });
  assert.equal(await outcome(authA.authenticate(cred('first-password'), '10.0.0.1')), `ok ${created.key.id}`);
  assert.equal(await outcome(authA.authenticate(cred('first-password'), '10.0.0.1')), `ok ${created.key.id}`);
  assert.equal(scrypts, 1, 'the second request was served from the cache');

  const rotated = await keysB.rotate(created.key.id);
  assert.equal(await outcome(authA.authenticate(cred('first-password'), '10.0.0.1')), 'UNAUTHORIZED', 'rotated elsewhere: the cached verdict no longer applies');
  const newPassword = rotated.secret.split(':')[1]!;
  assert.equal(await outcome(authA.authenticate(cred(newPassword), '10.0.0.1')), `ok ${created.key.id}`);
  assert.equal(await outcome(authA.authenticate(cred(newPassword), '10.0.0.1')), `ok ${created.key.id}`);
  await keysB.revoke(created.key.id);
  assert.equal(await outcome(authA.authenticate(cred(newPassword), '10.0.0.1')), 'UNAUTHORIZED', 'revoked elsewhere: refused although cached');
  await nodeA.close();
  await nodeB.close();
});
