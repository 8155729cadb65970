/**
 * The one table from Visage's error codes to FaceCheck.ID's answers. FaceCheck answers every
 * API error at HTTP 200 with `error` (text, read first by clients) and a CAPS `code`, so the
 * HTTP status of a VisageError is unused. 5xx details never leave the server.
 */
import { ERRORS, type ErrorCode, type VisageError } from '../../domain/error.registry.js';

/** Codes with their own FaceCheck text; the rest go by their status (below). */
const BY_CODE: Partial<Record<ErrorCode, { code: string; error?: string }>> = {
  UNAUTHORIZED: { code: 'EXCEPTION', error: 'Invalid API token!' },
  KEY_EXPIRED: { code: 'EXCEPTION', error: 'Invalid API token!' },
  INSUFFICIENT_CREDITS: { code: 'NO_CREDITS', error: 'Not enough credits to search. Buy more credits.' },
  NO_FACE: { code: 'NO_FACE_FOUND', error: 'No face found in the image.' },
  NOT_FOUND: { code: 'INVALID_ID_SEARCH' },
  GALLERY_NOT_FOUND: { code: 'NO_INDEX', error: 'No search index for this API token.' },
  IMAGE_MISSING: { code: 'NO_IMAGE', error: 'No image uploaded.' },
  IMAGE_DECODE_FAILED: { code: 'BAD_IMAGE' },
  IMAGE_TOO_LARGE: { code: 'BAD_IMAGE' },
  IMAGE_TOO_SMALL: { code: 'BAD_IMAGE' },
  UNSUPPORTED_MEDIA_TYPE: { code: 'BAD_IMAGE' },
  NOT_READY: { code: 'SERVICE_UNAVAILABLE', error: 'Search engine is offline. Try again later.' },
};

export function facecheckError(e: VisageError): { error: string; code: string } {
  const given = BY_CODE[e.code];
  const status: number = ERRORS[e.code].status;
  const text = status >= 500 ? ERRORS[e.code].message : e.message;
  if (given) return { code: given.code, error: given.error ?? text };
  if (status === 401 || status === 403) return { code: 'EXCEPTION', error: 'Invalid API token!' };
  if (status === 429) return { code: 'RATE_LIMIT', error: text };
  if (status >= 500) return { code: 'EXCEPTION', error: 'Internal error. Try again later.' };
  return { code: 'BAD_REQUEST', error: text };
}
