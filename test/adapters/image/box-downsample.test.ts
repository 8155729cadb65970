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

test('boxDownsample of big factors averages 4×4 evenly spread samples of each block', () => {
  const w = 97, h = 83;
  const data = new Uint8Array(w * h * 3);
  let s = 7;
  for (let i = 0; i < data.length; i++) data[i] = s = (s * 1103515245 + 12345) % 251;
  for (const f of [4, 5, 7, 10, 13]) {
    const out = boxDownsample({ width: w, height: h, data }, f);
    const offs = [0, 1, 2, 3].map((k) => Math.floor(((k + 0.5) * f) / 4));
    assert.equal(out.width, Math.floor(w / f));
    for (let y = 0; y < out.height; y++) for (let x = 0; x < out.width; x++) for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (const dy of offs) for (const dx of offs) sum += data[((y * f + dy) * w + x * f + dx) * 3 + c]!;
      assert.equal(out.data[(y * out.width + x) * 3 + c], Math.round(sum / 16), `f ${f} at ${x},${y}`);
    }
  }
});
