// /v1/search-indexes and /v1/face-searches on a real server with the real models: index LFW
// photos with made-up source URLs, search a second photo of an indexed person (first, "certain"
// or "confident"), every answer in its documented shape, and the errors of each route.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadRealAnalyzer } from '../../../src/main/services.compose.js';
import { EVAL_DIR } from '../../helpers/eval-photos.js';
import { ADMIN_KEY, adminCreateKey, startLive, type CallOptions, type Live, type LiveResponse } from '../../helpers/live-server.js';

const IMAGES = join(EVAL_DIR, 'lfw', 'images');
const people = readdirSync(IMAGES).sort();
const photosOf = (p: string) => readdirSync(join(IMAGES, p)).sort().map((f) => join(IMAGES, p, f));
const indexed = people.filter((p) => photosOf(p).length >= 2).slice(0, 8);
const b64 = (f: string) => readFileSync(f).toString('base64');
const ISO = /^\d{4}-\d\d-\d\dT/;

describe('native reverse face search routes (real models)', { timeout: 300_000 }, () => {
  let server: Live;
  let key = '';
  const live = { call: (method: string, path: string, o: CallOptions = {}): Promise<LiveResponse> => server.call(method, path, { key, ...o }) };
  before(async () => {
    server = await startLive({ VISAGE_WORKERS: '2', VISAGE_ADMIN_KEY: ADMIN_KEY }, { loadAnalyzer: loadRealAnalyzer });
    key = (await adminCreateKey(server, { account: 'searcher', rate_per_second: 1000, burst: 1000 })).secret;
  });
  after(() => server?.close());

  test('search indexes: create, list, index photos (resumable by URL), errors', async () => {
    const made = await live.call('POST', '/v1/search-indexes', { body: { name: 'web', default: true } });
    assert.equal(made.status, 201, made.text);
    assert.deepEqual(made.json, { name: 'web', faces: 0, default: true });
    assert.equal((await live.call('POST', '/v1/search-indexes', { body: { name: 'web' } })).json.code, 'GALLERY_EXISTS');
    const noName = await live.call('POST', '/v1/search-indexes', { body: {} });
    assert.equal(noName.status, 400);
    assert.equal(noName.json.code, 'BAD_PARAM');

    for (const p of indexed) {
      const r = await live.call('POST', '/v1/search-indexes/web/photos', { body: { image: b64(photosOf(p)[0]!), source_url: `https://example.test/${p}.jpg`, group: 3 } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.already_indexed, false);
      assert.ok(r.json.faces >= 1);
      assert.equal(r.json.opted_out, 0);
    }
    const again = await live.call('POST', '/v1/search-indexes/web/photos', { body: { image: b64(photosOf(indexed[0]!)[0]!), source_url: `https://example.test/${indexed[0]}.jpg` } });
    assert.deepEqual(again.json, { faces: 0, opted_out: 0, already_indexed: true });

    const list = await live.call('GET', '/v1/search-indexes');
    assert.equal(list.json.indexes.length, 1);
    assert.equal(list.json.indexes[0].name, 'web');
    assert.ok(list.json.indexes[0].faces >= indexed.length);

    const noUrl = await live.call('POST', '/v1/search-indexes/web/photos', { body: { image: b64(photosOf(indexed[0]!)[1]!) } });
    assert.equal(noUrl.status, 400);
    assert.equal(noUrl.json.param, 'source_url');
    const noImage = await live.call('POST', '/v1/search-indexes/web/photos', { body: { source_url: 'https://example.test/x' } });
    assert.equal(noImage.json.code, 'IMAGE_MISSING');
    const badGroup = await live.call('POST', '/v1/search-indexes/web/photos', { body: { image: b64(photosOf(indexed[0]!)[1]!), source_url: 'https://example.test/y', group: -1 } });
    assert.equal(badGroup.json.param, 'group');
    const unknown = await live.call('POST', '/v1/search-indexes/nope/photos', { body: { image: b64(photosOf(indexed[0]!)[1]!), source_url: 'https://example.test/z' } });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.code, 'GALLERY_NOT_FOUND');
  });

  test('face searches: upload, start, wait, result first and banded, cancel, delete, errors', async () => {
    const person = indexed[2]!;
    const up = await live.call('POST', '/v1/face-searches', { body: { image: b64(photosOf(person)[1]!) } });
    assert.equal(up.status, 201, up.text);
    assert.equal(up.json.status, 'uploaded');
    assert.equal(up.json.previews.length, 1);
    assert.match(up.json.previews[0], /^data:image\/webp;base64,/);
    assert.match(up.json.expires_at, ISO);
    const id = up.json.id as string;

    const started = await live.call('POST', `/v1/face-searches/${id}/start`, { body: { index: 'web' } });
    assert.equal(started.status, 202, started.text);
    assert.ok(['queued', 'running', 'succeeded'].includes(started.json.status));
    const twice = await live.call('POST', `/v1/face-searches/${id}/start`, { body: {} });
    assert.equal(twice.status, 200);

    const done = await live.call('GET', `/v1/face-searches/${id}?wait=30`);
    assert.equal(done.status, 200, done.text);
    assert.equal(done.json.status, 'succeeded');
    assert.equal(done.json.progress, 100);
    const r = done.json.result;
    assert.equal(r.items[0].url, `https://example.test/${person}.jpg`);
    assert.ok(r.items[0].score >= 83, `score ${r.items[0].score}`);
    assert.equal(r.items[0].group, 3);
    assert.equal(r.items[0].index, 'web');
    assert.match(r.items[0].thumbnail, /^data:image\/webp;base64,/);
    assert.equal(r.max_score, r.items[0].score);
    for (const k of ['searched_faces', 'took_seconds', 'took_seconds_queue', 'faces_per_second', 'photos']) assert.equal(typeof r[k], 'number', k);
    for (let i = 1; i < r.items.length; i++) assert.ok(r.items[i - 1].score >= r.items[i].score);

    const cancelled = await live.call('POST', `/v1/face-searches/${id}/cancel`);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.json.status, 'succeeded', 'an ended search stays as it ended');

    assert.equal((await live.call('DELETE', `/v1/face-searches/${id}`)).status, 204);
    const gone = await live.call('GET', `/v1/face-searches/${id}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.json.code, 'NOT_FOUND');
    assert.equal((await live.call('DELETE', `/v1/face-searches/${id}`)).status, 404);
    assert.equal((await live.call('POST', `/v1/face-searches/${id}/start`, { body: {} })).status, 404);

    const none = await live.call('POST', '/v1/face-searches', { body: {} });
    assert.equal(none.status, 400);
    assert.equal(none.json.code, 'IMAGE_MISSING');
    const four = await live.call('POST', '/v1/face-searches', { body: { image: b64(photosOf(person)[0]!), image2: b64(photosOf(person)[1]!), image3: b64(photosOf(person)[0]!) } });
    assert.equal(four.status, 201);
    const up2 = four.json.id as string;
    const badWait = await live.call('GET', `/v1/face-searches/${up2}?wait=99`);
    assert.equal(badWait.status, 400);
    const noIndex = await live.call('POST', `/v1/face-searches/${up2}/start`, { body: { index: 'nope' } });
    assert.equal(noIndex.status, 404);
    assert.equal(noIndex.json.code, 'GALLERY_NOT_FOUND');
    assert.equal((await live.call('DELETE', `/v1/face-searches/${up2}`)).status, 204);
    const anonymous = await server.call('GET', '/v1/search-indexes');
    assert.equal(anonymous.status, 401);
  });
});
