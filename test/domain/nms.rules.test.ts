import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuseVotes, nms } from '../../src/domain/nms.rules.js';

const b = (x1: number, y1: number, x2: number, y2: number, score: number) => ({ box: { x1, y1, x2, y2 }, score });

test('nms keeps the best of overlapping boxes and every separate one, best first', () => {
  const kept = nms([b(0, 0, 10, 10, 0.8), b(1, 1, 11, 11, 0.9), b(50, 50, 60, 60, 0.7)], 0.3);
  assert.deepEqual(kept.map((k) => k.score), [0.9, 0.7]);
});

test('fuseVotes averages a face over the passes that could see it', () => {
  const region = { x1: 0, y1: 0, x2: 100, y2: 100 };
  const o = { iou: 0.3, minInput: 0, maxInput: Infinity };
  const fused = fuseVotes(
    [
      { region, scale: 1, boxes: [b(10, 10, 30, 30, 0.9), b(60, 60, 70, 70, 0.8)] },
      { region, scale: 1, boxes: [b(11, 11, 31, 31, 0.7)] },
    ],
    o,
  );
  assert.equal(fused.length, 2);
  assert.ok(Math.abs(fused[0]!.score - 0.8) < 1e-9, 'seen twice: mean of 0.9 and 0.7');
  assert.ok(Math.abs(fused[1]!.score - 0.4) < 1e-9, 'seen once of two looks: 0.8 / 2');
  assert.ok(fused[0]!.box.x1 > 10 && fused[0]!.box.x1 < 11, 'score-weighted box');
  // A pass that cannot see faces that small does not dilute the score.
  const small = fuseVotes(
    [
      { region, scale: 1, boxes: [b(60, 60, 70, 70, 0.8)] },
      { region, scale: 0.5, boxes: [] },
    ],
    { ...o, minInput: 8 },
  );
  assert.ok(Math.abs(small[0]!.score - 0.8) < 1e-9);
});
