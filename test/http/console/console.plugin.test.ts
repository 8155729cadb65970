// The console's files as the server serves them: the page at /, its modules under /console/,
// a CSP that lets same-origin scripts run, nothing else of the file system, not in OpenAPI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { buildTestApp } from '../../helpers/test-app.js';

test('GET / is the console page; its modules and styles are served with a same-origin CSP', async () => {
  const { app } = await buildTestApp();
  try {
    const page = await app.inject({ method: 'GET', url: '/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /^text\/html/);
    assert.match(page.body, /<script type="module" src="\/console\/app\.js">/);
    const csp = page.headers['content-security-policy'] as string;
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /connect-src 'self'/);
    assert.doesNotMatch(csp, /unsafe|https?:/);
    for (const f of ['app.js', 'ui.js', 'style.css', ...readdirSync('console/pages').map((p) => `pages/${p}`)]) {
      const r = await app.inject({ method: 'GET', url: `/console/${f}` });
      assert.equal(r.statusCode, 200, f);
      assert.match(r.headers['content-type'] as string, f.endsWith('.css') ? /^text\/css/ : /^text\/javascript/);
    }
    for (const url of ['/console/../package.json', '/console/%2e%2e/package.json', '/console/nope.js', '/console/']) {
      assert.equal((await app.inject({ method: 'GET', url })).statusCode, 404, url);
    }
  } finally {
    await app.close();
  }
});

test('the console is not part of the OpenAPI document', async () => {
  const { app } = await buildTestApp();
  try {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    assert.ok(!Object.keys(doc.paths).some((p) => p === '/' || p.startsWith('/console')));
  } finally {
    await app.close();
  }
});
