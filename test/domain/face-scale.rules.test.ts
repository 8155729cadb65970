import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalyzedFace } from '../../src/domain/face.model.js';
import { scaleFace, scaleOf } from '../../src/domain/face-scale.rules.js';

const face = (): AnalyzedFace => ({
  box: { x1: 10, y1: 20, x2: 50, y2: 70 },
  score: 0.9,
  landmarks5: [{ x: 20, y: 30 }, { x: 40, y: 30 }, { x: 30, y: 45 }, { x: 22, y: 60 }, { x: 38, y: 60 }],
  landmarks68: Array.from({ length: 68 }, (_, i) => ({ x: i, y: 2 * i })),
  pose: { yaw: 5, pitch: -3, roll: 1 },
  attributes: { age: 30, quality: { score: 0.8, sharpness: 0.9, exposure: 0.9, size: 40, frontalness: 0.99, reasons: [] } },
  embedding: new Float32Array([1, 0]),
});

test('scaleFace maps box, both landmark sets and quality.size; keeps angles, scores and the embedding', () => {
  const f = face();
  const s = scaleFace(f, 2.5, 2);
  assert.deepEqual(s.box, { x1: 25, y1: 40, x2: 125, y2: 140 });
  assert.deepEqual(s.landmarks5[2], { x: 75, y: 90 });
  assert.deepEqual(s.landmarks68![67], { x: 167.5, y: 268 });
  assert.equal(s.attributes.quality!.size, 100);
  assert.equal(s.attributes.quality!.score, 0.8);
  assert.equal(s.attributes.age, 30);
  assert.deepEqual(s.pose, f.pose);
  assert.equal(s.embedding, f.embedding);
  assert.deepEqual(f, face(), 'the input is not changed');
});

test('scaleFace at 1:1 and without optional parts', () => {
  const f = face();
  assert.equal(scaleFace(f, 1, 1), f);
  const bare: AnalyzedFace = { ...face(), landmarks68: undefined, attributes: {} };
  delete bare.landmarks68;
  const s = scaleFace(bare, 3, 3);
  assert.equal('landmarks68' in s, false);
  assert.deepEqual(s.attributes, {});
});

test('scaleOf: original size over analysis size per axis, 1 when not resized', () => {
  assert.deepEqual(scaleOf({ width: 100, height: 80 }), { sx: 1, sy: 1 });
  assert.deepEqual(scaleOf({ width: 2050, height: 3072, original: { width: 4100, height: 6144 } }), { sx: 2, sy: 2 });
});
