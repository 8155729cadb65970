/**
 * FaceHub (../shared/vendor-apis/facehub.txt, FACTS.md): the model-agency catalogue read through
 * GET /api/data/models (and its newer name /api/data/faces), /agencies and /reviews, and POST
 * /api/data/tools/scoring and /tools/similar with multipart `images[]`. The key comes as the
 * `key` query parameter or form field, or as `Authorization: Bearer <key>` (the only way for a key
 * created with header_only). The document's conventions: trailing slashes ignored, paths and
 * names case-sensitive, unknown parameters ignored, numbers within signed 32 bits (a filter
 * may be negative: it then matches nothing). Parameter by parameter: docs/compat/facehub.md.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { CatalogueService } from '../../core/index.js';
import type { AgencyFilter, ModelFilter, ReviewFilter } from '../../domain/catalogue.model.js';
import { INT32_MIN, MAX_PER_PAGE, gender, int32, pageQuery, reviewAuthor, reviewType, text } from '../../domain/catalogue.rules.js';
import { MAX_SEARCH_LIMIT } from '../../domain/gallery.rules.js';
import { hasScope } from '../../domain/auth.model.js';
import { VisageError, badParam } from '../../domain/error.registry.js';
import { bearerExtractor, fieldExtractor } from '../../http/shared/auth-extractors.js';
import { registerAuth } from '../../http/shared/auth.plugin.js';
import { toVisageError } from '../../http/shared/error.plugin.js';
import { readRequestInput } from '../../http/shared/image-input.js';
import type { SurfaceDeps } from '../../http/shared/surface.js';
import { FACEHUB_SCOPES, GET_PATHS, POST_PATHS, facehubPolicy } from './facehub-auth.policy.js';
import { FACEHUB_CODES, FacehubRouteError, facehubError } from './facehub.errors.js';
import { hubAgency, hubModel, hubPage, hubReview, hubScoring, hubSimilar } from './facehub.mapper.js';

type Q = Record<string, unknown>;
const both = (path: string) => [path, `${path}/`];
/** An empty value (`height=`) is no filter, as a form left blank. */
const opt = <T>(v: unknown, parse: (v: unknown) => T): T | undefined => (v === undefined || v === '' ? undefined : parse(v));
/** Any signed 32-bit whole number: the document's bounds ("Our JSON number type is bounded to a signed 32-bit integer"). */
const num = (q: Q, k: string) => opt(q[k], (v) => int32(v, k, INT32_MIN));
/** Values are words the document writes in lower case (asc, agent, positive); `Agent` or `DESC` mean the same. */
const word = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : v);
/**
 * `page` from 1, `perPage` from 1 (default 25): the document gives no maximum, so a larger
 * perPage is served at the catalogue's largest page, 100, and the answer's `perPage` says so,
 * letting a client page through everything; `sortDir` asc or desc (by id).
 */
function paging(q: Q) {
  const perPage = opt(q.perPage, (v) => Math.min(MAX_PER_PAGE, int32(v, 'perPage', 1)));
  return pageQuery({ page: q.page, perPage, sortDir: word(q.sortDir) }, { page: 'page', perPage: 'perPage', sortDir: 'sortDir' });
}
const caller = (all: CatalogueService, req: FastifyRequest) => (req.principal ? all.scoped(req.principal.account) : all);

/** One of the document's codes for an int parameter, e.g. gender 0 (female) or 1 (male). */
function code<T extends number>(q: Q, k: string, allowed: readonly T[], meaning: string): T | undefined {
  const n = num(q, k);
  if (n !== undefined && !allowed.includes(n as T)) throw badParam(k, `${k} must be ${meaning}`);
  return n as T | undefined;
}

function modelFilter(q: Q): ModelFilter {
  return {
    agencyId: num(q, 'agency_id'),
    gender: opt(code(q, 'gender', [0, 1], '0 (female) or 1 (male)'), gender),
    height: num(q, 'height'),
    bust: num(q, 'bust'),
    waist: num(q, 'waist'),
    hips: num(q, 'hips'),
    shoes: num(q, 'shoes'),
    eyes: opt(q.eyes, (v) => text(v, 'eyes')),
    hair: opt(q.hair, (v) => text(v, 'hair')),
  };
}

function agencyFilter(q: Q): AgencyFilter {
  const type = code(q, 'type', [0, 1], '1 (mother agencies only) or 0 (all)');
  const genders = code(q, 'genders', [0, 1], '0 (only female) or 1 (only male)');
  return {
    title: opt(q.title, (v) => text(v, 'title')),
    mother: type === 1 ? true : undefined,
    onlyGender: genders === undefined ? undefined : genders === 1 ? 'male' : 'female',
    language: opt(q.language, (v) => text(v, 'language', 40)),
    maleCount: num(q, 'male_count'),
    femaleCount: num(q, 'female_count'),
  };
}

/** `agency_id` is typed "string, title of agency" in the document: a number is an id, other text a title. */
async function reviewFilter(q: Q, catalogue: CatalogueService): Promise<ReviewFilter> {
  let agencyId: number | undefined;
  if (Array.isArray(q.agency_id)) throw badParam('agency_id', 'agency_id must be one agency id or title');
  if (typeof q.agency_id === 'string' && q.agency_id !== '') {
    if (/^\s*-?[0-9]+\s*$/.test(q.agency_id)) agencyId = int32(q.agency_id, 'agency_id', INT32_MIN);
    else {
      const hit = await catalogue.listAgencies({ title: text(q.agency_id, 'agency_id') }, { page: 1, perPage: 1, sortDir: 'asc' });
      agencyId = hit.items[0]?.id ?? -1; // no such agency: no reviews
    }
  }
  return { agencyId, author: opt(q.author, (v) => reviewAuthor(word(v))), type: opt(q.type, (v) => reviewType(word(v))) };
}

/** Why a path below the prefix names no endpoint, in the document's terms. */
function unknownEndpoint(path: string): FacehubRouteError {
  const clean = path.split('?')[0]!.replace(/\/+$/, '');
  const levels = clean.split('/').filter((s) => s !== '');
  const first = levels[0] === 'api' ? levels[1] : levels[0];
  if (first !== undefined && !/^[A-Za-z0-9]+$/.test(first)) {
    return new FacehubRouteError(FACEHUB_CODES.BAD_FIRST_LEVEL, 404, 'The endpoint does not exist (the first level contains an invalid character, only alphanumerics are acceptable)');
  }
  const known = [...GET_PATHS, ...POST_PATHS];
  if (known.some((k) => clean.startsWith(`${k}/`))) return new FacehubRouteError(FACEHUB_CODES.TOO_MANY_LEVELS, 404, 'The endpoint does not exist (the URL contains too many levels)');
  return new FacehubRouteError(FACEHUB_CODES.UNKNOWN_ENDPOINT, 404, `The endpoint ${clean || '/'} does not exist`);
}

function errorHandler(maxUploadBytes: number) {
  return (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof FacehubRouteError) return reply.status(err.status).send({ errorCode: err.code, errorMessage: err.message });
    const mapped = toVisageError(err, req, { maxUploadBytes });
    if (!mapped) req.log.error({ err }, 'unhandled error');
    else if (mapped.status >= 500 && mapped.status !== 503) req.log.error({ err }, mapped.code);
    else req.log.info({ code: mapped.code, param: mapped.details.param }, 'request refused');
    const out = facehubError(mapped ?? new VisageError('INTERNAL'), req);
    return reply.status(out.status).send(out.body);
  };
}

export const facehubDialect: FastifyPluginAsync<SurfaceDeps> = async (app: FastifyInstance, deps) => {
  app.setErrorHandler(errorHandler(deps.maxUploadBytes));
  app.addHook('onRequest', async () => {
    if (!deps.ready()) throw new VisageError('NOT_READY');
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  // Anything else below the prefix (or at the root of its own port): the document's routing codes.
  app.all('/*', { schema: { hide: true } }, async (req) => {
    throw unknownEndpoint(req.url.slice(app.prefix.length));
  });
  for (const path of GET_PATHS.flatMap(both)) {
    app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url: path, schema: { hide: true }, handler: async () => { throw new FacehubRouteError(FACEHUB_CODES.WRONG_METHOD, 405, 'The endpoint exists, but takes GET'); } });
  }
  for (const path of POST_PATHS.flatMap(both)) {
    app.route({ method: ['GET', 'PUT', 'PATCH', 'DELETE'], url: path, schema: { hide: true }, handler: async () => { throw new FacehubRouteError(FACEHUB_CODES.WRONG_METHOD, 405, 'The endpoint exists, but takes POST'); } });
  }
  const catalogue = deps.catalogue;
  if (!catalogue) return;

  await app.register(async (api) => {
    const policy = facehubPolicy(app.prefix);
    // Runs before the auth's credit reservation (hooks run in the order they were added).
    api.addHook('preHandler', async (req) => {
      const lang = req.headers['x-ips-language'];
      if (lang !== undefined && !(typeof lang === 'string' && /^[1-9][0-9]{0,8}$/.test(lang.trim()))) {
        throw new FacehubRouteError(FACEHUB_CODES.BAD_LANGUAGE, 400, 'The X-IPS-Language header must be a language ID (a positive whole number)');
      }
      const p = req.principal;
      const need = policy(req.method === 'HEAD' ? 'GET' : req.method, req.routeOptions.url ?? '');
      if (!p || !need) return;
      if (!FACEHUB_SCOPES.some((s) => hasScope(p, s))) throw new VisageError('FORBIDDEN', undefined, { noScopes: true });
      if (!hasScope(p, need.scope)) throw new VisageError('FORBIDDEN', `This API key lacks the ${need.scope} scope`, { scope: need.scope });
    });
    if (deps.accounts) {
      registerAuth(api, {
        ...deps.accounts,
        extractors: [bearerExtractor, fieldExtractor('key')],
        // Scopes are checked above; the auth plugin reserves credits and audits.
        policy: (m, u) => {
          const p = policy(m, u);
          return p ? { ...p, scope: null } : undefined;
        },
      });
    }
    const hide = { schema: { hide: true } };
    for (const path of [...both('/api/data/models'), ...both('/api/data/faces')]) {
      api.get(path, hide, async (req) => hubPage(await caller(catalogue, req).listModels(modelFilter(req.query as Q), paging(req.query as Q)), hubModel));
    }
    for (const path of both('/api/data/agencies')) {
      api.get(path, hide, async (req) => hubPage(await caller(catalogue, req).listAgencies(agencyFilter(req.query as Q), paging(req.query as Q)), hubAgency));
    }
    for (const path of both('/api/data/reviews')) {
      api.get(path, hide, async (req) => {
        const c = caller(catalogue, req);
        return hubPage(await c.listReviews(await reviewFilter(req.query as Q, c), paging(req.query as Q)), hubReview);
      });
    }
    const images = async (req: FastifyRequest) => {
      const input = await readRequestInput(req);
      const files = [...(input.fileLists?.get('images[]') ?? []), ...(input.fileLists?.get('images') ?? [])].filter((f) => f.length > 0);
      if (files.length === 0) throw new VisageError('IMAGE_MISSING', 'Send the photos as multipart files named images[]', { param: 'images[]' });
      return files.map((bytes) => ({ bytes }));
    };
    for (const path of both('/api/data/tools/scoring')) {
      api.post(path, hide, async (req) => hubScoring(await caller(catalogue, req).scorePhotos(await images(req))));
    }
    for (const path of both('/api/data/tools/similar')) {
      api.post(path, hide, async (req) => {
        const files = await images(req);
        if (files.length > 1) throw badParam('images[]', 'Similar search takes 1 image');
        const q = { ...(req.query as Q), ...(await readRequestInput(req)).fields };
        // Not in the document (it answers "the most similar"): perPage models, 10 by default, 1000 at most.
        const limit = opt(q.perPage, (v) => Math.min(MAX_SEARCH_LIMIT, int32(v, 'perPage', 1))) ?? 10;
        return hubSimilar(await caller(catalogue, req).lookAlikes(files[0]!, limit));
      });
    }
  });
};
