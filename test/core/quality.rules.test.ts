/** Face quality on a real photo and on degraded copies of it. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { SharpDecoder } from '../../src/adapters/image/sharp-decoder.adapter.js';
import { Landmark68Locator } from '../../src/adapters/onnx/landmark68.adapter.js';
import { assessQuality, laplacianVariance } from '../../src/core/quality.rules.js';
import type { RgbImage } from '../../src/domain/face.model.js';
import type { LocatedFace } from '../../src/ports/face-models.port.js';
import { evalPhoto } from '../helpers/eval-photos.js';

const BOX = { x1: 70, y1: 60, x2: 180, y2: 190 };
const FRONTAL = { yaw: 0, pitch: 0, roll: 0 };
let img: RgbImage;
let face: LocatedFace;
before(async () => {
  img = await new SharpDecoder({ maxPixels: 1e6 }).decode(evalPhoto('lfw/images/Aaron_Patterson/Aaron_Patterson_0001.jpg'));
  face = { box: BOX, landmarks: await (await Landmark68Locator.load()).locate(img, { box: BOX, score: 1 }) };
});

/** Box blur of the given radius (separable). */
function blur(src: RgbImage, r: number): RgbImage {
  const { width: w, height: h } = src;
  const pass = (from: Uint8Array, horizontal: boolean) => {
    const out = new Uint8Array(from.length);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let c = 0; c < 3; c++) {
          let s = 0, n = 0;
          for (let k = -r; k <= r; k++) {
            const xx = horizontal ? Math.min(w - 1, Math.max(0, x + k)) : x;
            const yy = horizontal ? y : Math.min(h - 1, Math.max(0, y + k));
            s += from[(yy * w + xx) * 3 + c]!;
            n++;
          }
          out[(y * w + x) * 3 + c] = Math.round(s / n);
        }
    return out;
  };
  return { width: w, height: h, data: pass(pass(src.data, true), false) };
}

function scaled(src: RgbImage, k: number): RgbImage {
  return { ...src, data: src.data.map((v) => Math.min(255, Math.round(v * k))) };
}

test('an ordinary, well-lit frontal portrait scores fairly with no reasons', () => {
  const q = assessQuality(img, face, FRONTAL);
  // LFW's JPEG news photos are soft: this one sits near the set's median sharpness.
  assert.ok(q.score > 0.4, JSON.stringify(q));
  assert.deepEqual(q.reasons, []);
  assert.equal(q.size, 110);
  assert.equal(q.frontalness, 1);
});

test('a blurred copy of the face scores lower and is called blurry', () => {
  const sharp = assessQuality(img, face, FRONTAL);
  const soft = assessQuality(blur(img, 3), face, FRONTAL);
  assert.ok(soft.sharpness < sharp.sharpness / 2, `${soft.sharpness} vs ${sharp.sharpness}`);
  assert.ok(soft.score < sharp.score);
  assert.ok(soft.reasons.includes('blurry'), JSON.stringify(soft));
});

test('dark and overexposed copies are called too_dark and too_bright', () => {
  assert.ok(assessQuality(scaled(img, 0.2), face, FRONTAL).reasons.includes('too_dark'));
  assert.ok(assessQuality(scaled(img, 3), face, FRONTAL).reasons.includes('too_bright'));
});

test('a turned head lowers frontalness (cos yaw · cos pitch) and is called turned', () => {
  const q = assessQuality(img, face, { yaw: 60, pitch: 0, roll: 0 });
  assert.ok(Math.abs(q.frontalness - 0.5) < 1e-3);
  assert.ok(q.reasons.includes('turned'));
});

test('a small face is called too_small', () => {
  const small = { box: { x1: 100, y1: 100, x2: 130, y2: 135 }, landmarks: { points68: [], points5: face.landmarks.points5 } };
  assert.ok(assessQuality(img, small, FRONTAL).reasons.includes('too_small'));
});

test('the Laplacian variance of a flat image is 0', () => {
  assert.equal(laplacianVariance(new Float32Array(16 * 16).fill(7), 16), 0);
});
