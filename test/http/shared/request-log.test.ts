// The request log an operator follows: one line per request with its id, route, status and
// time; never a body, a header, a key or a template, and keys in query strings are redacted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultConfig } from '../../../src/config/config.loader.js';
import { redactUrl } from '../../../src/http/shared/request-log.plugin.js';
import { buildApp } from '../../../src/main/app.compose.js';
import { buildFaceService } from '../../../src/main/services.compose.js';
import { FakeAnalyzer } from '../../helpers/fake-analyzer.js';
import { facePng } from '../../helpers/live-server.js';

test('one line per request with reqId, route, status and ms; no image, template or key in the log', async () => {
  const lines: string[] = [];
  const config = { ...defaultConfig(), logLevel: 'info' as const };
  const app = await buildApp({
    config,
    faceService: buildFaceService(config, new FakeAnalyzer()),
    ready: () => true,
    logStream: { write: (l) => void lines.push(l) },
  });
  try {
    const image = (await facePng(5)).toString('base64');
    const templates = await app.inject({
      method: 'POST',
      url: '/v1/templates?app_key=query-secret-1&attributes=age',
      headers: { 'x-api-key': 'header-secret-2', authorization: 'Bearer header-secret-3', 'x-request-id': 'trace-42' },
      payload: { image },
    });
    assert.equal(templates.statusCode, 200);
    const template = templates.json().faces[0].template as string;
    const verify = await app.inject({ method: 'POST', url: `/v1/verify?key=query-secret-4&template_a=${template}`, payload: { template_b: template } });
    assert.equal(verify.statusCode, 200);
    const refused = await app.inject({ method: 'POST', url: '/v1/detect', payload: {} });
    assert.equal(refused.statusCode, 400);

    const log = lines.join('');
    for (const secret of ['query-secret-1', 'header-secret-2', 'header-secret-3', 'query-secret-4', template, template.slice(0, 20), image.slice(0, 40)]) {
      assert.ok(!log.includes(secret), `the log holds ${secret.slice(0, 16)}…`);
    }
    const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    assert.equal(requests.length, 3, 'one line per request');
    const [first, second, third] = requests;
    assert.equal(first.reqId, 'trace-42', 'the client request id is kept');
    assert.equal(first.method, 'POST');
    assert.equal(first.route, '/v1/templates');
    assert.equal(first.status, 200);
    assert.equal(typeof first.ms, 'number');
    assert.equal(first.url, '/v1/templates?app_key=[redacted]&attributes=age');
    assert.equal(second.url, '/v1/verify?key=[redacted]&template_a=[redacted]');
    assert.match(third.reqId, /^[0-9a-f-]{36}$/);
    assert.equal(third.status, 400);
    assert.equal(third.code, 'IMAGE_MISSING');
    // Fastify's own "incoming request"/"request completed" lines (raw URL and headers) are off.
    assert.equal(lines.filter((l) => /incoming request|request completed/.test(l)).length, 0);
  } finally {
    await app.close();
  }
});

test('redactUrl hides the values of key-like, template, image and url parameters only', () => {
  assert.equal(redactUrl('/v1/detect'), '/v1/detect');
  assert.equal(redactUrl('/x?API_KEY=a&limit=5&access_token=b&url_a=https://s3/x?sig=c'), '/x?API_KEY=[redacted]&limit=5&access_token=[redacted]&url_a=[redacted]');
  assert.equal(redactUrl('/x?k%65y=secret'), '/x?k%65y=[redacted]');
});
