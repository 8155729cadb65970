import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FaceService } from '../../src/core/face.service.js';
import { VisageError } from '../../src/domain/error.registry.js';
import type { RgbImage } from '../../src/domain/face.model.js';
import { decodeTemplate } from '../../src/domain/template.codec.js';
import type { ImageDecoder, ImageFetcher } from '../../src/ports/image.port.js';
import { FakeAnalyzer } from '../helpers/fake-analyzer.js';

/** Bytes [w, shade] "decode" to a w×w image: shade 0 is flat (no face), otherwise a gradient. */
const decoder: ImageDecoder = {
  async decode(bytes) {
    const w = bytes[0]!;
    const data = new Uint8Array(w * w * 3);
    if (bytes[1]) for (let i = 0; i < data.length; i++) data[i] = (i * bytes[1]) % 256;
    return { width: w, height: w, data } satisfies RgbImage;
  },
};
const fetched: string[] = [];
const fetcher: ImageFetcher = {
  async fetch(url) {
    fetched.push(url);
    return new Uint8Array([20, 3]);
  },
};

const service = (analyzer = new FakeAnalyzer()) => ({ analyzer, svc: new FaceService({ analyzer, decoder, fetcher }, { minFaceSize: 12, maxFaces: 100 }) });
const img = (shade: number) => ({ bytes: new Uint8Array([20, shade]) });
const code = (c: string, param?: string) => (e: unknown) => e instanceof VisageError && e.code === c && (param === undefined || e.details.param === param);

test('detect passes defaults and options to the analyzer', async () => {
  const { analyzer, svc } = service();
  const r = await svc.detect(img(7), { attributes: ['age'], minFaceSize: 10 });
  assert.equal(r.faces.length, 1);
  assert.deepEqual(r.image, { width: 20, height: 20 });
  assert.deepEqual(analyzer.calls[0], { minFaceSize: 10, maxFaces: 100, scoreThreshold: undefined, landmarks68: false, attributes: ['age'], templates: false });
});

test('detect with no face is an empty list; templates is NO_FACE', async () => {
  const { svc } = service();
  assert.deepEqual((await svc.detect(img(0))).faces, []);
  await assert.rejects(svc.templates(img(0)), code('NO_FACE'));
});

test('URL inputs go through the fetcher', async () => {
  const { svc } = service();
  await svc.detect({ url: 'https://example.com/a.jpg' });
  assert.deepEqual(fetched, ['https://example.com/a.jpg']);
});

test('templates carry the embedder key; on_too_many=error asks for one more face', async () => {
  const { analyzer, svc } = service(new FakeAnalyzer(4));
  const r = await svc.templates(img(5), { maxFaces: 2 });
  assert.equal(r.templates.length, 2);
  assert.equal(decodeTemplate(r.templates[0]!).modelKey, 'fake-embedder@1');
  await assert.rejects(svc.detect(img(5), { maxFaces: 3, onTooMany: 'error' }), code('TOO_MANY_FACES'));
  assert.equal(analyzer.calls.at(-1)!.maxFaces, 4);
  assert.equal((await svc.detect(img(5), { maxFaces: 4, onTooMany: 'error' })).faces.length, 4);
});

test('verify: same image matches itself, template and image mix, errors name the side', async () => {
  const { svc } = service();
  const same = await svc.verify({ image: img(5) }, { image: img(5) });
  assert.equal(same.match, true);
  assert.equal(same.preset, 'medium');
  assert.ok(Math.abs(same.similarity - (Math.tanh(0.7 * 6) + 1) / 2) < 1e-6);
  const [t] = (await svc.templates(img(5))).templates;
  const mixed = await svc.verify({ template: t! }, { image: img(5) }, 'strict');
  assert.equal(mixed.boxes.a, null);
  assert.ok(mixed.boxes.b);
  await assert.rejects(svc.verify({ image: img(5) }, { image: img(0) }), code('NO_FACE', 'image_b'));
  await assert.rejects(svc.verify({ template: 'xx' }, { image: img(5) }), code('TEMPLATE_INVALID', 'template_a'));
  await assert.rejects(svc.verify({ image: img(5) }, { image: img(5) }, 'sloppy'), code('BAD_PARAM', 'threshold'));
});

/** A decoder that "downscaled" a photo 4× wider and 3× higher than the 20×20 pixels it returns. */
const shrunkDecoder: ImageDecoder = {
  async decode(bytes) {
    const img = await decoder.decode(bytes);
    return { ...img, original: { width: 80, height: 60 } };
  },
};

test('a downscaled photo: min_face_size goes to analysis pixels, results come back in original pixels', async () => {
  const analyzer = new FakeAnalyzer();
  const svc = new FaceService({ analyzer, decoder: shrunkDecoder, fetcher }, { minFaceSize: 50, maxFaces: 100 });
  const r = await svc.detect(img(7), { minFaceSize: 40, landmarks68: true });
  assert.equal(analyzer.calls[0]!.minFaceSize, 10);
  assert.deepEqual(r.image, { width: 80, height: 60 });
  // The fake face in 20×20 pixels is x 5–15, y 5–15.
  assert.deepEqual(r.faces[0]!.box, { x1: 20, y1: 15, x2: 60, y2: 45 });
  assert.deepEqual(r.faces[0]!.landmarks5[0], { x: (5 + 0.3 * 10) * 4, y: (5 + 0.4 * 10) * 3 });
  assert.equal(r.faces[0]!.landmarks68!.length, 68);
  assert.deepEqual(r.dropped, { minFaceSize: 0, scoreThreshold: 0 });
  // The fake analyzer ignores min_face_size; the service still drops faces narrower than asked in original pixels, and counts them.
  const narrow = await svc.detect(img(7), { minFaceSize: 41 });
  assert.deepEqual(narrow.faces, []);
  assert.deepEqual(narrow.dropped, { minFaceSize: 1, scoreThreshold: 0 });
  // Verification boxes are original pixels too.
  const v = await svc.verify({ image: img(5) }, { image: img(5) }, undefined, { minFaceSize: 1 });
  assert.deepEqual(v.boxes.a, { x1: 20, y1: 15, x2: 60, y2: 45 });
});

test('an image narrower than min_face_size, or under 8 px on a side, is IMAGE_TOO_SMALL before any analysis', async () => {
  const { analyzer, svc } = service();
  const tiny = { bytes: new Uint8Array([10, 3]) };
  await assert.rejects(svc.detect(tiny), (e: unknown) => e instanceof VisageError && e.code === 'IMAGE_TOO_SMALL' && e.details.minFaceSize === 12 && e.details.param === 'image');
  await assert.rejects(svc.templates(tiny), code('IMAGE_TOO_SMALL', 'image'));
  await assert.rejects(svc.detect({ bytes: new Uint8Array([7, 3]) }, { minFaceSize: 1 }), (e: unknown) => e instanceof VisageError && e.code === 'IMAGE_TOO_SMALL' && e.details.minSide === 8);
  await assert.rejects(svc.verify({ image: img(5) }, { image: tiny }), code('IMAGE_TOO_SMALL', 'image_b'));
  assert.equal(analyzer.calls.length, 1, 'only the good verification side was analysed');
  assert.equal((await svc.detect(tiny, { minFaceSize: 10 })).faces.length, 1);
});
