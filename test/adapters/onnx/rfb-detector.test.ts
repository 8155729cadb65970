/**
 * The RFB face detector on real photos (../shared/eval): group photos, a photo with no face,
 * a 4912x7360 portrait, the minFaceSize filter, the graph rewrite that runs it at any size, and
 * the coarse-to-fine early exit.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SharpDecoder } from '../../../src/adapters/image/sharp-decoder.adapter.js';
import { MODEL_FILES, readVerifiedModelFile } from '../../../src/adapters/models/model-files.registry.js';
import { createSession, runSession } from '../../../src/adapters/onnx/onnx-session.js';
import { RFB_OUTPUTS, rfbAnySizeGraph } from '../../../src/adapters/onnx/rfb-graph.rewrite.js';
import { RfbDetector } from '../../../src/adapters/onnx/rfb-detector.adapter.js';
import { decodeSsdOutput, priorCount, ssdPriors } from '../../../src/adapters/onnx/ssd-box.decode.js';
import { boxToAffine, warpToTensor } from '../../../src/adapters/image/pixel-ops.js';
import type { Box, RgbImage } from '../../../src/domain/face.model.js';
import type { Detection } from '../../../src/ports/face-models.port.js';
import { EVAL_DIR, evalPhoto } from '../../helpers/eval-photos.js';

const decoder = new SharpDecoder({ maxPixels: 50e6 });
let detector: RfbDetector;

before(async () => {
  detector = await RfbDetector.load();
});
after(async () => {
  await detector.close();
});

const photo = (rel: string): Promise<RgbImage> => decoder.decode(evalPhoto(rel));
const inside = (p: { x: number; y: number }, b: Box) => p.x >= b.x1 && p.x <= b.x2 && p.y >= b.y1 && p.y <= b.y2;

/** compreface_samples LABELS: path → nose points. */
function comprefaceNoses(rel: string): { x: number; y: number }[] {
  const lines = readFileSync(join(EVAL_DIR, 'compreface_samples', 'LABELS'), 'utf8').trim().split(/\r?\n/);
  const row = lines.find((l) => l.startsWith(`${rel},`));
  assert.ok(row, `compreface_samples LABELS has no row for ${rel}`);
  const pts = row.split(',')[2] ?? '';
  return pts ? pts.split(';').map((p) => ({ x: Number(p.split(':')[0]), y: Number(p.split(':')[1]) })) : [];
}

/** Each nose lies in exactly one detection, and each detection holds one nose. */
function assertOneBoxPerNose(dets: Detection[], noses: { x: number; y: number }[]): void {
  assert.equal(dets.length, noses.length, `expected ${noses.length} faces, got ${dets.length}`);
  for (const n of noses) assert.equal(dets.filter((d) => inside(n, d.box)).length, 1, `nose ${n.x},${n.y} is in one box`);
}

test('finds the 5 faces of a group photo, one sensible box per face, best score first', async () => {
  const dets = await detector.detect(await photo('compreface_samples/images/000_5.jpg'), { minFaceSize: 0 });
  assertOneBoxPerNose(dets, comprefaceNoses('images/000_5.jpg'));
  for (const d of dets) {
    const w = d.box.x2 - d.box.x1;
    const h = d.box.y2 - d.box.y1;
    assert.ok(w > 40 && w < 150 && h / w > 0.9 && h / w < 1.8, `face-shaped box ${JSON.stringify(d.box)}`);
    assert.ok(d.score > 0.9 && d.score <= 1);
  }
  for (let i = 1; i < dets.length; i++) assert.ok(dets[i - 1]!.score >= dets[i]!.score, 'sorted by score');
});

test('finds every face of a dlib group photo', async () => {
  const labels = readFileSync(join(EVAL_DIR, 'dlib_faces', 'LABELS'), 'utf8').trim().split(/\r?\n/).slice(1)
    .map((l) => l.split(',')).filter((c) => c[0] === 'images/2007_007763.jpg' && c[6] === '0')
    .map((c) => ({ x1: +c[2]!, y1: +c[3]!, x2: +c[4]!, y2: +c[5]! }));
  assert.ok(labels.length >= 5);
  const dets = await detector.detect(await photo('dlib_faces/images/2007_007763.jpg'), { minFaceSize: 0 });
  for (const l of labels) {
    const c = { x: (l.x1 + l.x2) / 2, y: (l.y1 + l.y2) / 2 };
    assert.ok(dets.some((d) => inside(c, d.box)), `face at ${JSON.stringify(l)} found`);
  }
  assert.equal(dets.length, labels.length, 'no extra detections');
});

test('a photo with no face gives no detection', async () => {
  assert.deepEqual(await detector.detect(await photo('compreface_samples/images/017_0.jpg'), { minFaceSize: 0 }), []);
});

test('minFaceSize drops faces narrower than it', async () => {
  const img = await photo('compreface_samples/images/014_5.jpg'); // faces ~34–64 px wide
  const all = await detector.detect(img, { minFaceSize: 0 });
  assert.equal(all.length, 5);
  const big = await detector.detect(img, { minFaceSize: 50 });
  assert.ok(big.length >= 1 && big.length < all.length, `${big.length} of ${all.length} faces are ≥ 50 px`);
  for (const d of big) assert.ok(d.box.x2 - d.box.x1 >= 50);
  assert.equal(big.length, all.filter((d) => d.box.x2 - d.box.x1 >= 50).length);
});

test('dropped counts the faces each filter removed, each once', async () => {
  const img = await photo('compreface_samples/images/014_5.jpg');
  const all = await detector.detect(img, { minFaceSize: 0 });
  const bySize = { minFaceSize: 0, scoreThreshold: 0 };
  const big = await detector.detect(img, { minFaceSize: 50, dropped: bySize });
  assert.equal(bySize.minFaceSize, all.length - big.length);
  assert.ok(bySize.minFaceSize >= 1);
  // A strict threshold: the faces between it and the tuned one are counted under the score.
  const byScore = { minFaceSize: 0, scoreThreshold: 0 };
  const strict = await detector.detect(img, { minFaceSize: 0, scoreThreshold: 0.999, dropped: byScore });
  assert.equal(byScore.minFaceSize, 0);
  assert.ok(byScore.scoreThreshold >= all.length - strict.length, `${byScore.scoreThreshold} dropped by score, ${all.length - strict.length} faces`);
  // Both filters at once: a face narrower than the size is counted under the size only if its score passes.
  const both = { minFaceSize: 0, scoreThreshold: 0 };
  const kept = await detector.detect(img, { minFaceSize: 50, scoreThreshold: 0.999, dropped: both });
  const wide = all.filter((d) => d.box.x2 - d.box.x1 >= 50);
  assert.equal(both.minFaceSize, strict.filter((d) => d.box.x2 - d.box.x1 < 50).length);
  assert.ok(both.scoreThreshold >= wide.length - kept.length);
});

test('a scoreThreshold of 1 keeps only certain faces; a lower one keeps more', async () => {
  const img = await photo('compreface_samples/images/016_8.jpg');
  const strict = await detector.detect(img, { minFaceSize: 0, scoreThreshold: 0.999 });
  const loose = await detector.detect(img, { minFaceSize: 0 });
  assert.ok(strict.length < loose.length);
  assertOneBoxPerNose(loose, comprefaceNoses('images/016_8.jpg'));
});

test('a 4912x7360 portrait gives its one face, in original pixels', async () => {
  const img = await photo('compreface_samples/images/001_A.jpg');
  assert.equal(img.width, 4912);
  const dets = await detector.detect(img, { minFaceSize: 50 });
  assertOneBoxPerNose(dets, comprefaceNoses('images/001_A.jpg'));
  assert.ok(dets[0]!.box.x2 - dets[0]!.box.x1 > 200);
});

test('one any-size graph: at 320x240 its decoded boxes are the shipped graph\'s, and it runs at other sizes', async () => {
  const p = ssdPriors(320, 240);
  assert.equal(priorCount(320, 240), 4420);
  assert.deepEqual([...p.centres.slice(0, 4)].map((v) => +v.toFixed(6)), [0.0125, 0.016667, 0.0125, 0.016667]);
  assert.deepEqual([...p.sizes.slice(0, 6)].map((v) => +v.toFixed(6)), [0.03125, 0.041667, 0.05, 0.066667, 0.075, 0.1]);

  const shippedBytes = readVerifiedModelFile(MODEL_FILES.frDetect);
  const [shipped, anySize] = [await createSession(shippedBytes), await createSession(rfbAnySizeGraph(shippedBytes))];
  try {
    const img = await photo('compreface_samples/images/000_5.jpg');
    const x = warpToTensor(img, boxToAffine({ x1: 0, y1: 0, x2: img.width, y2: img.height }, 320, 240), { width: 320, height: 240, colour: 'RGB', mean: 127, std: 128 });
    const a = await runSession(shipped, x, [1, 3, 240, 320]);
    const b = await runSession(anySize, x, [1, 3, 240, 320]);
    const unit = { x1: 0, y1: 0, x2: 1, y2: 1 };
    const mine = decodeSsdOutput(b[RFB_OUTPUTS.scores]!, b[RFB_OUTPUTS.regressions]!, p, unit, 0.5);
    assert.ok(mine.length >= 5, `${mine.length} priors above 0.5`);
    let k = 0;
    for (let i = 0; i < 4420; i++) {
      if (a.scores![2 * i + 1]! < 0.5) continue;
      const d = mine[k++]!;
      assert.ok(Math.abs(d.score - a.scores![2 * i + 1]!) < 1e-5);
      const theirs = [...a.boxes!.slice(4 * i, 4 * i + 4)];
      [d.box.x1, d.box.y1, d.box.x2, d.box.y2].forEach((v, j) => assert.ok(Math.abs(v - theirs[j]!) < 1e-5, `prior ${i}: ${v} vs ${theirs[j]}`));
    }
    assert.equal(k, mine.length);

    for (const [w, h] of [[480, 352], [224, 320]] as const) {
      const out = await runSession(anySize, new Float32Array(3 * w * h), [1, 3, h, w]);
      assert.equal(out[RFB_OUTPUTS.scores]!.length, priorCount(w, h) * 2);
      assert.equal(out[RFB_OUTPUTS.regressions]!.length, priorCount(w, h) * 4);
    }
  } finally {
    await Promise.all([shipped.release(), anySize.release()]);
  }
});

test('coarse to fine: a portrait stops after the first look, sure small faces after the plain looks, a doubtful street photo gets all four', async () => {
  const exit = detector.options.earlyExit;
  assert.ok(exit?.plainLooks, 'early exit and its second chance are on by default');
  const portrait = await photo('lfw/images/Aaron_Sorkin/Aaron_Sorkin_0001.jpg');
  assert.equal((await detector.detectPasses(portrait, 0.2, exit)).length, 1);
  // Two faces of 20–24 input px at the first look, both sure once the 480 look agrees.
  const small = await photo('facemask_boxes/images/maksssksksss0.jpg');
  const plainOnly = await detector.detectPasses(small, 0.2, exit);
  assert.equal(plainOnly.length, 2);
  assert.ok(plainOnly[1]!.scale > plainOnly[0]!.scale, 'the plain looks at both scales, in plan order');
  // Candidates between 0.3 and 0.9 after the plain looks: every look.
  const doubtful = await photo('facemask_boxes/images/maksssksksss3.jpg');
  const every = await detector.detectPasses(doubtful, 0.2, exit);
  assert.equal(every.length, 4);
  const all = await detector.detectPasses(doubtful, 0.2, null);
  assert.deepEqual(every.map((p) => p.boxes.length), all.map((p) => p.boxes.length), 'a photo that takes every look gets them in plan order');

  // The portrait's one face is the face every pass finds (each box's centre inside the other:
  // single looks' boxes differ by up to a third in height, which is why the passes are averaged).
  const everyPass = await RfbDetector.load({ earlyExit: null });
  try {
    const [quick, full] = [await detector.detect(portrait, { minFaceSize: 0 }), await everyPass.detect(portrait, { minFaceSize: 0 })];
    assert.equal(quick.length, 1);
    assert.equal(full.length, 1);
    const centre = (b: Box) => ({ x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 });
    assert.ok(inside(centre(quick[0]!.box), full[0]!.box) && inside(centre(full[0]!.box), quick[0]!.box));
  } finally {
    await everyPass.close();
  }
});
