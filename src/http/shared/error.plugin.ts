/**
 * The only place errors become HTTP responses: `{code, reason, request_id, …details}` with the
 * registry's status. VisageErrors pass through; Fastify's own errors are mapped to registry
 * codes; anything else is INTERNAL with no detail (logged with its stack, never sent).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, VisageError, isVisageError, type ErrorCode, type ErrorDetails } from '../../domain/error.registry.js';
import { collectRouteMethods, type RouteMethods } from './route-methods.js';

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export function errorBody(e: VisageError, requestId: string): Record<string, unknown> {
  const details = Object.fromEntries(
    Object.entries(e.details)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [snake(k), v]),
  );
  return { ...details, code: e.code, reason: e.message, request_id: requestId };
}

function isRawImage(req: FastifyRequest): boolean {
  const ct = String(req.headers['content-type'] ?? '').toLowerCase();
  return ct.startsWith('image/') || ct.startsWith('application/octet-stream');
}

/** Names the parameter of a schema validation error: `/attributes` → attributes, a missing property → its name. */
function validationParam(err: FastifyError): string {
  const first = err.validation?.[0];
  if (!first) return err.validationContext ?? 'request';
  const missing = (first.params as { missingProperty?: string } | undefined)?.missingProperty;
  const path = first.instancePath.replace(/^\//, '').split('/')[0];
  return missing ?? (path || err.validationContext || 'request');
}

/** Limits an error answer states (the raw image parser and multipart files take maxUploadBytes). */
export interface ErrorLimits {
  maxUploadBytes?: number;
}

const mib = (n: number) => `${(n / 1048576).toFixed(n % 1048576 === 0 ? 0 : 1)} MiB`;

/** Maps any thrown error to a VisageError; returns null for the unknown (INTERNAL). */
export function toVisageError(err: unknown, req: FastifyRequest, limits: ErrorLimits = {}): VisageError | null {
  if (isVisageError(err)) return err;
  const e = err as FastifyError;
  if (e.validation) {
    const param = validationParam(e);
    const msg = e.validation[0]?.message ?? 'is invalid';
    return new VisageError('BAD_PARAM', `${param} ${msg}`, { param });
  }
  const by = (code: ErrorCode, message?: string, details: ErrorDetails = {}) => new VisageError(code, message, details);
  // A 413 states its limit, so a client knows what to shrink to.
  const imageTooLarge = () => {
    const max = limits.maxUploadBytes;
    return max === undefined
      ? by('IMAGE_TOO_LARGE', 'An uploaded image exceeds the size limit', { param: 'image' })
      : by('IMAGE_TOO_LARGE', `The image exceeds the upload limit of ${max} bytes (${mib(max)})`, { param: 'image', maxBytes: max });
  };
  const bodyTooLarge = () => {
    const max = req.routeOptions?.bodyLimit;
    return max === undefined ? by('BODY_TOO_LARGE') : by('BODY_TOO_LARGE', `The request body exceeds the limit of ${max} bytes (${mib(max)})`, { maxBytes: max });
  };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return isRawImage(req) ? imageTooLarge() : bodyTooLarge();
    case 'FST_REQ_FILE_TOO_LARGE':
      return imageTooLarge();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return by('UNSUPPORTED_MEDIA_TYPE', `Content-Type ${req.headers['content-type'] ?? '(none)'} is not supported; send multipart/form-data, application/json or an image`);
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return by('UNSUPPORTED_MEDIA_TYPE', 'The request is not multipart');
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return by('MULTIPART_LIMIT');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return by('IMAGE_MISSING');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return by('BAD_REQUEST', 'The JSON body is not valid JSON');
  }
  // busboy throws plain Errors for a malformed multipart body (no boundary, cut part headers).
  if (err instanceof Error && /^(Multipart: |Unexpected end of (form|multipart)|Malformed part header)/.test(err.message)) {
    return by('BAD_REQUEST', 'The multipart body is malformed');
  }
  if (err instanceof SyntaxError && (e.statusCode ?? 0) === 400) return by('BAD_REQUEST', 'The JSON body is not valid JSON');
  const status = e.statusCode ?? 500;
  if (status === 413) return bodyTooLarge();
  if (status === 415) return by('UNSUPPORTED_MEDIA_TYPE');
  // Other client errors from Fastify or busboy (malformed multipart, bad headers): their text is not part of our contract.
  if (status >= 400 && status < 500) return by('BAD_REQUEST');
  return null;
}

/**
 * NOT_FOUND for a path no route has; METHOD_NOT_ALLOWED with `Allow` for a path that exists
 * under other methods. Also for a surface's own not-found handler, with its own error format.
 */
export function noRouteError(routes: RouteMethods, req: FastifyRequest, reply: FastifyReply): VisageError {
  const path = req.url.split('?')[0]!;
  const allow = routes.allowed(path);
  if (allow.length === 0 || allow.includes(req.method)) return new VisageError('NOT_FOUND', `No route ${req.method} ${path}`);
  reply.header('allow', allow.join(', '));
  return new VisageError('METHOD_NOT_ALLOWED', `${path} does not accept ${req.method}; it accepts ${allow.join(', ')}`, { allow });
}

/** Call on the root instance before any route is added (the route table is learnt as routes are). */
export function registerErrorHandling(app: FastifyInstance, limits: ErrorLimits = {}): void {
  const routes = collectRouteMethods(app);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const mapped = toVisageError(err, req, limits);
    if (!mapped) {
      req.log.error({ err }, 'unhandled error');
      const internal = new VisageError('INTERNAL');
      return reply.status(ERRORS.INTERNAL.status).send(errorBody(internal, req.id));
    }
    // 503s we raise on purpose (NOT_READY while models load, OVERLOADED under back-pressure) are
    // states, not faults: a warning without a stack, so a load balancer's probes do not flood the log.
    if (mapped.status === 503 && err instanceof VisageError) req.log.warn({ code: mapped.code }, 'service unavailable');
    else if (mapped.status >= 500) req.log.error({ err }, mapped.code);
    else req.log.info({ code: mapped.code, param: mapped.details.param }, 'request refused');
    return reply.status(mapped.status).send(errorBody(mapped, req.id));
  });

  app.setNotFoundHandler((req, reply) => {
    const e = noRouteError(routes, req, reply);
    return reply.status(e.status).send(errorBody(e, req.id));
  });
}
