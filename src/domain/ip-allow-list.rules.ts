/**
 * Key IP allow-lists: exact addresses or CIDR ranges of either family. An IPv4-mapped IPv6 peer
 * (`::ffff:10.1.2.3`, what a dual-stack socket reports) is matched as its IPv4 address.
 */
import { badParam } from './error.registry.js';
import { parseIPv4, parseIPv6 } from './ip-address.rules.js';

interface Range {
  bytes: number[];
  prefix: number;
}

const STRICT_V4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function addressBytes(text: string): number[] | null {
  if (text.includes(':')) {
    const v6 = parseIPv6(text);
    if (!v6) return null;
    const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
    return mapped ? v6.slice(12) : v6;
  }
  // Allow-lists and peers use plain dotted quads only; inet_aton oddities are not addresses here.
  return STRICT_V4.test(text) ? parseIPv4(text) : null;
}

function parseEntry(entry: string): Range | null {
  const [addr, bits, extra] = entry.trim().split('/');
  if (extra !== undefined || !addr) return null;
  const bytes = addressBytes(addr);
  if (!bytes) return null;
  const max = bytes.length * 8;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  return { bytes, prefix };
}

/** Validates and normalises an allow-list; throws BAD_PARAM naming the bad entry. */
export function parseAllowList(input: unknown, param = 'allow_ips'): string[] {
  const items = Array.isArray(input) ? input : typeof input === 'string' ? input.split(',') : null;
  if (!items) throw badParam(param, `${param} must be a list of IPs or CIDR ranges`);
  const out: string[] = [];
  for (const raw of items) {
    const e = String(raw).trim();
    if (e === '') continue;
    if (!parseEntry(e)) throw badParam(param, `${e} is not an IP address or CIDR range`);
    out.push(e);
  }
  return out;
}

function inRange(ip: number[], r: Range): boolean {
  if (ip.length !== r.bytes.length) return false;
  for (let bit = 0; bit < r.prefix; bit += 8) {
    const take = Math.min(8, r.prefix - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    const i = bit / 8;
    if ((ip[i]! & mask) !== (r.bytes[i]! & mask)) return false;
  }
  return true;
}

/** True when the list is empty (no restriction) or the peer address falls in one of its entries. */
export function ipAllowed(allowList: readonly string[], peer: string): boolean {
  if (allowList.length === 0) return true;
  const ip = addressBytes(peer);
  if (!ip) return false;
  return allowList.some((e) => {
    const r = parseEntry(e);
    return r !== null && inRange(ip, r);
  });
}
