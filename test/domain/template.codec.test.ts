import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VisageError } from '../../src/domain/error.registry.js';
import { assertSameModel, decodeTemplate, encodeTemplate } from '../../src/domain/template.codec.js';

const vector = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i) / 16);

test('a template round-trips with its model key and is URL-safe', () => {
  const s = encodeTemplate({ modelKey: 'fr-arcface-512@1', vector });
  assert.match(s, /^[A-Za-z0-9_-]+$/);
  const t = decodeTemplate(s);
  assert.equal(t.modelKey, 'fr-arcface-512@1');
  assert.deepEqual(Array.from(t.vector), Array.from(vector));
});

test('a truncated, edited or foreign string is TEMPLATE_INVALID', () => {
  const s = encodeTemplate({ modelKey: 'fr-arcface-512@1', vector });
  for (const bad of [s.slice(0, -8), s.slice(0, 40), 'A' + s.slice(1), s.slice(0, 100) + (s[100] === 'A' ? 'B' : 'A') + s.slice(101), 'hello', '', '%%%']) {
    assert.throws(() => decodeTemplate(bad), (e: unknown) => e instanceof VisageError && e.code === 'TEMPLATE_INVALID');
  }
});

test('a template of another model version is refused, never compared', () => {
  const t = decodeTemplate(encodeTemplate({ modelKey: 'fr-arcface-512@0', vector }));
  assert.throws(
    () => assertSameModel(t, 'fr-arcface-512@1'),
    (e: unknown) => e instanceof VisageError && e.code === 'TEMPLATE_MODEL_MISMATCH' && e.status === 422,
  );
});
