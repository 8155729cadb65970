/**
 * The one table from Visage's errors to FaceHub's. The document's codes (facehub.txt, "Errors")
 * come from the auth, abuse-guard and routing rules; every other failure keeps Visage's own code
 * (`BAD_PARAM`, `RATE_LIMITED`, …), which is stable and documented in docs/api.md. The body is
 * always `{errorCode, errorMessage}` (the document gives codes, not a body; this is the shape of
 * the REST API those codes come from), with the HTTP status a client expects.
 */
import type { FastifyRequest } from 'fastify';
import { ERRORS, type VisageError } from '../../domain/error.registry.js';

export const FACEHUB_CODES = {
  IP_BANNED: '1S290/A',
  IP_BLOCKED: '1S290/D',
  NO_KEY: '2S290/6',
  IP_NOT_ALLOWED: '2S290/8',
  INVALID_KEY: '2S290/9',
  KEY_NOT_IN_QUERY: '2S290/B',
  KEY_NOT_IN_FORM: '3S290/7',
  BAD_LANGUAGE: '3S290/3',
  BAD_FIRST_LEVEL: '3S290/4',
  UNKNOWN_ENDPOINT: '2S290/1',
  TOO_MANY_LEVELS: '2S291/1',
  NO_PERMISSION: '2S291/3',
  WRONG_METHOD: '3S291/2',
  INVALID_TOKEN: '3S290/9',
  TOKEN_EXPIRED: '1S290/E',
  NO_SCOPES: '3S290/B',
} as const;

export interface FacehubError {
  errorCode: string;
  errorMessage: string;
}

/** A routing error found by the dialect itself (unknown endpoint, wrong method, bad header). */
export class FacehubRouteError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const C = FACEHUB_CODES;

/** Was the key sent in the Authorization header (an "OAuth access token" of the document)? */
const viaHeader = (req: FastifyRequest) => typeof req.headers.authorization === 'string' && req.headers.authorization.trim() !== '';

/** The document's code and status for a Visage error, or Visage's own code where the document has none. */
export function facehubError(e: VisageError, req: FastifyRequest): { status: number; body: FacehubError } {
  const d = e.details;
  const doc = (code: string, status: number, message = e.message) => ({ status, body: { errorCode: code, errorMessage: message } });
  switch (e.code) {
    case 'IP_BANNED':
      return doc(C.IP_BANNED, 403);
    case 'IP_BLOCKED':
      return doc(C.IP_BLOCKED, 429);
    case 'IP_NOT_ALLOWED':
      return doc(C.IP_NOT_ALLOWED, 403);
    case 'UNAUTHORIZED': {
      const none = /No API key/.test(e.message);
      if (none) return doc(C.NO_KEY, 401, 'No API key was sent (the key parameter, or an Authorization: Bearer header)');
      return viaHeader(req) ? doc(C.INVALID_TOKEN, 401, 'The access token sent in the Authorization header is not valid') : doc(C.INVALID_KEY, 401);
    }
    case 'KEY_EXPIRED':
      return doc(C.TOKEN_EXPIRED, 401);
    case 'FORBIDDEN':
      if (d.headerOnly) return doc(d.via === 'query' ? C.KEY_NOT_IN_QUERY : C.KEY_NOT_IN_FORM, 403, 'This API key is not configured for URL authentication: send it as Authorization: Bearer <key>');
      if (d.noScopes) return doc(C.NO_SCOPES, 403, 'This API key holds none of the scopes the FaceHub endpoints use (galleries:read, detect, search)');
      return doc(C.NO_PERMISSION, 403);
    case 'METHOD_NOT_ALLOWED':
      return doc(C.WRONG_METHOD, 405);
    case 'NOT_FOUND':
      // A record that does not exist: the dialect has no such code; keep Visage's.
      return { status: 404, body: { errorCode: 'NOT_FOUND', errorMessage: e.message } };
    default: {
      // Server-side failures say only the registry's fixed text: no detail leaves the server.
      const message = e.status >= 500 ? ERRORS[e.code].message : e.message;
      return { status: e.status, body: { errorCode: e.code, errorMessage: message } };
    }
  }
}
