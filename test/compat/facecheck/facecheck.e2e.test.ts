// FaceCheck.ID dialect end to end, on a real server with the real models: LFW photos indexed
// with made-up source URLs, searches through upload_pic → search (polled with progress) →
// delete_pic, info, every error shape, expiry, opt-out, and a restart with queued searches.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer } from '../../../src/main/server.compose.js';
import { loadRealAnalyzer } from '../../../src/main/services.compose.js';
import { EVAL_DIR } from '../../helpers/eval-photos.js';
import { ADMIN_KEY, TestClock, request, type CallOptions, type LiveResponse } from '../../helpers/live-server.js';
import { assertSchema } from './facecheck-contract.js';

const IMAGES = join(EVAL_DIR, 'lfw', 'images');
const people = readdirSync(IMAGES).sort();
const photosOf = (p: string) => readdirSync(join(IMAGES, p)).sort().map((f) => join(IMAGES, p, f));
const multi = people.filter((p) => photosOf(p).length >= 3).slice(0, 30);
const single = people.filter((p) => photosOf(p).length === 1).slice(0, 60);
const stranger = people.filter((p) => photosOf(p).length >= 2 && !multi.includes(p))[5]!;
const urlOf = (file: string) => `https://example.test/${file.split('/').slice(-2).join('/')}`;

function form(parts: { name: string; file?: Buffer; value?: string }[]): { body: Buffer; headers: Record<string, string> } {
  const b = '----visage' + Math.random().toString(16).slice(2);
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const head = p.file
      ? `--${b}\r\nContent-Disposition: form-data; name="${p.name}"; filename="x.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`
      : `--${b}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n`;
    chunks.push(Buffer.from(head), p.file ?? Buffer.from(p.value ?? ''), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${b}--\r\n`));
  return { body: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${b}` } };
}

describe('FaceCheck.ID dialect (real models, LFW)', { timeout: 600_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'visage-facecheck-'));
  const clock = new TestClock(Date.now());
  let port = 0;
  let server: Awaited<ReturnType<typeof startServer>>;
  let token = '';
  const start = async () => {
    server = await startServer({
      env: { VISAGE_PORT: '0', VISAGE_HOST: '127.0.0.1', VISAGE_LOG_LEVEL: 'silent', VISAGE_DATA_DIR: dataDir, VISAGE_WORKERS: '2', VISAGE_JOB_CONCURRENCY: '1', VISAGE_ADMIN_KEY: ADMIN_KEY },
      loadAnalyzer: loadRealAnalyzer,
      clock,
      print: () => {},
    });
    await server.loaded;
    port = (server.app.server.address() as { port: number }).port;
  };
  const call = (method: string, path: string, o: CallOptions = {}): Promise<LiveResponse> => request(port, method, path, o);
  const fc = async (path: string, o: CallOptions = {}, schema: 'BrowserJsonResponse' | 'InfoResponse' = 'BrowserJsonResponse') => {
    const r = await call('POST', `/facecheck${path}`, { ...o, headers: { authorization: token, ...o.headers } as Record<string, string> });
    assert.equal(r.status, 200, r.text);
    assertSchema(schema, r.json);
    return r.json;
  };
  const upload = async (files: string[]) => {
    const f = form([{ name: 'id_search', value: '' }, ...files.map((x) => ({ name: 'images', file: readFileSync(x) }))]);
    return fc('/api/upload_pic', { body: f.body, headers: f.headers });
  };
  const searchUntilDone = async (id: string, seen: number[] = []) => {
    for (let i = 0; i < 400; i++) {
      const r = await fc('/api/search', { body: { id_search: id, with_progress: true, status_only: false, demo: false } });
      if (r.error) return r;
      if (r.output) return r;
      assert.equal(typeof r.message, 'string');
      assert.ok(r.message.length > 0);
      assert.ok(Number.isInteger(r.progress) && r.progress >= 0 && r.progress <= 100);
      seen.push(r.progress);
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('search did not finish');
  };
  const index = async (files: string[]) => {
    let faces = 0;
    let optedOut = 0;
    for (const file of files) {
      const f = form([{ name: 'image', file: readFileSync(file) }, { name: 'source_url', value: urlOf(file) }]);
      const r = await call('POST', '/v1/search-indexes/web/photos', { key: token, body: f.body, headers: f.headers });
      assert.ok(r.status === 200 || r.json?.code === 'NO_FACE', r.text);
      faces += r.json.faces ?? 0;
      optedOut += r.json.opted_out ?? 0;
    }
    return { faces, optedOut };
  };

  before(async () => {
    await start();
    const k = await call('POST', '/v1/admin/keys', { key: ADMIN_KEY, body: { account: 'acme', scopes: 'all' } });
    assert.equal(k.status, 201, k.text);
    token = k.json.secret;
    const made = await call('POST', '/v1/search-indexes', { key: token, body: { name: 'web' } });
    assert.equal(made.status, 201, made.text);
    const files = [...multi.flatMap((p) => photosOf(p).slice(0, -1).slice(0, 3)), ...single.flatMap(photosOf)];
    const r = await index(files);
    assert.ok(r.faces >= files.length * 0.9, `indexed ${r.faces} faces of ${files.length} photos`);
  });
  after(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a probe of an indexed person comes first, certain or confident, with progress and timings', async () => {
    const person = multi[3]!;
    const up = await upload([photosOf(person).at(-1)!]);
    assert.equal(up.error, null);
    assert.match(up.id_search, /\S/);
    assert.equal(up.input.length, 1);
    assert.match(up.input[0].base64, /^data:image\/webp;base64,/);
    const seen: number[] = [];
    const r = await searchUntilDone(up.id_search, seen);
    assert.equal(r.error, null, r.error);
    const items = r.output.items;
    assert.ok(items.length > 0);
    assert.ok(items[0].url.includes(`/${person}/`), `first hit ${items[0].url} (score ${items[0].score})`);
    assert.ok(items[0].score >= 83, `score ${items[0].score}`);
    for (let i = 1; i < items.length; i++) assert.ok(items[i - 1].score >= items[i].score);
    assert.match(items[0].base64, /^data:image\/webp;base64,/);
    assert.equal(typeof items[0].guid, 'string');
    assert.ok(r.output.searchedFaces > 100);
    assert.ok(r.output.tookSeconds >= 0 && r.output.tookSecondsQueue >= 0 && r.output.face_per_sec > 0);
    assert.equal(r.progress, 100);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! >= seen[i - 1]!, `progress went back: ${seen.join(',')}`);
    // with_progress false waits for the end; the same search again costs nothing and answers the same.
    const again = await fc('/api/search', { body: { id_search: up.id_search, with_progress: false } });
    assert.equal(again.output.items[0].guid, items[0].guid);
  });

  test('three photos of one person are fused into one probe', async () => {
    const person = multi[7]!;
    const files = photosOf(person);
    const up = await upload([files.at(-1)!, files[0]!]);
    assert.equal(up.input.length, 2);
    const r = await searchUntilDone(up.id_search);
    assert.ok(r.output.items[0].url.includes(`/${person}/`));
    assert.equal(r.output.images_in_bundle, 2);
  });

  test('a stranger gets no certain result', async () => {
    const up = await upload([photosOf(stranger)[0]!]);
    const r = await searchUntilDone(up.id_search);
    assert.equal(r.error, null);
    for (const it of r.output.items) assert.ok(it.score < 90, `stranger matched ${it.url} at ${it.score}`);
  });

  test('info: credits, online, indexed faces', async () => {
    const r = await fc('/api/info', {}, 'InfoResponse');
    assert.equal(r.is_online, true);
    assert.equal(r.has_credits_to_search, true);
    assert.ok(r.faces > 100);
    assert.ok(Number.isInteger(r.remaining_credits));
  });

  test('errors: HTTP 200 with error text and a CAPS code, every key present', async () => {
    const bad = await fc('/api/search', { headers: { authorization: 'nope-not-a-key' }, body: { id_search: 'x' } });
    assert.equal(bad.error, 'Invalid API token!');
    assert.equal(bad.code, 'EXCEPTION');
    const bearer = await fc('/api/info', { headers: { authorization: `Bearer ${token}` } }, 'InfoResponse');
    assert.equal(bearer.is_online, true);
    const unknown = await fc('/api/search', { body: { id_search: 'AAAAAAAAAAAAAAAA', with_progress: true } });
    assert.equal(unknown.code, 'INVALID_ID_SEARCH');
    const noId = await fc('/api/search', { body: { with_progress: true } });
    assert.equal(noId.code, 'BAD_REQUEST');
    const f = form([{ name: 'id_search', value: '' }]);
    const none = await fc('/api/upload_pic', { body: f.body, headers: f.headers });
    assert.equal(none.code, 'NO_IMAGE');
    const g = form([{ name: 'images', file: Buffer.from('not an image') }]);
    const junk = await fc('/api/upload_pic', { body: g.body, headers: g.headers });
    assert.equal(junk.code, 'BAD_IMAGE');
    const four = await upload(photosOf(multi[0]!).slice(0, 3)).then((u) => upload([photosOf(multi[0]!)[0]!]).then(() => u));
    assert.equal(four.input.length, 3);
    const missing = await call('POST', '/facecheck/api/nothing', { headers: { authorization: token } });
    assert.equal(missing.status, 404);
    assertSchema('BrowserJsonResponse', missing.json);
  });

  test('delete_pic (query or JSON body) deletes at once; an expired search is gone from disk', async () => {
    const a = await upload([photosOf(multi[1]!)[0]!]);
    const dir = join(dataDir, 'searches', a.id_search);
    assert.ok(existsSync(dir));
    const del = await fc(`/api/delete_pic?id_search=${a.id_search}`);
    assert.equal(del.error, null);
    assert.ok(!existsSync(dir));
    assert.equal((await fc('/api/search', { body: { id_search: a.id_search, status_only: true } })).code, 'INVALID_ID_SEARCH');
    const b = await upload([photosOf(multi[1]!)[0]!, photosOf(multi[1]!)[1]!]);
    const one = await fc('/api/delete_pic', { body: { id_search: b.id_search, id_pic: b.input[0].id_pic } });
    assert.equal(one.input.length, 1);
    const c = await upload([photosOf(multi[2]!)[0]!]);
    const cdir = join(dataDir, 'searches', c.id_search);
    clock.advance(25 * 3600_000);
    try {
      assert.equal((await fc('/api/search', { body: { id_search: c.id_search, with_progress: true } })).code, 'INVALID_ID_SEARCH');
      assert.ok(!existsSync(cdir), 'expired search still on disk');
    } finally {
      clock.advance(-25 * 3600_000);
    }
  });

  test('opt-out removes the person and keeps them out on re-indexing', async () => {
    const person = multi[5]!;
    const files = photosOf(person);
    const f = form([{ name: 'image', file: readFileSync(files.at(-1)!) }, { name: 'reference', value: 'request-42' }]);
    const r = await call('POST', '/v1/search-indexes/opt-outs', { key: token, body: f.body, headers: f.headers });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.removed >= 1);
    const up = await upload([files.at(-1)!]);
    const s = await searchUntilDone(up.id_search);
    for (const it of s.output.items) assert.ok(!(it.url.includes(`/${person}/`) && it.score >= 83), `still found ${it.url} at ${it.score}`);
    // Re-indexing under new URLs (the old ones are gone with their faces) skips the person.
    const again = await index(files.slice(0, 2).map((x) => x));
    assert.equal(again.faces, 0);
    assert.ok(again.optedOut >= 1);
    const audit = await call('GET', '/v1/admin/audit?action=search_index.opt_out', { key: ADMIN_KEY });
    assert.ok(audit.text.includes('search_index.opt_out'), audit.text.slice(0, 200));
  });

  test('a restart with searches queued loses none of them', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await upload([photosOf(multi[10 + i]!).at(-1)!])).id_search);
    for (const id of ids) {
      const r = await fc('/api/search', { body: { id_search: id, with_progress: true } });
      assert.equal(r.error, null);
    }
    await server.close();
    await start();
    for (const id of ids) {
      const r = await searchUntilDone(id);
      assert.equal(r.error, null, r.error);
      assert.ok(r.output.items.length > 0);
    }
  });
});
