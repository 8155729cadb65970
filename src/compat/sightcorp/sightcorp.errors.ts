/**
 * The one table from Visage's error codes to Sightcorp F.A.C.E.'s `error_code`s. The service
 * answers every API error at HTTP 200 with `{error_code, description, people: []}` (its clients
 * treat any other status as a transport failure), so the HTTP status of a VisageError is unused.
 */
import { ERRORS, type ErrorCode, type VisageError } from '../../domain/error.registry.js';

/** The document's codes. */
export const SIGHTCORP_CODES = {
  SUCCESS: 0,
  SERVER_ERROR: 1000,
  AUTH_ERROR: 1100,
  REQUEST_ERROR: 1200,
  REMOTE_IMAGE_ERROR: 1300,
  OUT_OF_CREDITS: 1400,
  RATE_LIMITED: 1401,
} as const;

export type SightcorpCode = (typeof SIGHTCORP_CODES)[keyof typeof SIGHTCORP_CODES];

const { SERVER_ERROR, AUTH_ERROR, REQUEST_ERROR, REMOTE_IMAGE_ERROR, OUT_OF_CREDITS, RATE_LIMITED } = SIGHTCORP_CODES;

/** Every registry code; `Record<ErrorCode, …>` makes a new code a compile error until it is mapped here. */
const BY_CODE: Record<ErrorCode, SightcorpCode> = {
  BAD_PARAM: REQUEST_ERROR,
  BAD_REQUEST: REQUEST_ERROR,
  IMAGE_MISSING: REQUEST_ERROR,
  IMAGE_DECODE_FAILED: REQUEST_ERROR,
  IMAGE_TOO_LARGE: REQUEST_ERROR,
  IMAGE_TOO_SMALL: REQUEST_ERROR,
  UNSUPPORTED_MEDIA_TYPE: REQUEST_ERROR,
  BODY_TOO_LARGE: REQUEST_ERROR,
  URL_FORBIDDEN: REMOTE_IMAGE_ERROR,
  URL_FETCH_FAILED: REMOTE_IMAGE_ERROR,
  // Detection never raises these (no face is a success with no people); mapped for completeness.
  NO_FACE: REQUEST_ERROR,
  TOO_MANY_FACES: REQUEST_ERROR,
  TEMPLATE_INVALID: REQUEST_ERROR,
  TEMPLATE_MODEL_MISMATCH: REQUEST_ERROR,
  NOT_FOUND: REQUEST_ERROR,
  GALLERY_NOT_FOUND: REQUEST_ERROR,
  GALLERY_EXISTS: REQUEST_ERROR,
  FACE_NOT_FOUND: REQUEST_ERROR,
  DUPLICATE_ID: REQUEST_ERROR,
  AMBIGUOUS_ID: REQUEST_ERROR,
  METHOD_NOT_ALLOWED: REQUEST_ERROR,
  UNAUTHORIZED: AUTH_ERROR,
  KEY_EXPIRED: AUTH_ERROR,
  FORBIDDEN: AUTH_ERROR,
  IP_NOT_ALLOWED: AUTH_ERROR,
  IP_BLOCKED: AUTH_ERROR,
  IP_BANNED: AUTH_ERROR,
  INSUFFICIENT_CREDITS: OUT_OF_CREDITS,
  RATE_LIMITED: RATE_LIMITED,
  JOB_NOT_FOUND: REQUEST_ERROR,
  KEY_NOT_FOUND: AUTH_ERROR,
  HEADERS_TOO_LARGE: REQUEST_ERROR,
  REQUEST_TIMEOUT: REQUEST_ERROR,
  JSON_TOO_DEEP: REQUEST_ERROR,
  MULTIPART_LIMIT: REQUEST_ERROR,
  NOT_READY: SERVER_ERROR,
  OVERLOADED: SERVER_ERROR,
  TIMEOUT: SERVER_ERROR,
  INTERNAL: SERVER_ERROR,
  JOB_INTERRUPTED: SERVER_ERROR,
};

/** Failures of the remote image itself (what it served, how big), not of the request. */
const REMOTE_WHEN_URL = new Set<ErrorCode>(['UNSUPPORTED_MEDIA_TYPE', 'IMAGE_TOO_LARGE', 'IMAGE_DECODE_FAILED', 'IMAGE_TOO_SMALL']);

export interface SightcorpError {
  error_code: SightcorpCode;
  description: string;
  people: [];
}

/**
 * The answer for an error. Server-side failures (1000) say only the registry's fixed text for
 * their code: no detail of a fault ever leaves the server.
 */
export function sightcorpError(e: VisageError): SightcorpError {
  let code = BY_CODE[e.code];
  if (e.details.param === 'url' && REMOTE_WHEN_URL.has(e.code)) code = REMOTE_IMAGE_ERROR;
  const description = code === SERVER_ERROR ? ERRORS[e.code].message : e.message;
  return { error_code: code, description, people: [] };
}
