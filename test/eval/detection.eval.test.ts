import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DetectionTally, matchDetections, type LabelledFace } from '../../src/eval/detection.eval.js';

const face = (x1: number, y1: number, x2: number, y2: number, ignore = false, cls = 'without_mask'): LabelledFace => ({ box: { x1, y1, x2, y2 }, cls, ignore });
const det = (x1: number, y1: number, x2: number, y2: number, score: number) => ({ box: { x1, y1, x2, y2 }, score });

test('each labelled face takes at most one detection, best score first', () => {
  const m = matchDetections([face(0, 0, 40, 40)], [det(2, 2, 42, 42, 0.6), det(0, 0, 40, 40, 0.9)], 'centre');
  assert.deepEqual(m.faceMatch, [1]);
  assert.deepEqual(m.detection, ['fp', 'tp']);
});

test('centre rule needs each centre inside the other box; iou50 needs IoU ≥ 0.5', () => {
  const f = [face(0, 0, 40, 60)];
  const shifted = [det(0, 15, 40, 75, 0.9)]; // centre inside, IoU 0.6
  const tight = [det(10, 10, 30, 30, 0.9)]; // centre inside both, IoU 0.17
  assert.deepEqual(matchDetections(f, shifted, 'centre').detection, ['tp']);
  assert.deepEqual(matchDetections(f, shifted, 'iou50').detection, ['tp']);
  assert.deepEqual(matchDetections(f, tight, 'centre').detection, ['tp']);
  assert.deepEqual(matchDetections(f, tight, 'iou50').detection, ['fp']);
});

test('ignored faces are neither misses nor make their detections false positives', () => {
  const t = new DetectionTally();
  t.addImage([face(0, 0, 40, 40), face(100, 100, 140, 140, true)], [det(0, 0, 40, 40, 0.9), det(100, 100, 140, 140, 0.8)]);
  assert.equal(t.get('centre:faces'), 1);
  assert.equal(t.ratio('centre:hits', 'centre:faces'), 1);
  assert.equal(t.ratio('centre:tps', 'centre:dets'), 1);
});

test('small faces and masked faces are counted apart', () => {
  const t = new DetectionTally();
  t.addImage([face(0, 0, 20, 20), face(100, 100, 150, 150, false, 'with_mask')], [det(100, 100, 150, 150, 0.9)]);
  assert.equal(t.ratio('centre:hits', 'centre:faces'), 0.5);
  assert.equal(t.ratio('centre:hits_ge32', 'centre:faces_ge32'), 1);
  assert.equal(t.ratio('centre:hits_without_mask', 'centre:faces_without_mask'), 0);
});
