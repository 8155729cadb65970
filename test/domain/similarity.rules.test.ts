import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VisageError } from '../../src/domain/error.registry.js';
import { cosineToSimilarity, presetThreshold, resolveThreshold, type SimilarityCalibration } from '../../src/domain/similarity.rules.js';

const cal: SimilarityCalibration = { c0: 0.3, c1: 8, cosineAt: { strict: 0.45, medium: 0.3, low: 0.15 } };

test('similarity is monotonic in cosine, 0.5 at c0 and within 0..1', () => {
  assert.equal(cosineToSimilarity(0.3, cal), 0.5);
  let prev = -1;
  for (let c = -1; c <= 1; c += 0.05) {
    const s = cosineToSimilarity(c, cal);
    assert.ok(s >= 0 && s <= 1 && s > prev);
    prev = s;
  }
});

test('presets order strict > medium > low > none and medium is the default', () => {
  const [s, m, l, n] = (['strict', 'medium', 'low', 'none'] as const).map((p) => presetThreshold(p, cal));
  assert.ok(s! > m! && m! > l! && l! > n!);
  assert.equal(n, 0);
  assert.deepEqual(resolveThreshold(undefined, cal), { threshold: m, preset: 'medium' });
  assert.deepEqual(resolveThreshold('0.7', cal), { threshold: 0.7 });
});

test('a bad threshold names the parameter', () => {
  for (const bad of ['loose', 1.5, -0.1, 'NaN']) {
    assert.throws(
      () => resolveThreshold(bad, cal),
      (e: unknown) => e instanceof VisageError && e.code === 'BAD_PARAM' && e.details.param === 'threshold',
    );
  }
});
