import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sightcorpGender } from '../../../src/compat/sightcorp/sightcorp.mapper.js';

test('gender: −100 certainly male … +100 certainly female; the sign is always the chosen label', () => {
  assert.equal(sightcorpGender({ label: 'male', confidence: 1 }), -100);
  assert.equal(sightcorpGender({ label: 'female', confidence: 1 }), 100);
  assert.equal(sightcorpGender({ label: 'female', confidence: 0.8979 }), 80);
  assert.equal(sightcorpGender({ label: 'male', confidence: 0.75 }), -50);
  assert.equal(sightcorpGender({ label: 'male', confidence: 0.501 }), -1);
  assert.equal(sightcorpGender({ label: 'female', confidence: 0.5 }), 1);
});
