import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VisageError } from '../../src/domain/error.registry.js';
import { ATTRIBUTES } from '../../src/domain/face.model.js';
import { parseAttributes, parseFaceOptions } from '../../src/domain/face-options.rules.js';

const badParam = (param: string) => (e: unknown) => e instanceof VisageError && e.code === 'BAD_PARAM' && e.details.param === param;

test('attributes: lists, arrays, all, case and spaces', () => {
  assert.deepEqual(parseAttributes('age, Gender,age'), ['age', 'gender']);
  assert.deepEqual(parseAttributes(['age', 'emotion']), ['age', 'emotion']);
  assert.deepEqual(parseAttributes('all'), [...ATTRIBUTES]);
  assert.deepEqual(parseAttributes(undefined), []);
  assert.throws(() => parseAttributes('age,height'), badParam('attributes'));
  assert.throws(() => parseAttributes([3]), badParam('attributes'));
});

test('options from strings; bad values name their parameter', () => {
  assert.deepEqual(parseFaceOptions({ min_face_size: '20', max_faces: 5, score_threshold: '0.5', landmarks68: 'true', on_too_many: 'error' }), {
    minFaceSize: 20,
    maxFaces: 5,
    scoreThreshold: 0.5,
    attributes: [],
    landmarks68: true,
    onTooMany: 'error',
  });
  assert.throws(() => parseFaceOptions({ min_face_size: '2.5' }), badParam('min_face_size'));
  assert.throws(() => parseFaceOptions({ max_faces: '0' }), badParam('max_faces'));
  assert.throws(() => parseFaceOptions({ score_threshold: '2' }), badParam('score_threshold'));
  assert.throws(() => parseFaceOptions({ landmarks68: 'perhaps' }), badParam('landmarks68'));
  assert.throws(() => parseFaceOptions({ on_too_many: 'explode' }), badParam('on_too_many'));
});
