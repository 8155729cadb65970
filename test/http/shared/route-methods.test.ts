// A known path with a wrong method is METHOD_NOT_ALLOWED with Allow; an unknown path NOT_FOUND.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { registerErrorHandling } from '../../../src/http/shared/error.plugin.js';

async function app() {
  const a = Fastify();
  registerErrorHandling(a);
  await a.register(
    async (p) => {
      p.post('/detect', async () => ({}));
      p.get('/galleries/:gallery', async () => ({}));
      p.delete('/galleries/:gallery', async () => ({}));
    },
    { prefix: '/v1' },
  );
  return a;
}

test('a wrong method on a known path: 405 METHOD_NOT_ALLOWED with Allow, in the error format', async (t) => {
  const a = await app();
  t.after(() => a.close());
  const r = await a.inject({ method: 'GET', url: '/v1/detect?x=1' });
  assert.equal(r.statusCode, 405);
  assert.equal(r.headers.allow, 'POST');
  const body = r.json();
  assert.equal(body.code, 'METHOD_NOT_ALLOWED');
  assert.deepEqual(body.allow, ['POST']);
  assert.match(body.reason, /\/v1\/detect does not accept GET/);
  assert.equal(typeof body.request_id, 'string');
  const g = await a.inject({ method: 'PUT', url: '/v1/galleries/staff' });
  assert.equal(g.statusCode, 405);
  assert.equal(g.headers.allow, 'DELETE, GET, HEAD');
});

test('an unknown path stays 404 NOT_FOUND, with no Allow', async (t) => {
  const a = await app();
  t.after(() => a.close());
  for (const url of ['/v1/nothing', '/v1/galleries/staff/more', '/v1/detect/x']) {
    const r = await a.inject({ method: 'GET', url });
    assert.equal(r.statusCode, 404, url);
    assert.equal(r.json().code, 'NOT_FOUND');
    assert.equal(r.headers.allow, undefined);
  }
});
