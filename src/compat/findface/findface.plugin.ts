/**
 * FindFace Enterprise Server SDK (../shared/vendor-apis/findface.txt, FACTS.md "FindFace"):
 * `Authorization: Token <key>`, the methods under /v0 and /v1 (with or without a trailing
 * slash, a doubled slash before the version tolerated), errors as `{code, reason[, param,
 * value]}`. Keys, credits, rate limits, bans and the audit log are the native API's.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { VisageError, isVisageError } from '../../domain/error.registry.js';
import { tokenExtractor } from '../../http/shared/auth-extractors.js';
import { registerAuth } from '../../http/shared/auth.plugin.js';
import { noRouteError, toVisageError } from '../../http/shared/error.plugin.js';
import type { SurfaceDeps } from '../../http/shared/surface.js';
import { findfaceError } from './findface.errors.js';
import { findfaceOpenApi, findfaceDocsPage } from './findface-openapi.js';
import { MultipleFaces, registerFindfaceRoutes } from './findface.routes.js';

const isJsonSyntax = (err: unknown) => (err as { code?: string }).code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err instanceof SyntaxError && (err as { statusCode?: number }).statusCode === 400);

function send(reply: FastifyReply, e: VisageError, malformedJson = false) {
  const { status, body } = findfaceError(e, { malformedJson });
  if (e instanceof MultipleFaces) body.faces = e.boxes;
  return reply.status(status).send(body);
}

function errorHandler(maxUploadBytes: number) {
  return (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const mapped = toVisageError(err, req, { maxUploadBytes });
    if (!mapped) req.log.error({ err }, 'unhandled error');
    else if (mapped.status >= 500 && !isVisageError(err)) req.log.error({ err }, mapped.code);
    else req.log.info({ code: mapped.code, param: mapped.details.param }, 'request refused');
    return send(reply, err instanceof MultipleFaces ? err : (mapped ?? new VisageError('INTERNAL')), isJsonSyntax(err));
  };
}

export const findfaceDialect: FastifyPluginAsync<SurfaceDeps> = async (app: FastifyInstance, deps) => {
  app.setErrorHandler(errorHandler(deps.maxUploadBytes));
  if (app.prefix !== '') {
    app.setNotFoundHandler((req, reply) => send(reply, noRouteError(app.routeMethods, req, reply)));
  }
  app.addHook('onRequest', async () => {
    if (!deps.ready()) throw new VisageError('NOT_READY', 'The service is starting: the models are still loading');
  });
  // The guide's own capture posts galleries/<name> as JSON with an empty body: that is {}.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new SyntaxError('The request body is not valid JSON'), { statusCode: 400 }));
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  // The "embedded API framework": this dialect's own OpenAPI document and a page over it.
  for (const v of ['/v1', '/v0']) {
    app.get(`${v}/docs/openapi.json`, { schema: { hide: true } }, async () => findfaceOpenApi(app.prefix));
    for (const u of [`${v}/docs`, `${v}/docs/`, `${v}/docs/v1/overview.html`]) {
      app.get(u, { schema: { hide: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(findfaceDocsPage(`${app.prefix}${v}/docs/openapi.json`)));
    }
  }
  await app.register(async (api) => {
    if (deps.accounts) registerAuth(api, { ...deps.accounts, extractors: [tokenExtractor], policy: () => undefined });
    // The guide's clients sometimes join base URL and path with a doubled slash.
    for (const v of ['/v0', '/v1', '//v0', '//v1']) await api.register(async (scope) => registerFindfaceRoutes(scope, deps), { prefix: v });
  });
};
