import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sightcorpCode, sightcorpError } from '../../../src/compat/sightcorp/sightcorp.errors.js';
import { ERRORS, VisageError, type ErrorCode } from '../../../src/domain/error.registry.js';

test('every registry code maps to one of the document codes', () => {
  const expected: Partial<Record<ErrorCode, number>> = {
    UNAUTHORIZED: 1100, KEY_EXPIRED: 1100, FORBIDDEN: 1100, IP_NOT_ALLOWED: 1100, IP_BLOCKED: 1100, IP_BANNED: 1100,
    BAD_PARAM: 1200, IMAGE_MISSING: 1200, IMAGE_DECODE_FAILED: 1200, METHOD_NOT_ALLOWED: 1200, BODY_TOO_LARGE: 1200,
    URL_FORBIDDEN: 1300, URL_FETCH_FAILED: 1300,
    INSUFFICIENT_CREDITS: 1400, RATE_LIMITED: 1401,
    INTERNAL: 1000, NOT_READY: 1000, OVERLOADED: 1000,
  };
  for (const code of Object.keys(ERRORS) as ErrorCode[]) {
    const c = sightcorpCode(code);
    assert.ok([1000, 1100, 1200, 1300, 1400, 1401].includes(c), `${code} → ${c}`);
    if (expected[code] !== undefined) assert.equal(c, expected[code], code);
  }
});

test("what a URL served is the remote image's failure; a server fault says only the registry's text", () => {
  assert.equal(sightcorpError(new VisageError('UNSUPPORTED_MEDIA_TYPE', 'x', { param: 'url' })).error_code, 1300);
  assert.equal(sightcorpError(new VisageError('UNSUPPORTED_MEDIA_TYPE', 'x', { param: 'img' })).error_code, 1200);
  assert.deepEqual(sightcorpError(new VisageError('INTERNAL', 'secret detail at /srv/x')), { error_code: 1000, description: ERRORS.INTERNAL.message, people: [] });
});
