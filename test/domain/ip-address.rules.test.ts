import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalIp, classifyAddress, parseIPv4, parseIPv6 } from '../../src/domain/ip-address.rules.js';

test('IPv4 literal forms all read as the same address', () => {
  for (const form of ['127.0.0.1', '2130706433', '0177.0.0.1', '0x7f.0.0.1', '0x7f000001', '127.1', '127.0.1', '0177.1', '017700000001']) {
    assert.deepEqual(parseIPv4(form), [127, 0, 0, 1], form);
  }
  assert.equal(parseIPv4('256.0.0.1'), null);
  assert.equal(parseIPv4('1.2.3.4.5'), null);
  assert.equal(parseIPv4('example.com'), null);
  assert.equal(parseIPv4('08.0.0.1'), null, '08 is neither octal nor decimal');
  assert.equal(parseIPv4('4294967296'), null);
});

test('IPv6 parsing: compressed, full, embedded IPv4, brackets and zones', () => {
  assert.deepEqual(parseIPv6('::1'), [...new Array(15).fill(0), 1]);
  assert.deepEqual(parseIPv6('[::1]'), [...new Array(15).fill(0), 1]);
  assert.deepEqual(parseIPv6('::ffff:127.0.0.1'), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 127, 0, 0, 1]);
  assert.deepEqual(parseIPv6('::ffff:7f00:1'), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 127, 0, 0, 1]);
  assert.deepEqual(parseIPv6('fe80::1%eth0')?.slice(0, 2), [0xfe, 0x80]);
  assert.equal(canonicalIp('2001:4860:4860:0:0:0:0:8888'), '2001:4860:4860:0:0:0:0:8888');
  assert.equal(parseIPv6('1::2::3'), null);
  assert.equal(parseIPv6('1:2:3:4:5:6:7:8:9'), null);
  assert.equal(parseIPv6('12345::'), null);
  assert.equal(parseIPv6('127.0.0.1'), null);
});

const blocked = [
  '127.0.0.1', '2130706433', '0177.0.0.1', '0x7f.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1',
  '169.254.169.254', '100.64.0.1', '100.127.255.254', '0.0.0.0', '0', '224.0.0.1', '239.255.255.250', '255.255.255.255',
  '198.18.0.1', '192.0.2.1',
  '::', '::1', '[::1]', '::ffff:127.0.0.1', '[::ffff:127.0.0.1]', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:169.254.169.254',
  '::127.0.0.1', 'fe80::1', 'fe80::1%lo0', 'fc00::1', 'fd12:3456::1', 'ff02::1', 'fec0::1', '2001:db8::1',
  '64:ff9b::7f00:1', '2002:7f00:1::', '2002:0a00:0001::1', '2001:0:4136:e378::1', '::ffff:0:0',
];
const allowed = ['8.8.8.8', '1.1.1.1', '93.184.216.34', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111',
  '2001:4860:4860::8888', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:0808:0808::1'];

test('private, loopback, link-local, CGNAT, multicast and special addresses are refused', () => {
  for (const ip of blocked) {
    const v = classifyAddress(ip);
    assert.equal(v.allowed, false, `${ip} should be refused`);
  }
});

test('public addresses are allowed', () => {
  for (const ip of allowed) assert.deepEqual(classifyAddress(ip), { allowed: true }, ip);
});

test('text that is not an IP is refused by classifyAddress', () => {
  assert.equal(classifyAddress('localhost').allowed, false);
});
