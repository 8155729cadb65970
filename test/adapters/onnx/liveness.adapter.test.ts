/**
 * fr_liveness: real photos score as real. We hold no spoof samples, so nothing here shows that
 * attacks are caught (the adapter's docs say so).
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { SharpDecoder } from '../../../src/adapters/image/sharp-decoder.adapter.js';
import { FrLiveness } from '../../../src/adapters/onnx/liveness.adapter.js';
import { livenessBox } from '../../../src/adapters/onnx/attribute-crops.js';
import { evalPhoto } from '../../helpers/eval-photos.js';

const decoder = new SharpDecoder({ maxPixels: 1e8 });
let live: FrLiveness;
before(async () => {
  live = await FrLiveness.load();
});

test('most real LFW portraits score as real', async () => {
  const photos = ['Aaron_Patterson/Aaron_Patterson_0001', 'Nicole_Kidman/Nicole_Kidman_0009', 'Tatiana_Gratcheva/Tatiana_Gratcheva_0001', 'Coco_dEste/Coco_dEste_0001', 'AJ_Cook/AJ_Cook_0001', 'Abdullah_Gul/Abdullah_Gul_0015'];
  let real = 0;
  for (const p of photos) {
    const img = await decoder.decode(evalPhoto(`lfw/images/${p}.jpg`));
    const e = await live.estimate(img, { box: { x1: 80, y1: 70, x2: 170, y2: 185 }, landmarks: { points68: [], points5: [] as never } });
    assert.ok(e.score >= 0 && e.score <= 1);
    if (e.label === 'real') real++;
  }
  assert.ok(real >= 4, `${real}/6 real photos scored real`);
});

test('the crop is the box scaled 2.7× about its centre, shifted inside the image', () => {
  assert.deepEqual(livenessBox({ x1: 100, y1: 100, x2: 200, y2: 200 }, 1000, 1000), { x1: 15, y1: 15, x2: 285, y2: 285 });
  const b = livenessBox({ x1: 0, y1: 0, x2: 100, y2: 100 }, 1000, 1000);
  assert.deepEqual([b.x1, b.y1, b.x2, b.y2], [0, 0, 270, 270]);
});
