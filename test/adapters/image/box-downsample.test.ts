import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boxDownsample } from '../../../src/adapters/image/box-downsample.js';

test('boxDownsample averages blocks and keeps a flat colour exact', () => {
  const w = 12, h = 8;
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) data.set([200, 100, 50], i * 3);
  const out = boxDownsample({ width: w, height: h, data }, 4);
  assert.equal(out.width, 3);
  assert.equal(out.height, 2);
  assert.deepEqual([...out.data.slice(0, 3)], [200, 100, 50]);
  // A 2x2 checker of black/white averages to mid grey.
  const c = new Uint8Array(4 * 4 * 3);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) c.fill((x + y) % 2 ? 255 : 0, (y * 4 + x) * 3, (y * 4 + x) * 3 + 3);
  const g = boxDownsample({ width: 4, height: 4, data: c }, 2);
  assert.deepEqual([...g.data.slice(0, 3)], [128, 128, 128]);
});
