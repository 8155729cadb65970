// The fuzz/abuse corpus: hostile inputs against a real server on loopback (fake analyzer; the
// models are not what is tested). Each case must get its stable error code, and the server must
// answer a good request right after. Many cases are generated (truncations, base64 noise,
// depths, IP spellings) from a seeded PRNG, so the corpus is the same on every run.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { deflateSync, crc32 } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { ADMIN_KEY, adminCreateKey, facePng, startLive, type CallOptions, type Live, type LiveResponse } from '../../helpers/live-server.js';
import { multipart } from '../../helpers/test-app.js';

const MAX_UPLOAD = 256 * 1024;
const ENV = {
  VISAGE_ADMIN_KEY: ADMIN_KEY,
  VISAGE_MAX_UPLOAD_BYTES: String(MAX_UPLOAD),
  VISAGE_MAX_HEADER_BYTES: '8192',
  VISAGE_REQUEST_TIMEOUT_MS: '800',
  VISAGE_HEADERS_TIMEOUT_MS: '800',
  VISAGE_MAX_JSON_DEPTH: '32',
  VISAGE_URL_FETCH_TIMEOUT_MS: '1000',
  VISAGE_ABUSE_FAILURES_TO_BLOCK: '1000000',
};

interface Case {
  name: string;
  /** Expected stable code (one of several where the input may fail at either of two stages). */
  code: string | string[];
  send(c: Client): Promise<LiveResponse>;
}

type Client = (method: string, path: string, o?: CallOptions) => Promise<LiveResponse>;

/** mulberry32: a tiny seeded PRNG so generated cases are identical on every run. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A PNG that declares w×h pixels and carries a few KB of zlib-compressed zero rows (a bomb). */
function bombPng(w: number, h: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Math.min(h, 64);
  const idat = deflateSync(Buffer.alloc(Math.min(rows * (1 + w * 3), 4 * 1024 * 1024)), { level: 9 });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]);
}

function gifHeader(w: number, h: number): Buffer {
  const b = Buffer.from('GIF89a\0\0\0\0\0\0\0', 'latin1');
  b.writeUInt16LE(w, 6);
  b.writeUInt16LE(h, 8);
  // The frame itself is as large as the screen, with one tiny LZW block.
  return Buffer.concat([b, Buffer.from([0x2c, 0, 0, 0, 0, w & 0xff, w >> 8, h & 0xff, h >> 8, 0, 2, 2, 0x44, 0x01, 0, 0x3b])]);
}

const raw = (bytes: Buffer, type = 'image/png') => (c: Client) => c('POST', '/v1/detect', { headers: { 'content-type': type }, body: bytes });
const json = (body: unknown, path = '/v1/detect') => (c: Client) => c('POST', path, { body });
const rawJson = (text: string) => (c: Client) => c('POST', '/v1/detect', { headers: { 'content-type': 'application/json' }, body: text });

async function buildCorpus(png: Buffer, jpeg: Buffer): Promise<Case[]> {
  const cases: Case[] = [];
  const add = (name: string, code: Case['code'], send: Case['send']) => cases.push({ name, code, send });
  const rnd = prng(20250115);

  // Truncated images: a header-less stub is not an image; a cut body is corrupt.
  for (const [label, img] of [['png', png], ['jpeg', jpeg]] as const) {
    for (let i = 1; i <= 20; i++) {
      const len = Math.max(1, Math.floor((img.length * i) / 21));
      add(`truncated ${label} at ${len}/${img.length}`, ['IMAGE_DECODE_FAILED', 'UNSUPPORTED_MEDIA_TYPE'], raw(img.subarray(0, len)));
    }
  }
  // Bit-flipped headers.
  for (let i = 0; i < 10; i++) {
    const b = Buffer.from(png);
    const at = Math.floor(rnd() * 8);
    b[at] = b[at]! ^ (1 << Math.floor(rnd() * 8));
    add(`png with a flipped signature bit #${i}`, 'UNSUPPORTED_MEDIA_TYPE', raw(b));
  }

  // Polyglots and non-images wearing image clothes.
  const polyglots: [string, Buffer][] = [
    ['jpeg SOI + html', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('<html><script>alert(1)</script></html>')])],
    ['png signature + html', Buffer.concat([png.subarray(0, 8), Buffer.from('<html><body>hi</body></html>')])],
    ['gif header + javascript', Buffer.from('GIF89a/*\x00\x00*/=alert(1)//;', 'latin1')],
    ['pdf', Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF')],
    ['zip local header', Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(60)])],
    ['jpeg + appended zip', Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(40)])],
    ['svg with external entity', Buffer.from('<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><text>&x;</text></svg>')],
    ['svg fetching a URL', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="64"><image xlink:href="http://127.0.0.1/x.png"/></svg>')],
    ['html', Buffer.from('<!doctype html><title>x</title>')],
    ['elf', Buffer.concat([Buffer.from('\x7fELF', 'latin1'), Buffer.alloc(60)])],
    ['random noise 1 KB', Buffer.from(Array.from({ length: 1024 }, () => Math.floor(rnd() * 256)))],
    ['utf-16 text', Buffer.from('\ufeffhello', 'utf16le')],
  ];
  for (const [name, bytes] of polyglots) add(`polyglot: ${name}`, 'UNSUPPORTED_MEDIA_TYPE', raw(bytes));

  // Decompression bombs and huge declared dimensions: refused from the header.
  for (const [w, h] of <[number, number][]>[[20000, 20000], [65535, 65535], [100000, 100000], [1, 50_000_000], [50_000_000, 1], [7000, 6000], [16384, 16384], [1_000_000, 1_000_000]]) {
    add(`png bomb ${w}x${h}`, ['IMAGE_TOO_LARGE', 'IMAGE_DECODE_FAILED', 'UNSUPPORTED_MEDIA_TYPE'], raw(bombPng(w, h)));
  }
  add('gif declaring 65535x65535', ['IMAGE_TOO_LARGE', 'IMAGE_DECODE_FAILED', 'UNSUPPORTED_MEDIA_TYPE'], raw(gifHeader(65535, 65535), 'image/gif'));
  add('png 0x0', ['IMAGE_DECODE_FAILED', 'UNSUPPORTED_MEDIA_TYPE'], raw(bombPng(0, 0)));

  // Zero bytes, every way.
  add('raw empty image/png', ['IMAGE_MISSING', 'IMAGE_DECODE_FAILED'], raw(Buffer.alloc(0)));
  add('multipart empty file', 'IMAGE_DECODE_FAILED', (c) => {
    const m = multipart([{ name: 'image', value: new Uint8Array(0), filename: 'a.png', type: 'image/png' }]);
    return c('POST', '/v1/detect', { headers: m.headers, body: m.payload });
  });
  add('json empty image', 'IMAGE_MISSING', json({ image: '' }));
  add('json empty body', 'IMAGE_MISSING', rawJson(''));
  add('json {}', 'IMAGE_MISSING', json({}));

  // Wrong content types.
  for (const type of ['text/plain', 'text/html', 'application/xml', 'application/javascript', 'application/pdf', 'video/mp4', 'audio/mpeg', 'application/zip', 'multipart/mixed; boundary=x', 'application/x-www-form-urlencoded']) {
    add(`content-type ${type}`, 'UNSUPPORTED_MEDIA_TYPE', raw(png, type));
  }
  add('multipart without a boundary', ['UNSUPPORTED_MEDIA_TYPE', 'BAD_REQUEST'], raw(Buffer.from('--x\r\n\r\n'), 'multipart/form-data'));
  add('multipart garbage', ['BAD_REQUEST', 'IMAGE_MISSING'], raw(Buffer.from('not really multipart'), 'multipart/form-data; boundary=zzz'));

  // Invalid base64: generated noise with characters outside both alphabets, bad lengths, bad data: URLs.
  const junk = '!@#$%^&*()[]{}<>?~`|;:\'", ';
  for (let i = 0; i < 25; i++) {
    const len = 8 + Math.floor(rnd() * 200);
    let s = '';
    for (let j = 0; j < len; j++) s += rnd() < 0.2 ? junk[Math.floor(rnd() * junk.length)] : String.fromCharCode(65 + Math.floor(rnd() * 26));
    if (!/[^A-Za-z0-9+/=_\s-]/.test(s)) s += '!';
    add(`invalid base64 #${i}`, 'BAD_PARAM', json({ image: s }));
  }
  for (const s of ['A', 'AAAAA', 'QUJD=', '====', 'data:image/png,AAAA', 'data:;base64', 'AB=C', '***']) {
    add(`invalid base64 "${s}"`, ['BAD_PARAM', 'UNSUPPORTED_MEDIA_TYPE', 'IMAGE_DECODE_FAILED'], json({ image: s }));
  }
  add('base64 of text', 'UNSUPPORTED_MEDIA_TYPE', json({ image: Buffer.from('hello world, not an image').toString('base64') }));
  add('image as a number', 'BAD_PARAM', json({ image: 12345 }));
  add('image as an object', 'BAD_PARAM', json({ image: { a: 1 } }));
  add('image as an array', 'BAD_PARAM', json({ image: ['AAAA'] }));

  // Deep JSON (limit 32): arrays, objects, mixed, at the image field or elsewhere.
  for (const depth of [33, 40, 64, 100, 1000, 10_000, 100_000]) {
    add(`json arrays depth ${depth}`, 'JSON_TOO_DEEP', rawJson(`{"x":${'['.repeat(depth)}${']'.repeat(depth)}}`));
    add(`json objects depth ${depth}`, 'JSON_TOO_DEEP', rawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`));
  }
  for (let i = 0; i < 6; i++) {
    const depth = 33 + Math.floor(rnd() * 500);
    let open = '';
    let close = '';
    for (let d = 0; d < depth; d++) {
      const obj = rnd() < 0.5;
      open += obj ? '{"k":' : '[';
      close = (obj ? '}' : ']') + close;
    }
    add(`json mixed depth ${depth}`, 'JSON_TOO_DEEP', rawJson(`${open}0${close}`));
  }
  add('json unclosed depth 50 (refused on depth before syntax)', 'JSON_TOO_DEEP', rawJson('['.repeat(50)));
  add('brackets inside a string do not count', 'BAD_PARAM', json({ image: '['.repeat(5000) }));

  // Malformed JSON: a valid document cut at generated points.
  const doc = JSON.stringify({ image: png.toString('base64').slice(0, 200), attributes: 'age', max_faces: 3 });
  for (let i = 0; i < 12; i++) add(`json cut at ${i}`, ['BAD_REQUEST', 'IMAGE_MISSING'], rawJson(doc.slice(0, 1 + Math.floor(rnd() * (doc.length - 2)))));
  add('json prototype poisoning', ['BAD_REQUEST', 'BAD_PARAM'], rawJson('{"__proto__":{"admin":true},"image":"AAAA"}'));
  add('json constructor poisoning', ['BAD_REQUEST', 'BAD_PARAM'], rawJson('{"constructor":{"prototype":{"admin":true}},"image":"AAAA"}'));
  add('json NaN', 'BAD_REQUEST', rawJson('{"image": NaN}'));

  // URLs to private ranges and their disguises.
  const forbidden = [
    'http://127.0.0.1/x.png', 'http://127.1/x.png', 'http://127.0.1/x.png', 'http://2130706433/x.png', 'http://0x7f000001/x.png', 'http://0x7f.0.0.1/x.png',
    'http://0177.0.0.1/x.png', 'http://0177.0000.0000.0001/x.png', 'http://017700000001/x.png', 'http://127.000.000.001/x.png', 'http://127.255.255.254/x.png',
    'http://0.0.0.0/x.png', 'http://0/x.png', 'http://[::1]/x.png', 'http://[0:0:0:0:0:0:0:1]/x.png', 'http://[::]/x.png', 'http://[::ffff:127.0.0.1]/x.png',
    'http://[::ffff:7f00:1]/x.png', 'http://[0:0:0:0:0:ffff:127.0.0.1]/x.png', 'http://[64:ff9b::127.0.0.1]/x.png', 'http://[2002:7f00:1::]/x.png',
    'http://[fe80::1]/x.png', 'http://[fc00::1]/x.png', 'http://[fd12:3456::1]/x.png', 'http://[ff02::1]/x.png',
    'http://10.0.0.1/x.png', 'http://10.255.255.255/x.png', 'http://172.16.0.1/x.png', 'http://172.31.255.254/x.png', 'http://192.168.0.1/x.png',
    'http://192.168.1.1:8080/x.png', 'http://169.254.169.254/latest/meta-data/', 'http://100.64.0.1/x.png', 'http://192.0.0.1/x.png', 'http://198.18.0.1/x.png',
    'http://224.0.0.1/x.png', 'http://255.255.255.255/x.png', 'http://240.0.0.1/x.png', 'http://localhost/x.png', 'http://LOCALHOST/x.png', 'http://localhost./x.png',
    'http://127.0.0.1:22/', 'http://[::1]:6379/', 'http://user:pass@127.0.0.1/x.png', 'http://①②⑦.0.0.1/x.png',
    'file:///etc/passwd', 'ftp://example.com/x.png', 'gopher://127.0.0.1:6379/_INFO', 'data:image/png;base64,AAAA', 'javascript:alert(1)', 'dict://127.0.0.1:11211/',
  ];
  // A name the system resolver may not know (localhost.) fails to resolve instead: refused either way, never fetched.
  for (const url of forbidden) add(`url ${url}`, /localhost/i.test(url) ? ['URL_FORBIDDEN', 'URL_FETCH_FAILED'] : ['URL_FORBIDDEN', 'BAD_PARAM'], json({ url }));
  for (const url of ['not a url', 'http://', '//127.0.0.1/x.png', 'http://[::1/x.png', 'http://%zz/']) add(`malformed url ${url}`, ['BAD_PARAM', 'URL_FORBIDDEN'], json({ url }));

  // Size and count limits.
  add('json body over the limit', 'BODY_TOO_LARGE', json({ image: 'A'.repeat(Math.ceil((MAX_UPLOAD * 4) / 3) * 2 + 1024 * 1024 + 10) }));
  add('raw image over the limit', 'IMAGE_TOO_LARGE', raw(Buffer.alloc(MAX_UPLOAD + 1)));
  add('base64 image over the limit', 'IMAGE_TOO_LARGE', json({ image: Buffer.alloc(MAX_UPLOAD + 100).toString('base64') }));
  add('multipart file over the limit', 'IMAGE_TOO_LARGE', (c) => {
    const m = multipart([{ name: 'image', value: Buffer.alloc(MAX_UPLOAD + 1), filename: 'a.png', type: 'image/png' }]);
    return c('POST', '/v1/detect', { headers: m.headers, body: m.payload });
  });
  add('multipart with 100 fields', 'MULTIPART_LIMIT', (c) => {
    const m = multipart(Array.from({ length: 100 }, (_, i) => ({ name: `f${i}`, value: 'x' })));
    return c('POST', '/v1/detect', { headers: m.headers, body: m.payload });
  });
  add('multipart with 10 files', 'MULTIPART_LIMIT', (c) => {
    const m = multipart(Array.from({ length: 10 }, (_, i) => ({ name: `image${i}`, value: png, filename: `${i}.png`, type: 'image/png' })));
    return c('POST', '/v1/detect', { headers: m.headers, body: m.payload });
  });
  add('headers over the limit', 'HEADERS_TOO_LARGE', (c) => c('GET', '/health', { headers: { 'x-big': 'a'.repeat(10_000) } }));
  add('bad option values', 'BAD_PARAM', (c) => c('POST', '/v1/detect?min_face_size=-5', { body: { image: png.toString('base64') } }));
  add('unknown attribute', 'BAD_PARAM', (c) => c('POST', '/v1/detect?attributes=soul', { body: { image: png.toString('base64') } }));
  return cases;
}

describe('abuse corpus', () => {
  let live: Live;
  let key: string;
  let png: Buffer;
  let good: string;
  let cases: Case[];
  let client: Client;

  before(async () => {
    live = await startLive(ENV);
    key = (await adminCreateKey(live, { account: 'fuzz', rate_per_second: 1_000_000, burst: 1_000_000 })).secret;
    png = await facePng(5);
    const jpeg = await sharp(png).jpeg({ quality: 90 }).toBuffer();
    good = png.toString('base64');
    cases = await buildCorpus(png, jpeg);
    client = (method, path, o = {}) => live.call(method, path, { ...o, key });
  });
  after(async () => live.close());

  test('at least 200 cases, each with its stable code, and a good request answers right after each', async () => {
    assert.ok(cases.length >= 200, `only ${cases.length} cases`);
    const wrong: string[] = [];
    for (const c of cases) {
      const r = await c.send(client);
      const expected = Array.isArray(c.code) ? c.code : [c.code];
      const code = (r.json as { code?: string } | null)?.code ?? `(status ${r.status})`;
      if (!expected.includes(code)) wrong.push(`${c.name}: got ${code} (${r.status}), want ${expected.join('|')}`);
      if (r.status >= 500) wrong.push(`${c.name}: server error ${r.status}`);
      const ok = await client('POST', '/v1/detect', { body: { image: good } });
      if (ok.status !== 200) wrong.push(`${c.name}: the good request after it got ${ok.status}`);
    }
    assert.deepEqual(wrong, []);
  });

  test('a body that trickles in slower than the request timeout → REQUEST_TIMEOUT; the server stays up', async () => {
    const text = await new Promise<string>((resolve, reject) => {
      const s = connect(live.port, '127.0.0.1', () => {
        s.write(`POST /v1/detect HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"image":"`);
      });
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('close', () => resolve(got));
      s.on('error', reject);
    });
    assert.match(text, /^HTTP\/1\.1 408/);
    assert.match(text, /"code":"REQUEST_TIMEOUT"/);
    assert.equal((await client('POST', '/v1/detect', { body: { image: good } })).status, 200);
  });
});

describe('redirects to private addresses are never followed', () => {
  let live: Live;
  let redirector: Server;
  let port = 0;
  before(async () => {
    // URLs may reach loopback here only so the fetch gets as far as the redirect itself.
    live = await startLive({ VISAGE_ADMIN_KEY: ADMIN_KEY, VISAGE_URL_ALLOW_PRIVATE: 'true' });
    redirector = createServer((req, res) => {
      const to: Record<string, string> = {
        '/to-loopback': 'http://127.0.0.1/x.png',
        '/to-ipv6': 'http://[::1]/x.png',
        '/to-decimal': 'http://2130706433/x.png',
        '/to-metadata': 'http://169.254.169.254/latest/meta-data/',
        '/to-localhost': 'http://localhost/x.png',
        '/to-file': 'file:///etc/passwd',
      };
      res.writeHead(302, { location: to[req.url ?? ''] ?? '/' });
      res.end();
    });
    await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
    port = (redirector.address() as { port: number }).port;
  });
  after(async () => {
    redirector.close();
    await live.close();
  });

  test('each redirect → URL_FETCH_FAILED, and the server answers right after', async () => {
    const good = (await facePng(6)).toString('base64');
    for (const path of ['/to-loopback', '/to-ipv6', '/to-decimal', '/to-metadata', '/to-localhost', '/to-file']) {
      const r = await live.call('POST', '/v1/detect', { key: ADMIN_KEY, body: { url: `http://127.0.0.1:${port}${path}` } });
      assert.equal(r.json.code, 'URL_FETCH_FAILED', path);
      assert.equal((await live.call('POST', '/v1/detect', { key: ADMIN_KEY, body: { image: good } })).status, 200);
    }
  });
});
