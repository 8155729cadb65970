/** Dominant clothing colours under a face, on a real portrait and on made-up images. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SharpDecoder } from '../../src/adapters/image/sharp-decoder.adapter.js';
import { RfbDetector } from '../../src/adapters/onnx/rfb-detector.adapter.js';
import { clothingRegion, dominantClothingColours } from '../../src/core/clothing-colours.rules.js';
import type { RgbImage } from '../../src/domain/face.model.js';
import { evalPhoto } from '../helpers/eval-photos.js';

const HEX = /^#[0-9a-f]{6}$/;

function solid(width: number, height: number, rgb: [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return { width, height, data };
}

test('a portrait with a body gets 3 hex colours, the light T-shirt first', async () => {
  // CompreFace sample 009_C: a man in a white T-shirt against a grey wall.
  const img = await new SharpDecoder({ maxPixels: 1e8 }).decode(evalPhoto('compreface_samples/images/009_C.jpg'));
  const [face] = await (await RfbDetector.load()).detect(img, { minFaceSize: 20 });
  assert.ok(face, 'the detector finds the face');
  const colours = dominantClothingColours(img, face.box);
  assert.equal(colours.length, 3, JSON.stringify(colours));
  for (const c of colours) assert.match(c, HEX);
  const light = [1, 3, 5].every((i) => parseInt(colours[0]!.slice(i, i + 2), 16) > 170);
  assert.ok(light, `a light colour first in ${colours.join(', ')}`);
});

test('a red shirt under a face is reported red first', () => {
  const img = solid(200, 400, [30, 30, 30]);
  for (let y = 120; y < 400; y++) for (let x = 0; x < 200; x++) img.data.set([200, 20, 30], (y * 200 + x) * 3);
  const colours = dominantClothingColours(img, { x1: 70, y1: 20, x2: 130, y2: 100 });
  assert.equal(colours[0], '#c8141e');
  assert.equal(colours.length, 1, 'one colour when the region holds one');
});

test('no colours when the region under the face is outside the image', () => {
  const img = solid(200, 200, [0, 0, 255]);
  assert.deepEqual(dominantClothingColours(img, { x1: 50, y1: 100, x2: 150, y2: 199 }), []);
});

test('the region spans 0.5 to 2 face heights below the chin, 1.5 face widths wide', () => {
  assert.deepEqual(clothingRegion({ x1: 100, y1: 100, x2: 200, y2: 220 }), { x1: 75, y1: 280, x2: 225, y2: 460 });
});
