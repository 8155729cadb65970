/**
 * The one table from Visage's error codes to Face.Match.Expert's answers: `{"error": NAME,
 * "message": text}` with the vendor's five statuses (401, 404, 422, 500, 503). Our refusals the
 * vendor never had (rate limit, credits) keep their own status (429, 402), because a client
 * that backs off on them is better served than one told "unprocessable"; their body has the
 * same shape. Typed over every ErrorCode, so a new code cannot ship unmapped.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VisageError, type ErrorCode } from '../../domain/error.registry.js';
import { noRouteError, toVisageError } from '../../http/shared/error.plugin.js';
import { collectRouteMethods } from '../../http/shared/route-methods.js';

type Answer = { status: number; error: string };

const UNAUTHORIZED: Answer = { status: 401, error: 'UNAUTHORIZED' };
const NOT_FOUND: Answer = { status: 404, error: 'NOT FOUND' };
const UNPROCESSABLE: Answer = { status: 422, error: 'UNPROCESSABLE ENTITY' };
const INTERNAL: Answer = { status: 500, error: 'INTERNAL SYSTEM ERROR' };
const UNAVAILABLE: Answer = { status: 503, error: 'SERVICE UNAVAILABLE' };

export const FACEMATCH_ERRORS: Record<ErrorCode, Answer> = {
  BAD_PARAM: UNPROCESSABLE,
  BAD_REQUEST: UNPROCESSABLE,
  IMAGE_MISSING: UNPROCESSABLE,
  IMAGE_DECODE_FAILED: UNPROCESSABLE,
  IMAGE_TOO_LARGE: UNPROCESSABLE,
  IMAGE_TOO_SMALL: UNPROCESSABLE,
  UNSUPPORTED_MEDIA_TYPE: UNPROCESSABLE,
  BODY_TOO_LARGE: UNPROCESSABLE,
  URL_FORBIDDEN: UNPROCESSABLE,
  URL_FETCH_FAILED: UNPROCESSABLE,
  NO_FACE: UNPROCESSABLE,
  TOO_MANY_FACES: UNPROCESSABLE,
  TEMPLATE_INVALID: UNPROCESSABLE,
  TEMPLATE_MODEL_MISMATCH: UNPROCESSABLE,
  NOT_FOUND: NOT_FOUND,
  GALLERY_NOT_FOUND: NOT_FOUND,
  GALLERY_EXISTS: UNPROCESSABLE,
  FACE_NOT_FOUND: NOT_FOUND,
  DUPLICATE_ID: UNPROCESSABLE,
  AMBIGUOUS_ID: UNPROCESSABLE,
  // The vendor answers an unknown path, whatever the method, as not found.
  METHOD_NOT_ALLOWED: NOT_FOUND,
  UNAUTHORIZED: UNAUTHORIZED,
  KEY_EXPIRED: UNAUTHORIZED,
  // The vendor has no 403: every refusal of the credentials is its 401.
  FORBIDDEN: UNAUTHORIZED,
  IP_NOT_ALLOWED: UNAUTHORIZED,
  IP_BLOCKED: UNAUTHORIZED,
  IP_BANNED: UNAUTHORIZED,
  INSUFFICIENT_CREDITS: { status: 402, error: 'PAYMENT REQUIRED' },
  RATE_LIMITED: { status: 429, error: 'TOO MANY REQUESTS' },
  JOB_NOT_FOUND: NOT_FOUND,
  KEY_NOT_FOUND: NOT_FOUND,
  HEADERS_TOO_LARGE: UNPROCESSABLE,
  REQUEST_TIMEOUT: UNAVAILABLE,
  JSON_TOO_DEEP: UNPROCESSABLE,
  MULTIPART_LIMIT: UNPROCESSABLE,
  NOT_READY: UNAVAILABLE,
  OVERLOADED: UNAVAILABLE,
  TIMEOUT: UNAVAILABLE,
  INTERNAL: INTERNAL,
  JOB_INTERRUPTED: INTERNAL,
};

/** The vendor's answer for a Visage error; 5xx messages are the registry's, never the cause's. */
export function facematchError(e: VisageError): Answer & { message: string } {
  const a = FACEMATCH_ERRORS[e.code] ?? INTERNAL;
  return { ...a, message: a.status >= 500 ? defaultMessage(a) : e.message };
}

const defaultMessage = (a: Answer) => (a === UNAVAILABLE ? 'The service is starting or busy; retry shortly' : 'An internal error occurred');

/** Sets this scope's error and not-found handlers (call inside the dialect's own scope). */
export function registerFacematchErrors(scope: FastifyInstance, maxUploadBytes: number): void {
  const routes = collectRouteMethods(scope);
  const send = (reply: FastifyReply, e: VisageError) => {
    const a = facematchError(e);
    return reply.status(a.status).send({ error: a.error, message: a.message });
  };
  scope.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const mapped = toVisageError(err, req, { maxUploadBytes });
    if (!mapped) {
      req.log.error({ err }, 'unhandled error');
      return send(reply, new VisageError('INTERNAL'));
    }
    if (mapped.status >= 500 && mapped.status !== 503) req.log.error({ err }, mapped.code);
    else req.log.info({ code: mapped.code, param: mapped.details.param }, 'request refused');
    return send(reply, mapped);
  });
  scope.setNotFoundHandler((req, reply) => send(reply, noRouteError(routes, req, reply)));
}
