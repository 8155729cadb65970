import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aucOf, bestThreshold, crossValidatedAccuracy, quantileAbove, tarAtFar, type ScoredPair } from '../../src/eval/verification.metrics.js';

const pair = (fold: number, same: boolean, score: number): ScoredPair => ({ fold, same, score });

test('the best threshold separates cleanly separable scores', () => {
  const pairs = [pair(1, false, 0.1), pair(1, false, 0.2), pair(1, true, 0.5), pair(1, true, 0.7)];
  const t = bestThreshold(pairs);
  assert.ok(t > 0.2 && t < 0.5, `threshold ${t}`);
  assert.equal(crossValidatedAccuracy(pairs), 1);
});

test('cross-validation scores each fold at the threshold learnt on the others', () => {
  // Folds 1 and 2 separate at ~0.35; fold 3 has a same pair at 0.3, wrong at that threshold.
  const pairs = [
    pair(1, false, 0.1), pair(1, true, 0.6),
    pair(2, false, 0.2), pair(2, true, 0.5),
    pair(3, false, 0.0), pair(3, true, 0.3),
  ];
  const acc = crossValidatedAccuracy(pairs);
  assert.ok(acc < 1 && acc > 0.5, `accuracy ${acc}`);
});

test('AUC counts ties as half and is 1 for perfect ranking', () => {
  assert.equal(aucOf([pair(1, false, 0.1), pair(1, true, 0.9)]), 1);
  assert.equal(aucOf([pair(1, false, 0.5), pair(1, true, 0.5)]), 0.5);
  assert.equal(aucOf([pair(1, false, 0.9), pair(1, true, 0.1)]), 0);
});

test('the impostor quantile lets exactly ⌊FAR·n⌋ impostors through', () => {
  const imp = Float32Array.from({ length: 1000 }, (_, i) => i / 1000);
  const t = quantileAbove(imp, 0.01);
  assert.equal(imp.filter((x) => x >= t).length, 10);
  assert.ok(quantileAbove(imp, 1e-5) > 0.999, 'FAR below 1/n: above every impostor');
  const pairs = [...imp].map((s) => pair(1, false, s)).concat([pair(1, true, 0.9999), pair(1, true, 0.5)]);
  assert.equal(tarAtFar(pairs, 0.001), 0.5);
});
