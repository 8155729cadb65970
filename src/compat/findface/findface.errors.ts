/**
 * The one table from Visage's error codes to FindFace's `{code, reason[, param, value]}` and
 * HTTP status. FindFace documents AUTH_FAILED, BAD_PARAM, MALFORMED_JSON and
 * SERVICE_UNAVAILABLE; the rest are FindFace-style names for what Visage can refuse.
 */
import { ERRORS, type ErrorCode, type VisageError } from '../../domain/error.registry.js';

type Out = { code: string; status: number };
const o = (code: string, status: number): Out => ({ code, status });

const BAD_PARAM = o('BAD_PARAM', 400);
const BAD_IMAGE = o('BAD_IMAGE', 400);
const AUTH_FAILED = o('AUTH_FAILED', 401);
const FORBIDDEN = o('FORBIDDEN', 403);
const NOT_FOUND = o('NOT_FOUND', 404);
const UNAVAILABLE = o('SERVICE_UNAVAILABLE', 503);

/** Every registry code; `Record<ErrorCode, …>` makes a new code a compile error until mapped. */
export const FINDFACE_ERRORS: Record<ErrorCode, Out> = {
  BAD_PARAM,
  BAD_REQUEST: BAD_PARAM,
  IMAGE_MISSING: BAD_PARAM,
  IMAGE_DECODE_FAILED: BAD_IMAGE,
  IMAGE_TOO_SMALL: BAD_IMAGE,
  UNSUPPORTED_MEDIA_TYPE: BAD_IMAGE,
  IMAGE_TOO_LARGE: o('IMAGE_TOO_LARGE', 413),
  BODY_TOO_LARGE: o('IMAGE_TOO_LARGE', 413),
  URL_FORBIDDEN: o('URL_REFUSED', 400),
  URL_FETCH_FAILED: o('URL_FETCH_FAILED', 400),
  NO_FACE: o('NO_FACES', 400),
  TOO_MANY_FACES: o('MULTIPLE_FACES', 400),
  TEMPLATE_INVALID: BAD_PARAM,
  TEMPLATE_MODEL_MISMATCH: o('MODEL_MISMATCH', 400),
  NOT_FOUND,
  GALLERY_NOT_FOUND: NOT_FOUND,
  FACE_NOT_FOUND: NOT_FOUND,
  JOB_NOT_FOUND: NOT_FOUND,
  KEY_NOT_FOUND: NOT_FOUND,
  GALLERY_EXISTS: o('ALREADY_EXISTS', 409),
  DUPLICATE_ID: o('ALREADY_EXISTS', 409),
  AMBIGUOUS_ID: BAD_PARAM,
  METHOD_NOT_ALLOWED: o('METHOD_NOT_ALLOWED', 405),
  UNAUTHORIZED: AUTH_FAILED,
  KEY_EXPIRED: AUTH_FAILED,
  FORBIDDEN,
  IP_NOT_ALLOWED: FORBIDDEN,
  IP_BLOCKED: FORBIDDEN,
  IP_BANNED: FORBIDDEN,
  INSUFFICIENT_CREDITS: o('NO_CREDITS', 402),
  RATE_LIMITED: o('RATE_LIMITED', 429),
  HEADERS_TOO_LARGE: BAD_PARAM,
  REQUEST_TIMEOUT: BAD_PARAM,
  JSON_TOO_DEEP: o('MALFORMED_JSON', 400),
  MULTIPART_LIMIT: BAD_PARAM,
  NOT_READY: UNAVAILABLE,
  OVERLOADED: UNAVAILABLE,
  TIMEOUT: UNAVAILABLE,
  INTERNAL: o('INTERNAL_ERROR', 500),
  JOB_INTERRUPTED: o('INTERNAL_ERROR', 500),
};

export function findfaceError(e: VisageError, extra: { malformedJson?: boolean } = {}): { status: number; body: Record<string, unknown> } {
  const out = extra.malformedJson ? o('MALFORMED_JSON', 400) : FINDFACE_ERRORS[e.code];
  // 5xx never carry the internal message.
  const reason = out.status >= 500 ? ERRORS[e.code].message : e.message;
  const body: Record<string, unknown> = { code: out.code, reason };
  if (typeof e.details.param === 'string') {
    body.param = e.details.param;
    body.value = e.details.value ?? '';
  }
  if (Array.isArray(e.details.faces)) body.faces = e.details.faces;
  return { status: out.status, body };
}
