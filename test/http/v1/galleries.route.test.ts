// The gallery, face and search routes over the real app, store and index; the fake analyzer
// stands in for the models (its embedding follows an image's mean colour).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { buildTestApp, multipart } from '../../helpers/test-app.js';

async function setup(t: import('node:test').TestContext) {
  const { app } = await buildTestApp({ config: { defaultMinFaceSize: 1, defaultMaxFaces: 10 } });
  t.after(() => app.close());
  return app;
}

/** A small PNG with a colour gradient (not flat, so the fake analyzer finds a face). */
async function photo(r: number, g: number, b: number): Promise<Buffer> {
  const w = 64;
  const data = Buffer.alloc(w * w * 3);
  for (let i = 0; i < w * w; i++) {
    data[i * 3] = r;
    data[i * 3 + 1] = g;
    data[i * 3 + 2] = (b + (i % w)) % 256;
  }
  return sharp(data, { raw: { width: w, height: w, channels: 3 } }).png().toBuffer();
}

test('gallery lifecycle over HTTP', async (t) => {
  const app = await setup(t);
  const created = await app.inject({ method: 'POST', url: '/v1/galleries', payload: { name: 'staff', description: 'office' } });
  assert.equal(created.statusCode, 200, created.body);
  assert.equal(created.json().model, 'fake-embedder@1');
  assert.equal(created.json().face_count, 0);
  const dup = await app.inject({ method: 'POST', url: '/v1/galleries', payload: { name: 'staff' } });
  assert.equal(dup.statusCode, 409);
  assert.equal(dup.json().code, 'GALLERY_EXISTS');
  assert.equal((await app.inject({ method: 'GET', url: '/v1/galleries' })).json().galleries.length, 1);
  const renamed = await app.inject({ method: 'PATCH', url: '/v1/galleries/staff', payload: { name: 'team' } });
  assert.equal(renamed.json().name, 'team');
  const missing = await app.inject({ method: 'GET', url: '/v1/galleries/staff' });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().code, 'GALLERY_NOT_FOUND');
  assert.equal((await app.inject({ method: 'DELETE', url: '/v1/galleries/team' })).statusCode, 204);
  assert.equal((await app.inject({ method: 'GET', url: '/v1/galleries/team' })).statusCode, 404);
});

test('enrol by multipart, base64 and template; search; list; update; delete', async (t) => {
  const app = await setup(t);
  await app.inject({ method: 'POST', url: '/v1/galleries', payload: { name: 'g' } });
  const red = await photo(200, 30, 30);
  const blue = await photo(20, 40, 220);

  const mp = multipart([
    { name: 'image', value: red, filename: 'red.png', type: 'image/png' },
    { name: 'id', value: 'image_01' },
    { name: 'meta', value: 'Red person' },
  ]);
  const e1 = await app.inject({ method: 'POST', url: '/v1/galleries/g/faces', payload: mp.payload, headers: mp.headers });
  assert.equal(e1.statusCode, 200, e1.body);
  const f1 = e1.json().faces[0];
  assert.equal(f1.client_id, 'image_01');
  assert.equal(f1.meta, 'Red person');
  assert.match(f1.photo_hash, /^[0-9a-f]{64}$/);
  assert.ok(f1.box && f1.landmarks.left_eye);

  const e2 = await app.inject({ method: 'POST', url: '/v1/galleries/g/faces', payload: { image: blue.toString('base64'), id: 42, meta: { name: 'Blue' } } });
  assert.equal(e2.statusCode, 200, e2.body);
  assert.equal(e2.json().faces[0].client_id, '42');
  const dupe = await app.inject({ method: 'POST', url: '/v1/galleries/g/faces', payload: { image: blue.toString('base64'), id: 42 } });
  assert.equal(dupe.statusCode, 409);
  assert.equal(dupe.json().code, 'DUPLICATE_ID');

  const tpl = await app.inject({ method: 'POST', url: '/v1/templates', payload: { image: red.toString('base64') } });
  const template = tpl.json().faces[0].template as string;
  const s = await app.inject({ method: 'POST', url: '/v1/galleries/g/search', payload: { template, threshold: 'medium' } });
  assert.equal(s.statusCode, 200, s.body);
  const matches = s.json().faces[0].matches;
  assert.equal(matches[0].face.client_id, 'image_01');
  assert.equal(matches[0].gallery, 'g');
  assert.ok(matches[0].similarity > 0.9);

  const multi = await app.inject({ method: 'POST', url: '/v1/search', payload: { image: blue.toString('base64'), galleries: ['g'], limit: 1 } });
  assert.equal(multi.statusCode, 200, multi.body);
  assert.equal(multi.json().faces[0].matches[0].face.client_id, '42');
  assert.ok(multi.json().faces[0].box);
  // Like detect, a search says what its size and score filters dropped from the probe photo.
  assert.deepEqual(multi.json().dropped, { min_face_size: 0, score_threshold: 0 });
  assert.deepEqual(s.json().dropped, { min_face_size: 0, score_threshold: 0 }, 'a template probe drops nothing');
  assert.equal((await app.inject({ method: 'POST', url: '/v1/search', payload: { template, galleries: 'g,nope' } })).statusCode, 404);

  const list = await app.inject({ method: 'GET', url: '/v1/galleries/g/faces?limit=1' });
  assert.equal(list.json().faces[0].client_id, '42');
  const page2 = await app.inject({ method: 'GET', url: `/v1/galleries/g/faces?limit=1&cursor=${list.json().next_cursor}` });
  assert.equal(page2.json().faces[0].client_id, 'image_01');
  assert.equal(page2.json().next_cursor, null);
  const filtered = await app.inject({ method: 'GET', url: '/v1/galleries/g/faces?meta_field=name&meta_value=Blue' });
  assert.deepEqual(filtered.json().faces.map((f: { client_id: string }) => f.client_id), ['42']);

  // "42" alone would be an internal id: id_type=client reads it as the client's id.
  const byClient = await app.inject({ method: 'GET', url: '/v1/galleries/g/faces/42?id_type=client' });
  assert.equal(byClient.json().meta.name, 'Blue');
  const byInternal = await app.inject({ method: 'GET', url: `/v1/galleries/g/faces/${f1.id}` });
  assert.equal(byInternal.json().client_id, 'image_01');
  const patched = await app.inject({ method: 'PATCH', url: '/v1/galleries/g/faces/image_01', payload: { meta: { vip: true } } });
  assert.deepEqual(patched.json().meta, { vip: true });

  assert.equal((await app.inject({ method: 'DELETE', url: '/v1/galleries/g/faces/image_01' })).statusCode, 204);
  const after = await app.inject({ method: 'POST', url: '/v1/galleries/g/search', payload: { template, threshold: 'none' } });
  assert.ok(!after.json().faces[0].matches.some((m: { face: { client_id: string } }) => m.face.client_id === 'image_01'));
  const gone = await app.inject({ method: 'GET', url: '/v1/galleries/g/faces/image_01' });
  assert.equal(gone.statusCode, 404);
  assert.equal(gone.json().code, 'FACE_NOT_FOUND');

  const many = await app.inject({ method: 'POST', url: '/v1/galleries/g/faces/delete', payload: { ids: ['42', 'nope'], id_type: 'client' } });
  assert.equal(many.json().deleted_count, 1);
  assert.deepEqual(many.json().results.map((r: { deleted: boolean }) => r.deleted), [true, false]);
});

test('bulk enrolment answers per item', async (t) => {
  const app = await setup(t);
  await app.inject({ method: 'POST', url: '/v1/galleries', payload: { name: 'g' } });
  const red = await photo(200, 30, 30);
  const flat = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).png().toBuffer();
  const res = await app.inject({
    method: 'POST',
    url: '/v1/galleries/g/faces/bulk',
    payload: {
      items: [
        { id: 'a', image: red.toString('base64') },
        { id: 'b', image: flat.toString('base64') },
        { id: 'c', image: '!!!not base64' },
        { id: 'd', template: 'nope' },
        { id: 'a', image: red.toString('base64') },
        { id: 'e' },
      ],
    },
  });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(
    res.json().results.map((r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'ok' : r.error!.code)),
    ['ok', 'NO_FACE', 'BAD_PARAM', 'TEMPLATE_INVALID', 'DUPLICATE_ID', 'IMAGE_MISSING'],
  );
  assert.equal((await app.inject({ method: 'GET', url: '/v1/galleries/g' })).json().face_count, 1);
});

test('thumbnails: kept only for galleries that ask; served as JPEG; gone with the face or when turned off', async (t) => {
  const app = await setup(t);
  await app.inject({ method: 'POST', url: '/v1/galleries', payload: { name: 'plain' } });
  await app.inject({ method: 'POST', url: '/v1/galleries', payload: { name: 'album', thumbnails: true } });
  const img = (await photo(120, 90, 60)).toString('base64');

  const plain = (await app.inject({ method: 'POST', url: '/v1/galleries/plain/faces', payload: { image: img, id: 'p' } })).json().faces[0];
  assert.equal(plain.gallery, 'plain');
  assert.equal(plain.thumbnail_url, undefined, 'templates, not photos, by default');
  assert.equal((await app.inject({ method: 'GET', url: `/v1/galleries/plain/faces/${plain.id}/thumbnail` })).json().code, 'FACE_NOT_FOUND');

  const kept = (await app.inject({ method: 'POST', url: '/v1/galleries/album/faces', payload: { image: img, id: 'a' } })).json().faces[0];
  assert.equal(kept.thumbnail_url, `/v1/galleries/album/faces/${kept.id}/thumbnail`);
  const jpeg = await app.inject({ method: 'GET', url: kept.thumbnail_url });
  assert.equal(jpeg.statusCode, 200);
  assert.equal(jpeg.headers['content-type'], 'image/jpeg');
  const meta = await sharp(jpeg.rawPayload).metadata();
  assert.equal(meta.format, 'jpeg');
  assert.ok(meta.width! > 0 && meta.width! <= 160 && meta.width === meta.height, `${meta.width}x${meta.height}`);
  const byClient = await app.inject({ method: 'GET', url: '/v1/galleries/album/faces/a/thumbnail?id_type=client' });
  assert.equal(byClient.statusCode, 200);
  const listed = (await app.inject({ method: 'GET', url: '/v1/galleries/album/faces' })).json().faces[0];
  assert.equal(listed.thumbnail_url, kept.thumbnail_url);

  // A template enrolment has no photo, so no thumbnail.
  const tpl = (await app.inject({ method: 'POST', url: '/v1/templates', payload: { image: img } })).json().faces[0].template;
  const fromTemplate = (await app.inject({ method: 'POST', url: '/v1/galleries/album/faces', payload: { template: tpl } })).json().faces[0];
  assert.equal(fromTemplate.thumbnail_url, undefined);

  // Deleting the face deletes its thumbnail.
  assert.equal((await app.inject({ method: 'DELETE', url: `/v1/galleries/album/faces/${kept.id}` })).statusCode, 204);
  assert.equal((await app.inject({ method: 'GET', url: kept.thumbnail_url })).statusCode, 404);

  // Turning thumbnails off deletes the ones kept.
  const again = (await app.inject({ method: 'POST', url: '/v1/galleries/album/faces', payload: { image: img, id: 'b' } })).json().faces[0];
  assert.ok(again.thumbnail_url);
  assert.equal((await app.inject({ method: 'PATCH', url: '/v1/galleries/album', payload: { thumbnails: false } })).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: again.thumbnail_url })).statusCode, 404);
  assert.equal((await app.inject({ method: 'GET', url: `/v1/galleries/album/faces/${again.id}` })).json().thumbnail_url, undefined);
});
