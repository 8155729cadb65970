import assert from 'node:assert/strict';
import { test } from 'node:test';
import { affineWarpToTensor, boxToAffine, warpToTensor, type Affine, type TensorSpec } from '../../../src/adapters/image/pixel-ops.js';

function noise(width: number, height: number, seed = 7) {
  const data = new Uint8Array(width * height * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) data[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return { width, height, data };
}

test('detector passes (axis-aligned warps) take the fast path and give the general path\'s floats, mirrored and clamped too', () => {
  const img = noise(97, 61);
  const specs: TensorSpec[] = [
    { width: 64, height: 48, colour: 'RGB', mean: 127, std: 128 },
    { width: 40, height: 40, colour: 'BGR', mean: [104, 117, 123], std: [58, 57, 57] },
  ];
  const plain = boxToAffine({ x1: -5, y1: 3.5, x2: 101, y2: 60 }, 64, 48); // reaches past the edges
  const mirrored: Affine = [-plain[0], 0, 101 - 0.5 * plain[0] - 0.5, 0, plain[4], plain[5]];
  const upscale = boxToAffine({ x1: 10, y1: 10, x2: 30, y2: 30 }, 40, 40);
  for (const spec of specs) {
    for (const m of [plain, mirrored, upscale]) {
      assert.deepEqual(warpToTensor(img, m, spec), affineWarpToTensor(img, m, spec));
    }
  }
});
