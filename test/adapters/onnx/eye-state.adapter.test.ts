/** fr_eye on real portraits: both eyes open on ordinary LFW photos. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { SharpDecoder } from '../../../src/adapters/image/sharp-decoder.adapter.js';
import { FrEyeState } from '../../../src/adapters/onnx/eye-state.adapter.js';
import { Landmark68Locator } from '../../../src/adapters/onnx/landmark68.adapter.js';
import { evalPhoto } from '../../helpers/eval-photos.js';

const decoder = new SharpDecoder({ maxPixels: 1e6 });
const BOX = { x1: 70, y1: 60, x2: 180, y2: 190 };
let eyes: FrEyeState;
let landmarker: Landmark68Locator;
before(async () => {
  [eyes, landmarker] = [await FrEyeState.load(), await Landmark68Locator.load()];
});

test('eyes are open on normal portraits', async () => {
  const photos = ['Aaron_Patterson/Aaron_Patterson_0001', 'Nicole_Kidman/Nicole_Kidman_0009', 'Tatiana_Gratcheva/Tatiana_Gratcheva_0001'];
  let open = 0;
  for (const p of photos) {
    const img = await decoder.decode(evalPhoto(`lfw/images/${p}.jpg`));
    const e = await eyes.estimate(img, { box: BOX, landmarks: await landmarker.locate(img, { box: BOX, score: 1 }) });
    assert.ok(e.leftOpenProbability >= 0 && e.leftOpenProbability <= 1);
    if (e.left === 'open') open++;
    if (e.right === 'open') open++;
  }
  assert.ok(open >= 5, `${open}/6 eyes open`);
});

test('a uniformly dark patch is not read as an open eye', async () => {
  const img = await decoder.decode(evalPhoto('lfw/images/Aaron_Patterson/Aaron_Patterson_0001.jpg'));
  const landmarks = await landmarker.locate(img, { box: BOX, score: 1 });
  const dark = { ...img, data: new Uint8Array(img.data.length).fill(20) };
  const e = await eyes.estimate(dark, { box: BOX, landmarks });
  assert.equal(e.left, 'closed');
});
