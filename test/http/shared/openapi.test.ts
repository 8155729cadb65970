// The OpenAPI document a user drives /docs with: valid OpenAPI 3, every route the app serves is
// in it (on the test app and on a live server with keys and the admin API), keys can be sent,
// and each operation documents the errors it can answer, with the error body.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Validator } from '@seriousme/openapi-schema-validator';
import { DIALECTS } from '../../../src/compat/dialects.js';
import { NATIVE_POLICY } from '../../../src/http/v1/native-auth.policy.js';
import { buildTestApp } from '../../helpers/test-app.js';
import { ADMIN_KEY, startLive, type Live } from '../../helpers/live-server.js';

type Doc = { paths: Record<string, Record<string, Operation>>; components: Record<string, Record<string, unknown>>; security?: unknown[] };
type Operation = { responses: Record<string, { $ref?: string; content?: Record<string, { schema: Record<string, unknown> }> }>; requestBody?: { content: Record<string, unknown> }; security?: unknown[] };

/** Every `METHOD /path` Fastify serves, read from printRoutes' tree (HEAD twins of GET left out). */
export function servedRoutes(app: FastifyInstance): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = line.match(/^([│ ├└─]*)(\S.*?)(?: \(([A-Z, ]+)\))?$/);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const path = (stack[depth - 1] ?? '') + m[2]!;
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of (m[3] ?? '').split(', ').filter((x) => x && x !== 'HEAD')) out.push(`${method} ${path}`);
  }
  return out;
}

/**
 * What the native document is not meant to list: the Swagger UI's own files and the document
 * itself, the console's page and files, catch-alls, and the vendor dialects (each speaks its vendor's API,
 * documented apart: docs/compat/).
 */
const NOT_NATIVE = [...DIALECTS.map((d) => d.prefix), '/console'];
const undocumented = (route: string) => {
  const path = route.split(' ')[1]!;
  // A wildcard is a dialect's catch-all for unknown paths, not an operation.
  return / \/docs(\/|$)/.test(route) || route.endsWith(' /openapi.json') || path === '/' || path.endsWith('*') || NOT_NATIVE.some((p) => path === p || path.startsWith(`${p}/`));
};

function documented(doc: Doc): Set<string> {
  return new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
}

const toOpenApiPath = (route: string) => route.replace(/:([A-Za-z_]+)/g, '{$1}');

async function checkDocument(app: FastifyInstance): Promise<Doc> {
  await app.ready();
  const doc = app.swagger() as unknown as Doc;
  const result = await new Validator().validate(doc as never);
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1));
  const served = servedRoutes(app).filter((r) => !undocumented(r));
  assert.ok(served.length > 10, `printRoutes parsed: ${served.join(', ')}`);
  const inDoc = documented(doc);
  const missing = served.map(toOpenApiPath).filter((r) => !inDoc.has(r));
  assert.deepEqual(missing, [], 'served routes missing from /openapi.json');
  return doc;
}

let live: Live;
let liveDoc: Doc;
before(async () => {
  live = await startLive({ VISAGE_ADMIN_KEY: ADMIN_KEY });
  liveDoc = await checkDocument(live.server.app);
});
after(async () => live?.close());

test('the test app (no keys) serves a valid document listing every route', async () => {
  const { app } = await buildTestApp();
  try {
    const doc = await checkDocument(app);
    assert.ok(doc.paths['/v1/detect']?.post);
  } finally {
    await app.close();
  }
});

test('a live server with keys and admin: every route, /v1/account and /v1/admin included, is documented', async () => {
  const inDoc = documented(liveDoc);
  for (const r of ['GET /v1/account', 'POST /v1/admin/keys', 'GET /v1/admin/audit', 'DELETE /v1/admin/bans/{ip}']) assert.ok(inDoc.has(r), r);
  // And the document served over HTTP is that one.
  const served = await live.call('GET', '/openapi.json');
  assert.equal(served.status, 200);
  assert.deepEqual(Object.keys(served.json.paths).sort(), Object.keys(liveDoc.paths).sort());
});

test('keys can be sent from /docs: Bearer and x-api-key schemes, health and readiness open', () => {
  const schemes = liveDoc.components.securitySchemes as Record<string, Record<string, string>>;
  assert.deepEqual(schemes.bearer, { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <key>' });
  assert.equal(schemes.apiKey?.type, 'apiKey');
  assert.equal(schemes.apiKey?.in, 'header');
  assert.equal(schemes.apiKey?.name, 'x-api-key');
  assert.deepEqual(liveDoc.security, [{ bearer: [] }, { apiKey: [] }]);
  assert.deepEqual(liveDoc.paths['/health']!.get!.security, []);
  assert.deepEqual(liveDoc.paths['/ready']!.get!.security, []);
});

test('every /v1 operation documents its errors with the error schema', () => {
  const errorRef = '#/components/schemas/Error';
  const problems: string[] = [];
  for (const [path, ops] of Object.entries(liveDoc.paths)) {
    if (!path.startsWith('/v1/')) continue;
    for (const [method, op] of Object.entries(ops)) {
      const name = `${method.toUpperCase()} ${path}`;
      const codes = Object.keys(op.responses);
      const need = ['401', '403', '429', '500'];
      if (!path.startsWith('/v1/admin')) need.push('503'); // admin answers while the models load
      const policy = NATIVE_POLICY[name.replace(/\{([A-Za-z_]+)\}/g, ':$1')];
      if (policy?.op) need.push('402');
      if (op.requestBody) need.push('413', '415');
      if (op.requestBody?.content['multipart/form-data']) need.push('422'); // an image to analyse: NO_FACE and the like
      if (path.includes('{')) need.push('404');
      for (const c of need) if (!codes.includes(c)) problems.push(`${name}: no ${c}`);
      for (const c of codes.filter((c) => Number(c) >= 400)) {
        const schema = op.responses[c]!.content?.['application/json']?.schema;
        if (schema?.$ref !== errorRef) problems.push(`${name} ${c}: ${JSON.stringify(schema)}`);
      }
      const ok = codes.filter((c) => Number(c) < 300);
      if (ok.length === 0) problems.push(`${name}: no success response`);
      for (const c of ok.filter((c) => c !== '204')) {
        const content = op.responses[c]!.content ?? {};
        if (!Object.values(content).some((m) => m.schema && Object.keys(m.schema).length > 0)) problems.push(`${name} ${c}: no response schema`);
      }
    }
  }
  assert.deepEqual(problems, []);
  // Each error response names the registry codes it can carry.
  const r401 = liveDoc.paths['/v1/detect']!.post!.responses['401'] as { description?: string };
  assert.match(r401.description ?? '', /UNAUTHORIZED/);
});

test('images: multipart, JSON and a raw body; the thumbnail is a JPEG; account and admin answers have schemas', () => {
  const detect = liveDoc.paths['/v1/detect']!.post!.requestBody!.content;
  for (const t of ['multipart/form-data', 'application/json', 'image/jpeg', 'image/png', 'application/octet-stream']) assert.ok(detect[t], t);
  // verify takes two images, so no raw body
  assert.equal(liveDoc.paths['/v1/verify']!.post!.requestBody!.content['image/jpeg'], undefined);
  const thumb = liveDoc.paths['/v1/galleries/{gallery}/faces/{id}/thumbnail']!.get!.responses['200']!;
  assert.deepEqual(Object.keys(thumb.content ?? {}), ['image/jpeg']);
  const account = liveDoc.paths['/v1/account']!.get!.responses['200']!.content!['application/json']!.schema as { properties: Record<string, unknown> };
  assert.deepEqual(Object.keys(account.properties).sort(), ['account', 'credits', 'key', 'rate_limit', 'usage']);
  const created = liveDoc.paths['/v1/admin/keys']!.post!.responses['201']!.content!['application/json']!.schema as { properties: Record<string, unknown> };
  assert.ok(created.properties.secret);
});

test('answers keep every field their schemas now describe', async () => {
  const created = await live.call('POST', '/v1/admin/keys', { key: ADMIN_KEY, body: { account: 'acme', name: 'app', scopes: ['detect'] } });
  assert.equal(created.status, 201);
  for (const k of ['id', 'account', 'name', 'kind', 'login', 'scopes', 'allow_ips', 'rate_limit', 'expires_at', 'revoked_at', 'created_at', 'secret']) assert.ok(k in created.json, k);
  const me = await live.call('GET', '/v1/account', { key: created.json.secret });
  assert.equal(me.status, 200);
  assert.deepEqual(me.json.key, { id: created.json.id, name: 'app', scopes: ['detect'] });
  assert.equal(me.json.account, 'acme');
  assert.equal(typeof me.json.credits.resets_at, 'string');
  const audit = await live.call('GET', '/v1/admin/audit?limit=5', { key: ADMIN_KEY });
  assert.equal(audit.status, 200);
  assert.equal(audit.json.entries[0].action, 'key.create');
  const refused = await live.call('GET', '/v1/account', { key: 'vsg_wrong' });
  assert.equal(refused.status, 401);
  assert.equal(refused.json.code, 'UNAUTHORIZED');
  assert.equal(typeof refused.json.request_id, 'string');
});
