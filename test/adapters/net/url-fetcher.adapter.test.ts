import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { UrlFetcher, type Resolver } from '../../../src/adapters/net/url-fetcher.adapter.js';
import { VisageError, type ErrorCode } from '../../../src/domain/error.registry.js';
import { startImageServer, type ImageServer } from '../../helpers/image-server.js';

const IMAGE = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8]);
let server: ImageServer;
before(async () => {
  server = await startImageServer(IMAGE);
});
after(() => server.close());

const fetcher = (o: Partial<ConstructorParameters<typeof UrlFetcher>[0]> = {}) =>
  new UrlFetcher({ timeoutMs: 2000, maxBytes: 1024 * 1024, allowPrivate: true, ...o });

async function rejectsWith(p: Promise<unknown>, code: ErrorCode, reason?: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof VisageError, String(e));
    assert.equal(e.code, code, e.message);
    if (reason) assert.match(e.message, reason);
    return true;
  });
}

test('fetches an image (and octet-stream) when private addresses are allowed', async () => {
  assert.deepEqual(Buffer.from(await fetcher().fetch(`${server.base}/img.jpg`)), IMAGE);
  assert.deepEqual(Buffer.from(await fetcher().fetch(`${server.base}/octet`)), IMAGE);
});

test('connects to the checked address while keeping the name in Host; resolves once', async () => {
  let calls = 0;
  // A rebinding resolver: the second answer would point elsewhere, but it is never asked twice.
  const resolve: Resolver = async () => (calls++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.9.9.9', family: 4 }]);
  const bytes = await fetcher({ resolve }).fetch(`http://images.test:${server.port}/img.jpg`);
  assert.deepEqual(Buffer.from(bytes), IMAGE);
  assert.equal(calls, 1);
  assert.equal(server.lastHeaders?.host, `images.test:${server.port}`);
});

test('refuses a name that resolves to a private address, or to any private among public ones', async () => {
  const toLoopback: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
  const mixed: Resolver = async () => [
    { address: '93.184.216.34', family: 4 },
    { address: 'fd00::1', family: 6 },
  ];
  await rejectsWith(fetcher({ allowPrivate: false, resolve: toLoopback }).fetch(`http://images.test:${server.port}/img.jpg`), 'URL_FORBIDDEN', /loopback/);
  await rejectsWith(fetcher({ allowPrivate: false, resolve: mixed }).fetch('http://images.test/img.jpg'), 'URL_FORBIDDEN', /unique-local/);
});

test('refuses literal private addresses in every notation', async () => {
  const f = fetcher({ allowPrivate: false });
  for (const u of ['http://127.0.0.1/', 'http://2130706433/', 'http://0177.0.0.1/', 'http://0x7f.1/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://[fe80::1]/', 'http://10.0.0.1/', 'http://100.64.1.1/']) {
    await rejectsWith(f.fetch(u), 'URL_FORBIDDEN');
  }
  await rejectsWith(f.fetch('ftp://example.com/a.jpg'), 'URL_FORBIDDEN');
  await rejectsWith(f.fetch('not a url'), 'BAD_PARAM');
});

test('does not follow redirects', async () => {
  await rejectsWith(fetcher().fetch(`${server.base}/redirect`), 'URL_FETCH_FAILED', /redirects are not followed/);
});

test('refuses a non-image content type', async () => {
  await rejectsWith(fetcher().fetch(`${server.base}/page.html`), 'UNSUPPORTED_MEDIA_TYPE');
});

test('caps the size while streaming', async () => {
  await rejectsWith(fetcher({ maxBytes: 100_000 }).fetch(`${server.base}/endless`), 'IMAGE_TOO_LARGE');
  await rejectsWith(fetcher({ maxBytes: 4 }).fetch(`${server.base}/img.jpg`), 'IMAGE_TOO_LARGE');
});

test('gives up after the total timeout', async () => {
  await rejectsWith(fetcher({ timeoutMs: 200 }).fetch(`${server.base}/hang`), 'URL_FETCH_FAILED', /longer than 200 ms/);
});

test('per-call limits: a shorter deadline, and image/* only (no untyped or octet-stream body)', async () => {
  await rejectsWith(fetcher({ timeoutMs: 5000 }).fetch(`${server.base}/hang`, { timeoutMs: 150 }), 'URL_FETCH_FAILED', /longer than 150 ms/);
  // A caller cannot lengthen the server's deadline.
  await rejectsWith(fetcher({ timeoutMs: 150 }).fetch(`${server.base}/hang`, { timeoutMs: 60_000 }), 'URL_FETCH_FAILED', /longer than 150 ms/);
  assert.deepEqual(Buffer.from(await fetcher().fetch(`${server.base}/untyped`)), IMAGE);
  assert.deepEqual(Buffer.from(await fetcher().fetch(`${server.base}/img.jpg`, { requireImageType: true })), IMAGE);
  await rejectsWith(fetcher().fetch(`${server.base}/untyped`, { requireImageType: true }), 'UNSUPPORTED_MEDIA_TYPE', /no content type/);
  await rejectsWith(fetcher().fetch(`${server.base}/octet`, { requireImageType: true }), 'UNSUPPORTED_MEDIA_TYPE', /application\/octet-stream/);
});

test('HTTP errors and unresolvable hosts are URL_FETCH_FAILED', async () => {
  await rejectsWith(fetcher().fetch(`${server.base}/missing`), 'URL_FETCH_FAILED', /404/);
  const fail: Resolver = async () => {
    throw new Error('ENOTFOUND');
  };
  await rejectsWith(fetcher({ resolve: fail }).fetch('http://nowhere.invalid/'), 'URL_FETCH_FAILED', /resolved/);
});
