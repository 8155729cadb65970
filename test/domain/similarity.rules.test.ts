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

test('search tightens a preset with the number of faces searched, never below the 1:1 preset', async () => {
  const { searchThreshold } = await import('../../src/domain/similarity.rules.js');
  // ln FAR = a − b·cos with FAR 1e-3 at cos 0.3 and 1e-5 at 0.45.
  const b = Math.log(100) / 0.15;
  const tailed = { ...cal, impostorTail: { a: Math.log(1e-3) + b * 0.3, b } };
  assert.equal(searchThreshold('medium', tailed, 1), presetThreshold('medium', tailed));
  const t100 = searchThreshold('medium', tailed, 100);
  // 100 faces at FAR 1e-3 per search = 1e-5 per comparison = the strict cosine.
  assert.ok(Math.abs(t100 - presetThreshold('strict', tailed)) < 1e-9);
  assert.ok(searchThreshold('medium', tailed, 10_000) > t100);
  assert.equal(searchThreshold('none', tailed, 10_000), 0);
  assert.equal(searchThreshold('medium', cal, 10_000), presetThreshold('medium', cal));
});
