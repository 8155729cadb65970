// Each dialect picks its extractors: Token, Bearer, LOGIN:PASSWORD, x-api-key and key/app_key
// fields, over one auth mechanism, on a real listening server with the real SQLite store.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { MemoryRateStore } from '../../../src/adapters/store/memory/memory-rate.store.js';
import { SqliteAccountStore } from '../../../src/adapters/store/sqlite/sqlite-account.store.js';
import { AuditService } from '../../../src/core/audit.service.js';
import { AuthService } from '../../../src/core/auth.service.js';
import { CreditsService } from '../../../src/core/credits.service.js';
import { KeysService } from '../../../src/core/keys.service.js';
import { RateLimiter } from '../../../src/core/rate-limiter.js';
import { verifyPassword } from '../../../src/core/secret-hash.js';
import {
  apiKeyHeaderExtractor,
  bearerExtractor,
  fieldExtractor,
  loginPasswordExtractor,
  tokenExtractor,
  type CredentialExtractor,
} from '../../../src/http/shared/auth-extractors.js';
import { registerAuth } from '../../../src/http/shared/auth.plugin.js';
import { registerErrorHandling } from '../../../src/http/shared/error.plugin.js';
import { readRequestInput, registerImageInput } from '../../../src/http/shared/image-input.js';
import { TestClock, request } from '../../helpers/live-server.js';

const dir = mkdtempSync(join(tmpdir(), 'visage-extract-'));
const store = SqliteAccountStore.open(join(dir, 'visage.db'));
const clock = new TestClock();
let scryptCalls = 0;
const auth = new AuthService({
  store,
  clock,
  passwordCacheMs: 60_000,
  verifyPassword: async (p, h) => (scryptCalls++, verifyPassword(p, h)),
});
const keys = new KeysService({ store, clock, defaultMonthlyCredits: null });
const apps: FastifyInstance[] = [];
let token = '';
let login = '';

async function dialect(extractors: CredentialExtractor[]): Promise<number> {
  const app = Fastify({ logger: false });
  registerErrorHandling(app);
  app.decorateRequest('principal', null);
  registerAuth(app, {
    auth,
    limiter: new RateLimiter(new MemoryRateStore(), clock, { perSecond: 1000, burst: 1000 }),
    credits: new CreditsService({ store, clock, defaultMonthlyCredits: null }),
    audit: new AuditService({ store, clock, retentionDays: 1 }),
    extractors,
  });
  await registerImageInput(app, { maxUploadBytes: 1 << 20 });
  const handler = async (req: { principal: { keyId: string } | null }) => ({ key: req.principal?.keyId });
  app.post('/who', { config: { auth: { scope: 'detect' } } }, handler);
  // What a handler still reads after auth took the key from the same multipart stream.
  app.post('/upload', { config: { auth: { scope: 'detect' } } }, async (req) => {
    const input = await readRequestInput(req);
    return { key: req.principal?.keyId, files: [...input.files].map(([k, v]) => [k, v.length]), fields: Object.keys(input.fields).sort() };
  });
  app.get('/who', { config: { auth: { scope: 'detect' } } }, handler);
  await app.listen({ port: 0, host: '127.0.0.1' });
  apps.push(app);
  return (app.server.address() as { port: number }).port;
}

before(async () => {
  token = (await keys.create({ account: 'x', scopes: ['detect'] })).secret;
  login = (await keys.create({ account: 'x', scopes: ['detect'], login: 'fme-user', password: 'correct-horse-battery' })).secret;
});
after(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('FindFace: Authorization: Token …; Bearer is not its dialect', async () => {
  const port = await dialect([tokenExtractor]);
  assert.equal((await request(port, 'GET', '/who', { headers: { authorization: `Token ${token}` } })).status, 200);
  assert.equal((await request(port, 'GET', '/who', { headers: { authorization: `Bearer ${token}` } })).json.code, 'UNAUTHORIZED');
});

test('FaceCheck and native: Bearer and x-api-key', async () => {
  const port = await dialect([bearerExtractor, apiKeyHeaderExtractor]);
  assert.equal((await request(port, 'GET', '/who', { headers: { authorization: `bearer ${token}` } })).status, 200);
  assert.equal((await request(port, 'GET', '/who', { headers: { 'x-api-key': token } })).status, 200);
});

test('Face.Match.Expert: LOGIN:PASSWORD, scrypt once then cached; a wrong password fails', async () => {
  const port = await dialect([loginPasswordExtractor]);
  scryptCalls = 0;
  for (let i = 0; i < 5; i++) assert.equal((await request(port, 'GET', '/who', { headers: { authorization: login } })).status, 200);
  assert.equal(scryptCalls, 1, 'one slow hash for five requests');
  assert.equal((await request(port, 'GET', '/who', { headers: { authorization: 'fme-user:wrong-password' } })).json.code, 'UNAUTHORIZED');
  clock.advance(61_000); // the cache entry expires: one more hash
  assert.equal((await request(port, 'GET', '/who', { headers: { authorization: login } })).status, 200);
  assert.equal(scryptCalls, 3);
});

test('FaceHub and Sightcorp: key / app_key in the query or a form body', async () => {
  const port = await dialect([fieldExtractor('key', 'app_key')]);
  assert.equal((await request(port, 'GET', `/who?key=${token}`)).status, 200);
  assert.equal((await request(port, 'POST', '/who', { body: { app_key: token } })).status, 200);
  assert.equal((await request(port, 'POST', '/who', { body: { other: 1 } })).json.code, 'UNAUTHORIZED');
});

/** A multipart/form-data body with text fields and one file. */
function formData(fields: Record<string, string>, file: { name: string; bytes: Buffer }): { body: Buffer; type: string } {
  const boundary = 'visage-test-boundary';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${file.name}"; filename="x.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`));
  parts.push(file.bytes, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

test('FaceHub and Sightcorp: key / app_key as a multipart field, and the handler still gets the whole body', async () => {
  const port = await dialect([fieldExtractor('key', 'app_key')]);
  const bytes = Buffer.alloc(3000, 7);
  const ok = formData({ app_key: token, attributes: 'age' }, { name: 'image', bytes });
  const r = await request(port, 'POST', '/upload', { body: ok.body, headers: { 'content-type': ok.type } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.files, [['image', 3000]]);
  assert.deepEqual(r.json.fields, ['app_key', 'attributes']);
  const bad = formData({ app_key: 'not-a-key' }, { name: 'image', bytes });
  assert.equal((await request(port, 'POST', '/upload', { body: bad.body, headers: { 'content-type': bad.type } })).json.code, 'UNAUTHORIZED');
  const none = formData({ attributes: 'age' }, { name: 'image', bytes });
  assert.equal((await request(port, 'POST', '/upload', { body: none.body, headers: { 'content-type': none.type } })).json.code, 'UNAUTHORIZED');
});
