// The worker pool with the real engine: engine options reach the workers, and photos of
// different sizes reach them (in place, or copied through shared buffers) without mixing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SharpDecoder } from '../../../src/adapters/image/sharp-decoder.adapter.js';
import { createFaceAnalyzer } from '../../../src/main/face-analyzer.compose.js';
import { evalPhoto } from '../../helpers/eval-photos.js';

const decoder = new SharpDecoder({ maxPixels: 50e6 });
const ANALYZE = { minFaceSize: 20, maxFaces: 100, landmarks68: false, attributes: [] as [], templates: false };

test('one worker answers a large, a small, then the large photo again; each its own faces', { timeout: 120_000 }, async () => {
  const pool = await createFaceAnalyzer({ poolSize: 1 });
  try {
    const big = await decoder.decode(evalPhoto('compreface_samples/images/000_5.jpg')); // 819x546, 5 faces
    const small = await decoder.decode(evalPhoto('lfw/images/Aaron_Sorkin/Aaron_Sorkin_0001.jpg')); // 250x250, 1 face
    const first = (await pool.analyze(big, ANALYZE)).faces;
    assert.equal(first.length, 5);
    const second = (await pool.analyze(small, ANALYZE)).faces;
    assert.equal(second.length, 1);
    assert.ok(second[0]!.box.x2 <= 250 && second[0]!.box.y2 <= 250, 'box inside the small photo');
    assert.deepEqual((await pool.analyze(big, ANALYZE)).faces.map((f) => f.box), first.map((f) => f.box));
  } finally {
    await pool.close();
  }
});

test('one worker holding two requests at a time answers each with its own photo', { timeout: 120_000 }, async () => {
  const pool = await createFaceAnalyzer({ poolSize: 1 });
  try {
    const big = await decoder.decode(evalPhoto('compreface_samples/images/000_5.jpg'));
    const small = await decoder.decode(evalPhoto('lfw/images/Aaron_Sorkin/Aaron_Sorkin_0001.jpg'));
    const alone = [(await pool.analyze(big, ANALYZE)).faces, (await pool.analyze(small, ANALYZE)).faces];
    // Five at once: the worker runs one while it holds the next (in place, or copied into its
    // other buffer with the JS kernels: the next test).
    const together = await Promise.all([big, small, big, small, big].map((im) => pool.analyze(im, ANALYZE)));
    together.forEach((r, i) => assert.deepEqual(r.faces.map((f) => f.box), alone[i % 2]!.map((f) => f.box), `request ${i}`));
  } finally {
    await pool.close();
  }
});

test('past what the workers hold and the queue allows, a request is refused with OVERLOADED', { timeout: 120_000 }, async () => {
  const pool = await createFaceAnalyzer({ poolSize: 1, maxQueue: 1 });
  try {
    const small = await decoder.decode(evalPhoto('lfw/images/Aaron_Sorkin/Aaron_Sorkin_0001.jpg'));
    // The worker holds two, the queue one more; the fourth is refused at once, the rest answered.
    const settled = await Promise.allSettled([1, 2, 3, 4].map(() => pool.analyze(small, ANALYZE)));
    assert.deepEqual(settled.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    assert.equal((settled[3] as PromiseRejectedResult).reason.code, 'OVERLOADED');
    assert.equal((await pool.analyze(small, ANALYZE)).faces.length, 1, 'and the pool goes on');
  } finally {
    await pool.close();
  }
});

test('engine options reach the workers: detectorEarlyExit false runs every look', { timeout: 120_000 }, async () => {
  const on = await createFaceAnalyzer({ poolSize: 1 });
  const off = await createFaceAnalyzer({ poolSize: 1, engine: { detectorEarlyExit: false } });
  try {
    const detector = (a: typeof on) => a.models.find((m) => m.id === 'rfb-320')!.input.normalisation;
    assert.match(detector(on), /first look alone/);
    assert.doesNotMatch(detector(off), /first look alone/);
  } finally {
    await Promise.all([on.close(), off.close()]);
  }
});

test('photos handed over in place (native kernels) and copied (js) give the same faces, and the caller\'s pixels are left as they were', { timeout: 120_000 }, async () => {
  const inPlace = await createFaceAnalyzer({ poolSize: 1 });
  const copied = await createFaceAnalyzer({ poolSize: 1, engine: { pixelKernels: 'js' } });
  try {
    const photos = await Promise.all(['compreface_samples/images/000_5.jpg', 'lfw/images/Aaron_Sorkin/Aaron_Sorkin_0001.jpg'].map((p) => decoder.decode(evalPhoto(p))));
    const before = photos.map((p) => Buffer.from(p.data));
    const a = (await Promise.all([...photos, ...photos].map((p) => inPlace.analyze(p, ANALYZE)))).map((r) => r.faces);
    const b = (await Promise.all([...photos, ...photos].map((p) => copied.analyze(p, ANALYZE)))).map((r) => r.faces);
    assert.deepEqual(a.map((faces) => faces.length), [5, 1, 5, 1]);
    assert.deepEqual(a.map((faces) => faces.map((f) => f.box)), b.map((faces) => faces.map((f) => f.box)));
    photos.forEach((p, i) => assert.ok(before[i]!.equals(p.data), `photo ${i} unchanged`));
  } finally {
    await Promise.all([inPlace.close(), copied.close()]);
  }
});

test('pixels too short are refused at once, and a queued photo emptied by its caller fails alone', { timeout: 120_000 }, async () => {
  const pool = await createFaceAnalyzer({ poolSize: 1 });
  try {
    const small = await decoder.decode(evalPhoto('lfw/images/Aaron_Sorkin/Aaron_Sorkin_0001.jpg'));
    await assert.rejects(pool.analyze({ ...small, data: small.data.subarray(1) }, ANALYZE), /expected 250x250x3 bytes/);
    // The worker holds two; the third waits in the queue, and its caller detaches its pixels.
    const mine = new Uint8Array(small.data);
    const runs = [pool.analyze(small, ANALYZE), pool.analyze(small, ANALYZE), pool.analyze({ ...small, data: mine }, ANALYZE)];
    structuredClone(mine.buffer, { transfer: [mine.buffer] });
    const settled = await Promise.allSettled(runs);
    assert.deepEqual(settled.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected']);
    assert.match((settled[2] as PromiseRejectedResult).reason.message, /emptied/);
    assert.equal((await pool.analyze(small, ANALYZE)).faces.length, 1, 'and the pool goes on');
  } finally {
    await pool.close();
  }
});
