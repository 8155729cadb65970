/**
 * FaceCheck.ID (../shared/vendor-apis/facecheck.openapi.json and FACTS.md): upload_pic → search
 * (polled with with_progress until `output` is set) → delete_pic, and info. The raw token or
 * `Bearer <token>` in Authorization. Every answer is a full BrowserJsonResponse (InfoResponse
 * for info); errors come at HTTP 200 with `error` and `code`. A search runs over the key's
 * account's default search index (a `X-Search-Index` header or `index` field names another).
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { FaceSearchService } from '../../core/index.js';
import { VisageError, isVisageError } from '../../domain/error.registry.js';
import { bearerExtractor, type CredentialExtractor } from '../../http/shared/auth-extractors.js';
import { callerAccount, registerAuth, type AuthPolicy } from '../../http/shared/auth.plugin.js';
import { noRouteError, toVisageError } from '../../http/shared/error.plugin.js';
import type { SurfaceDeps } from '../../http/shared/surface.js';
import { DEFAULT_ACCOUNT } from '../../core/index.js';
import { facecheckError } from './facecheck.errors.js';
import { empty, errorAnswer, searchAnswer, uploadAnswer } from './facecheck.mapper.js';

/** `Authorization: <token>` with no scheme word (what FaceCheck's own clients send). */
const rawTokenExtractor: CredentialExtractor = {
  name: 'raw-authorization',
  extract(req) {
    const h = req.headers.authorization;
    return typeof h === 'string' && /^\S+$/.test(h.trim()) ? { kind: 'token', secret: h.trim() } : null;
  },
};

/** status_only reads cost nothing; a search that had started already is refunded by the handler. */
const SEARCH: AuthPolicy = { scope: 'search', op: 'search', cost: (req) => ((req.body as { status_only?: unknown } | null)?.status_only === true ? 0 : 1), audit: 'face_search.start' };
const POLICY: Record<string, AuthPolicy> = {
  'POST /api/upload_pic': { scope: 'search' },
  'POST /api/search': SEARCH,
  'POST /api/delete_pic': { scope: 'search', audit: 'face_search.delete' },
  'POST /api/info': { scope: null },
};
const policy = (prefix: string) => (method: string, url: string) => (url.startsWith(prefix) ? POLICY[`${method} ${url.slice(prefix.length)}`] : undefined);

/** How long `with_progress: false` waits before answering with the progress so far. */
const WAIT_MS = 20_000;

function errorHandler(maxUploadBytes: number) {
  return (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const mapped = toVisageError(err, req, { maxUploadBytes });
    if (!mapped) req.log.error({ err }, 'unhandled error');
    else if (mapped.status >= 500 && !(mapped.status === 503 && isVisageError(err))) req.log.error({ err }, mapped.code);
    else req.log.info({ code: mapped.code }, 'request refused');
    req.creditsUsed = 0; // an error at 200 must not keep a reserved credit
    return reply.status(200).send(errorAnswer(facecheckError(mapped ?? new VisageError('INTERNAL'))));
  };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export const facecheckDialect: FastifyPluginAsync<SurfaceDeps> = async (app: FastifyInstance, deps) => {
  app.setErrorHandler(errorHandler(deps.maxUploadBytes));
  if (app.prefix !== '') app.setNotFoundHandler((req, reply) => reply.status(404).send(errorAnswer(facecheckError(noRouteError(app.routeMethods, req, reply)))));
  app.addHook('onRequest', async () => {
    if (!deps.ready()) throw new VisageError('NOT_READY');
  });
  app.addContentTypeParser(['text/json', 'application/*+json'], { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, body === '' ? {} : JSON.parse(body as string));
    } catch {
      done(new VisageError('BAD_REQUEST', 'The body is not valid JSON'), undefined);
    }
  });
  const search = (req: FastifyRequest): FaceSearchService => {
    if (!deps.faceSearch) throw new VisageError('NOT_READY', 'Face search is not configured');
    return deps.faceSearch.scoped(callerAccount(req) ?? DEFAULT_ACCOUNT);
  };
  const hide = { schema: { hide: true } };
  await app.register(async (api) => {
    if (deps.accounts) registerAuth(api, { ...deps.accounts, extractors: [bearerExtractor, rawTokenExtractor], policy: policy(app.prefix) });

    api.post('/api/upload_pic', hide, async (req) => {
      if (!req.isMultipart()) throw new VisageError('IMAGE_MISSING', 'Send multipart/form-data with one or more parts named images');
      const photos: Uint8Array[] = [];
      let id: string | undefined;
      for await (const part of req.parts()) {
        if (part.type === 'file') {
          const b = await part.toBuffer();
          if (b.length > 0) photos.push(new Uint8Array(b.buffer, b.byteOffset, b.length));
        } else if (part.fieldname === 'id_search') id = str(part.value);
      }
      return uploadAnswer(await search(req).upload(photos, id));
    });

    api.post('/api/search', hide, async (req) => {
      const b = (req.body ?? {}) as Record<string, unknown>;
      const id = str(b.id_search);
      if (!id) throw new VisageError('BAD_PARAM', 'id_search is required', { param: 'id_search' });
      const s = search(req);
      let view;
      if (b.status_only === true) {
        view = await s.get(id);
      } else {
        const index = str(req.headers['x-search-index']) ?? str(b.index);
        const started = await s.start(id, { demo: b.demo === true, index });
        if (!started.started) req.creditsUsed = 0; // a poll of a running search is free
        view = started.view;
      }
      if (b.with_progress !== true && view.state !== 'uploaded') view = await s.wait(id, WAIT_MS);
      return searchAnswer(view);
    });

    api.post('/api/delete_pic', hide, async (req) => {
      const q = (req.query ?? {}) as Record<string, unknown>;
      const b = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
      const id = str(q.id_search) ?? str(b.id_search);
      const pic = str(q.id_pic) ?? str(b.id_pic);
      if (!id) throw new VisageError('BAD_PARAM', 'id_search is required', { param: 'id_search' });
      const s = search(req);
      if (pic) {
        const v = await s.deletePhoto(id, pic);
        return { ...uploadAnswer(v), message: 'Image deleted.' };
      }
      await s.delete(id);
      return { ...empty(), id_search: id, message: 'Search deleted.' };
    });

    api.post('/api/info', hide, async (req) => {
      const account = callerAccount(req) ?? DEFAULT_ACCOUNT;
      const report = deps.accounts ? await deps.accounts.credits.report(account) : null;
      const remaining = report?.remaining ?? null;
      const faces = deps.faceSearch ? await deps.faceSearch.scoped(account).indexes.faceCount() : 0;
      const left = remaining === null ? 2_147_483_647 : Math.max(0, remaining);
      return { remaining_credits: left, has_credits_to_search: left > 0, is_online: deps.ready(), faces };
    });
  });
};
