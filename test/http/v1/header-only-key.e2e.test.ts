// The header_only key option through /v1 on a real server on loopback: set by the admin API,
// read back, honoured in a header on /v1, and refused in the URL by a surface that reads keys
// there (the FaceHub dialect, mounted on the same server).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN_KEY, adminCreateKey, facePng, startLive, type Live } from '../../helpers/live-server.js';

let live: Live;
before(async () => (live = await startLive({ VISAGE_ADMIN_KEY: ADMIN_KEY })));
after(async () => live.close());

test('a header_only key: listed as such, works in headers, refused in the URL', async () => {
  const h = await adminCreateKey(live, { account: 'h', scopes: 'all', header_only: true });
  const plain = await adminCreateKey(live, { account: 'p', scopes: 'all' });
  const listed = await live.call('GET', '/v1/admin/keys', { key: ADMIN_KEY });
  const byId = new Map(listed.json.keys.map((k: { id: string; header_only: boolean }) => [k.id, k.header_only]));
  assert.equal(byId.get(h.id), true);
  assert.equal(byId.get(plain.id), false);

  const image = (await facePng(1)).toString('base64');
  assert.equal((await live.call('POST', '/v1/detect', { key: h.secret, body: { image } })).status, 200);
  assert.equal((await live.call('POST', '/v1/detect', { headers: { 'x-api-key': h.secret }, body: { image } })).status, 200);

  const inUrl = await live.call('GET', `/facehub/api/data/agencies?key=${h.secret}`);
  assert.equal(inUrl.status, 403, inUrl.text);
  assert.equal(inUrl.json.errorCode, '2S290/B');
  // The same request with a plain key goes through.
  assert.equal((await live.call('GET', `/facehub/api/data/agencies?key=${plain.secret}`)).status, 200);
});
