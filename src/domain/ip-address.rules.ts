/**
 * Which IP addresses a URL input may reach (SSRF rules). Pure: parsing and classification only.
 *
 * IPv4 literals are read the way inet_aton and URL parsers read them (1–4 parts, each decimal,
 * octal `0…` or hex `0x…`), so `2130706433`, `0177.0.0.1` and `0x7f.1` are all 127.0.0.1.
 * IPv6 is allowed only inside global unicast (2000::/3) minus the special ranges, and addresses
 * that embed an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by that address.
 */

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

function parsePart(p: string): number | null {
  if (p === '') return null;
  if (/^0x[0-9a-f]*$/i.test(p)) return p.length === 2 ? 0 : parseInt(p.slice(2), 16);
  if (/^0[0-7]+$/.test(p)) return parseInt(p, 8);
  if (/^(0|[1-9][0-9]*)$/.test(p)) return Number(p);
  return null;
}

/** Reads an IPv4 literal in any inet_aton form; null when the text is not one. Returns 4 bytes. */
export function parseIPv4(text: string): [number, number, number, number] | null {
  const parts = text.endsWith('.') ? text.slice(0, -1).split('.') : text.split('.');
  if (parts.length < 1 || parts.length > 4) return null;
  const nums: number[] = [];
  for (const p of parts) {
    const n = parsePart(p);
    if (n === null || !Number.isFinite(n)) return null;
    nums.push(n);
  }
  // All parts but the last are single bytes; the last fills the remaining bytes.
  const last = nums.pop()!;
  if (nums.some((n) => n > 255)) return null;
  const restBytes = 4 - nums.length;
  if (last >= 2 ** (8 * restBytes)) return null;
  const bytes = [...nums];
  for (let i = restBytes - 1; i >= 0; i--) bytes.push(Math.floor(last / 2 ** (8 * i)) % 256);
  return bytes as [number, number, number, number];
}

/** Reads an IPv6 literal (brackets, zone id and a trailing dotted IPv4 tolerated). Returns 16 bytes. */
export function parseIPv6(text: string): number[] | null {
  let s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(':')) return null;
  const lastGroup = s.slice(s.lastIndexOf(':') + 1);
  if (lastGroup.includes('.')) {
    // A trailing dotted quad (::ffff:127.0.0.1) becomes two hex groups; only strict dotted-quad is valid here.
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(lastGroup)) return null;
    const v4 = lastGroup.split('.').map(Number);
    if (v4.some((n) => n > 255)) return null;
    const g1 = ((v4[0]! << 8) | v4[1]!).toString(16);
    const g2 = ((v4[2]! << 8) | v4[3]!).toString(16);
    s = `${s.slice(0, s.length - lastGroup.length)}${g1}:${g2}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const toGroups = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = toGroups(halves[0]!);
  const back = halves.length === 2 ? toGroups(halves[1]!) : [];
  if (!head || !back) return null;
  const explicit = head.length + back.length;
  let groups: number[];
  if (halves.length === 2) {
    if (explicit > 7) return null;
    groups = [...head, ...new Array<number>(8 - explicit).fill(0), ...back];
  } else {
    if (explicit !== 8) return null;
    groups = head;
  }
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

const V4_BLOCKED: Array<[number, number, number, number, number, string]> = [
  [0, 0, 0, 0, 8, 'unspecified ("this network")'],
  [10, 0, 0, 0, 8, 'private'],
  [100, 64, 0, 0, 10, 'carrier-grade NAT'],
  [127, 0, 0, 0, 8, 'loopback'],
  [169, 254, 0, 0, 16, 'link-local'],
  [172, 16, 0, 0, 12, 'private'],
  [192, 0, 0, 0, 24, 'IETF protocol assignment'],
  [192, 0, 2, 0, 24, 'documentation'],
  [192, 88, 99, 0, 24, '6to4 relay'],
  [192, 168, 0, 0, 16, 'private'],
  [198, 18, 0, 0, 15, 'benchmarking'],
  [198, 51, 100, 0, 24, 'documentation'],
  [203, 0, 113, 0, 24, 'documentation'],
  [224, 0, 0, 0, 4, 'multicast'],
  [240, 0, 0, 0, 4, 'reserved/broadcast'],
];

function inPrefix(bytes: readonly number[], prefix: readonly number[], bits: number): boolean {
  for (let i = 0; i < bits; i += 8) {
    const take = Math.min(8, bits - i);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((bytes[i / 8]! & mask) !== (prefix[i / 8]! & mask)) return false;
  }
  return true;
}

export function classifyIPv4(b: readonly number[]): AddressVerdict {
  for (const [a, c, d, e, bits, reason] of V4_BLOCKED) {
    if (inPrefix(b, [a, c, d, e], bits)) return { allowed: false, reason: `${reason} IPv4 address` };
  }
  return { allowed: true };
}

function hex(s: string): number[] {
  const g = s.padEnd(32, '0');
  const out: number[] = [];
  for (let i = 0; i < 32; i += 2) out.push(parseInt(g.slice(i, i + 2), 16));
  return out;
}

const V6_EMBEDDING_V4: Array<[number[], number, number, string]> = [
  // prefix, prefix bits, byte offset of the embedded IPv4, name
  [hex('00000000000000000000ffff'), 96, 12, 'IPv4-mapped'],
  [hex('0064ff9b'), 96, 12, 'NAT64'],
  [hex('0064ff9b0001'), 48, 12, 'local NAT64'],
  [hex('2002'), 16, 2, '6to4'],
];

const V6_BLOCKED: Array<[number[], number, string]> = [
  [hex('20010000'), 32, 'Teredo'],
  [hex('20010db8'), 32, 'documentation'],
  [hex('20010010'), 28, 'ORCHID'],
  [hex('20010020'), 28, 'ORCHIDv2'],
  [hex('3fff'), 20, 'documentation'],
];

export function classifyIPv6(b: readonly number[]): AddressVerdict {
  if (b.every((x) => x === 0)) return { allowed: false, reason: 'unspecified IPv6 address' };
  if (b.slice(0, 15).every((x) => x === 0) && b[15] === 1) return { allowed: false, reason: 'loopback IPv6 address' };
  for (const [prefix, bits, at, name] of V6_EMBEDDING_V4) {
    if (inPrefix(b, prefix, bits)) {
      const v4 = classifyIPv4(b.slice(at, at + 4));
      return v4.allowed ? v4 : { allowed: false, reason: `${name} IPv6 of a ${v4.reason}` };
    }
  }
  // ::a.b.c.d (deprecated IPv4-compatible) and the rest of ::/8 are reserved.
  if (b[0] === 0) return { allowed: false, reason: 'reserved IPv6 address (::/8)' };
  if (b[0] === 0xff) return { allowed: false, reason: 'multicast IPv6 address' };
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return { allowed: false, reason: 'link-local IPv6 address' };
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return { allowed: false, reason: 'site-local IPv6 address' };
  if ((b[0]! & 0xfe) === 0xfc) return { allowed: false, reason: 'unique-local IPv6 address' };
  for (const [prefix, bits, reason] of V6_BLOCKED) {
    if (inPrefix(b, prefix, bits)) return { allowed: false, reason: `${reason} IPv6 address` };
  }
  // Everything outside global unicast 2000::/3 is unassigned or special.
  if ((b[0]! & 0xe0) !== 0x20) return { allowed: false, reason: 'non-global IPv6 address' };
  return { allowed: true };
}

/** Classifies an IP literal of either family; text that is no IP literal is refused. */
export function classifyAddress(ip: string): AddressVerdict {
  const v6 = ip.includes(':') || ip.startsWith('[') ? parseIPv6(ip) : null;
  if (v6) return classifyIPv6(v6);
  const v4 = parseIPv4(ip);
  if (v4) return classifyIPv4(v4);
  return { allowed: false, reason: 'not an IP address' };
}

/** True when the host text is an IP literal (any IPv4 form, or bracketed/bare IPv6). */
export function isIpLiteral(host: string): boolean {
  return parseIPv6(host) !== null || parseIPv4(host) !== null;
}

/** Canonical text of an IP literal (dotted quad, or RFC 5952-ish IPv6 without brackets). */
export function canonicalIp(host: string): string | null {
  const v6 = parseIPv6(host);
  if (v6) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((v6[i]! << 8) | v6[i + 1]!).toString(16));
    return groups.join(':');
  }
  const v4 = parseIPv4(host);
  return v4 ? v4.join('.') : null;
}
