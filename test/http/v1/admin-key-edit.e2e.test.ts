// Editing an existing key's options through /v1/admin on a real server on loopback: the change
// takes effect on the next request (no cache), the secret keeps working, fields left out stay,
// and bad input is refused with the registry's codes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN_KEY, adminCreateKey, facePng, startLive, type Live } from '../../helpers/live-server.js';

let live: Live;
before(async () => (live = await startLive({ VISAGE_ADMIN_KEY: ADMIN_KEY })));
after(async () => live.close());

const patch = (id: string, body: unknown) => live.call('PATCH', `/v1/admin/keys/${id}`, { key: ADMIN_KEY, body });

test('scopes, name, header-only and rate limit change on the next request; the secret stays', async () => {
  const k = await adminCreateKey(live, { account: 'edit', name: 'app', scopes: 'all' });
  const image = (await facePng(1)).toString('base64');
  assert.equal((await live.call('POST', '/v1/detect', { key: k.secret, body: { image } })).status, 200);
  assert.equal((await live.call('GET', '/v1/galleries', { key: k.secret })).status, 200);

  const edited = await patch(k.id, { scopes: ['detect'], name: 'detect-only', rate_per_second: 5, burst: 9, header_only: true });
  assert.equal(edited.status, 200, edited.text);
  assert.deepEqual(
    { name: edited.json.name, scopes: edited.json.scopes, rate: edited.json.rate_limit, header_only: edited.json.header_only, account: edited.json.account },
    { name: 'detect-only', scopes: ['detect'], rate: { per_second: 5, burst: 9 }, header_only: true, account: 'edit' },
  );
  assert.equal(edited.json.secret, undefined, 'no secret in the answer');

  const refused = await live.call('GET', '/v1/galleries', { key: k.secret });
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.json.code, 'FORBIDDEN');
  const allowed = await live.call('POST', '/v1/detect', { key: k.secret, body: { image } });
  assert.equal(allowed.status, 200, 'the same secret still works for what is left');
  assert.match(String(allowed.headers['ratelimit-policy']), /q=9/, 'the new burst applies');

  // Fields left out stay; null removes the rate limit and the expiry.
  const later = await patch(k.id, { expires_at: '2035-01-01T00:00:00Z' });
  assert.equal(later.json.name, 'detect-only');
  assert.deepEqual(later.json.scopes, ['detect']);
  assert.equal(later.json.expires_at, '2035-01-01T00:00:00.000Z');
  const cleared = await patch(k.id, { rate_per_second: null, expires_at: null });
  assert.equal(cleared.status, 200, cleared.text);
  assert.equal(cleared.json.rate_limit, null);
  assert.equal(cleared.json.expires_at, null);
  assert.equal((await live.call('GET', `/v1/admin/keys/${k.id}`, { key: ADMIN_KEY })).json.name, 'detect-only', 'read back');
});

test('bad edits are refused with stable codes; a revoked or unknown key is KEY_NOT_FOUND', async () => {
  const k = await adminCreateKey(live, { account: 'edit2', scopes: 'all' });
  const badScope = await patch(k.id, { scopes: ['detect', 'fly'] });
  assert.equal(badScope.status, 400);
  assert.equal(badScope.json.code, 'BAD_PARAM');
  const past = await patch(k.id, { expires_at: '2001-01-01T00:00:00Z' });
  assert.equal(past.json.code, 'BAD_PARAM');
  assert.equal(past.json.param, 'expires_at');
  const burstAlone = await patch(k.id, { burst: 4 });
  assert.equal(burstAlone.json.param, 'rate_per_second', 'a burst needs its rate');
  assert.equal((await patch(k.id, {})).status, 400, 'an empty change is refused');
  assert.equal((await patch(k.id, { secret: 'x' })).status, 400, 'the secret is not an option');
  assert.equal((await patch('key_nope', { name: 'x' })).json.code, 'KEY_NOT_FOUND');
  assert.equal((await live.call('DELETE', `/v1/admin/keys/${k.id}`, { key: ADMIN_KEY })).status, 204);
  const revoked = await patch(k.id, { name: 'x' });
  assert.equal(revoked.status, 404);
  assert.equal(revoked.json.code, 'KEY_NOT_FOUND');
  // Only an admin may edit keys.
  const other = await adminCreateKey(live, { account: 'edit3', scopes: 'all' });
  assert.equal((await live.call('PATCH', `/v1/admin/keys/${other.id}`, { key: other.secret, body: { name: 'mine' } })).status, 403);
});

test('monthly_credits: null makes an account unlimited (not 0, which a coercing validator would read)', async () => {
  await adminCreateKey(live, { account: 'unlimited-again' });
  const capped = await live.call('PUT', '/v1/admin/accounts/unlimited-again/credits', { key: ADMIN_KEY, body: { monthly_credits: 5 } });
  assert.equal(capped.json.monthly_credits, 5);
  const freed = await live.call('PUT', '/v1/admin/accounts/unlimited-again/credits', { key: ADMIN_KEY, body: { monthly_credits: null } });
  assert.equal(freed.status, 200, freed.text);
  assert.equal(freed.json.monthly_credits, null);
  assert.equal(freed.json.remaining, null);
});

test('monthly_credits: 0 stays 0 (no credit), not null', async () => {
  await adminCreateKey(live, { account: 'broke' });
  const zero = await live.call('PUT', '/v1/admin/accounts/broke/credits', { key: ADMIN_KEY, body: { monthly_credits: 0 } });
  assert.equal(zero.status, 200, zero.text);
  assert.equal(zero.json.monthly_credits, 0);
  assert.equal(zero.json.remaining, 0);
});
