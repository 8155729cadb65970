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

/**
 * Codes whose Sightcorp code is not the one their HTTP status implies (below): a URL that cannot
 * be fetched is the remote image's failure (1300), whatever status the native API gives it.
 */
const BY_CODE: Partial<Record<ErrorCode, SightcorpCode>> = {
  URL_FORBIDDEN: REMOTE_IMAGE_ERROR,
  URL_FETCH_FAILED: REMOTE_IMAGE_ERROR,
};

/**
 * Every other registry code by its status, so a code added to the registry later lands in the
 * right class without an edit here: 401/403 (key, scope, IP) → 1100, 402 → 1400, 429 → 1401,
 * 5xx → 1000, any other client error → 1200.
 */
export function sightcorpCode(code: ErrorCode): SightcorpCode {
  const given = BY_CODE[code];
  if (given !== undefined) return given;
  const status: number = ERRORS[code].status;
  if (status === 401 || status === 403) return AUTH_ERROR;
  if (status === 402) return OUT_OF_CREDITS;
  if (status === 429) return RATE_LIMITED;
  if (status >= 500) return SERVER_ERROR;
  return REQUEST_ERROR;
}

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
  let code = sightcorpCode(e.code);
  if (e.details.param === 'url' && REMOTE_WHEN_URL.has(e.code)) code = REMOTE_IMAGE_ERROR;
  const description = code === SERVER_ERROR ? ERRORS[e.code].message : e.message;
  return { error_code: code, description, people: [] };
}
