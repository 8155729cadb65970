import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipAllowed, parseAllowList } from '../../src/domain/ip-allow-list.rules.js';

test('exact addresses and CIDR ranges of both families; mapped IPv6 peers match as IPv4', () => {
  const list = parseAllowList('10.0.0.0/8, 192.168.1.7, 2001:db8::/32');
  assert.equal(ipAllowed(list, '10.200.3.4'), true);
  assert.equal(ipAllowed(list, '::ffff:10.1.1.1'), true);
  assert.equal(ipAllowed(list, '11.0.0.1'), false);
  assert.equal(ipAllowed(list, '192.168.1.7'), true);
  assert.equal(ipAllowed(list, '192.168.1.8'), false);
  assert.equal(ipAllowed(list, '2001:db8:1::5'), true);
  assert.equal(ipAllowed(list, '2001:db9::5'), false);
  assert.equal(ipAllowed([], 'anything'), true);
  assert.equal(ipAllowed(['127.0.0.0/31'], '127.0.0.1'), true);
  assert.equal(ipAllowed(['127.0.0.0/31'], '127.0.0.2'), false);
});

test('bad entries are refused by name', () => {
  for (const bad of ['10.0.0.0/33', '0177.0.0.1', 'host.example', '1.2.3.4/8/1', '::1/129']) {
    assert.throws(() => parseAllowList([bad]), { code: 'BAD_PARAM' }, bad);
  }
});
