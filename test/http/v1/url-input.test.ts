import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../helpers/test-app.js';
import { someLfwPhoto } from '../../helpers/eval-photos.js';
import { startImageServer, type ImageServer } from '../../helpers/image-server.js';

// The app is built with private URLs allowed so a local server can stand in for the internet.
let server: ImageServer;
let app: FastifyInstance;
before(async () => {
  server = await startImageServer(someLfwPhoto(0));
  ({ app } = await buildTestApp({ config: { urlAllowPrivate: true, urlFetchTimeoutMs: 2000 } }));
});
after(async () => {
  await app.close();
  await server.close();
});

const detect = (url: string) => app.inject({ method: 'POST', url: '/v1/detect', payload: { url } });

test('an image URL is fetched and analysed', async () => {
  const res = await detect(`${server.base}/img.jpg`);
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().face_count, 1);
});

test('a redirect → URL_FETCH_FAILED (400)', async () => {
  const res = await detect(`${server.base}/redirect`);
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().code, 'URL_FETCH_FAILED');
  assert.match(res.json().reason, /redirects are not followed/);
  assert.ok(res.json().request_id);
});

test('a non-image content type → UNSUPPORTED_MEDIA_TYPE (415)', async () => {
  const res = await detect(`${server.base}/page.html`);
  assert.equal(res.statusCode, 415);
  assert.equal(res.json().code, 'UNSUPPORTED_MEDIA_TYPE');
});

test('url_a/url_b on verify', async () => {
  const res = await app.inject({ method: 'POST', url: '/v1/verify', payload: { url_a: `${server.base}/img.jpg`, url_b: `${server.base}/octet` } });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().match, true);
});

test('a verify side fetched by URL names its own field in errors', async () => {
  const res = await app.inject({ method: 'POST', url: '/v1/verify', payload: { url_a: `${server.base}/img.jpg`, url_b: `${server.base}/redirect` } });
  assert.equal(res.json().code, 'URL_FETCH_FAILED');
  assert.equal(res.json().param, 'url_b');
});
