import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inputSizeFor, planPasses } from '../../../src/adapters/onnx/rfb-pass.plan.js';

test('input sizes follow the photo: small photos are upscaled (capped), sizes are multiples of 32', () => {
  assert.deepEqual(inputSizeFor(400, 267, 480, 2), { width: 480, height: 320 });
  assert.deepEqual(inputSizeFor(100, 80, 480, 2), { width: 192, height: 160 });
  assert.deepEqual(inputSizeFor(7360, 4912, 320, 2), { width: 320, height: 224 });
});

test('whole-frame passes per long side, mirrored when asked, duplicates collapsed', () => {
  const o = { longSides: [320, 480], maxUpscale: 2, flip: true, tiles: null };
  assert.equal(planPasses(400, 267, o).length, 4);
  assert.equal(planPasses(100, 100, o).length, 2, 'both sides capped to the same 2x input');
});

test('huge photos add overlapping tiles that cover the whole frame', () => {
  const o = { longSides: [320], maxUpscale: 2, flip: false, tiles: { above: 2000, perLongSide: 3, overlap: 0.2, longSide: 480 } };
  assert.equal(planPasses(1500, 1000, o).length, 1);
  const passes = planPasses(6000, 4000, o);
  const tiles = passes.slice(1);
  assert.ok(tiles.length >= 6);
  assert.equal(Math.max(...tiles.map((t) => t.region.x2)), 6000);
  assert.equal(Math.max(...tiles.map((t) => t.region.y2)), 4000);
  assert.equal(Math.min(...tiles.map((t) => t.region.x1)), 0);
});
