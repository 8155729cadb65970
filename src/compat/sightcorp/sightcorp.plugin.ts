/**
 * Sightcorp F.A.C.E. (../shared/vendor-apis/sightcorp-face.txt): one analysis endpoint,
 * `POST /api/detect/` (with or without the slash), keyed by an `app_key` form or query field,
 * taking a multipart `img` or a `url`. Every API error is an HTTP 200 with the document's
 * `error_code`; the shared keys, credits (one per successful analysis), rate limits and bans apply.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { FetchLimits, ImageInput } from '../../core/index.js';
import { VisageError, isVisageError } from '../../domain/error.registry.js';
import type { AttributeName } from '../../domain/face.model.js';
import { fieldExtractor } from '../../http/shared/auth-extractors.js';
import { registerAuth } from '../../http/shared/auth.plugin.js';
import { noRouteError, toVisageError } from '../../http/shared/error.plugin.js';
import { pickImage, readRequestInput } from '../../http/shared/image-input.js';
import type { SurfaceDeps } from '../../http/shared/surface.js';
import { sightcorpPolicy } from './sightcorp-auth.policy.js';
import { sightcorpError } from './sightcorp.errors.js';
import { mapDetectResponse } from './sightcorp.mapper.js';
import { SightcorpResponse } from './sightcorp.schemas.js';

const DETECT_PATHS = ['/api/detect/', '/api/detect'];

/** What the document promises of a remote image: an image/* type, downloaded within 5 s. */
export const SIGHTCORP_URL_LIMITS: FetchLimits = { timeoutMs: 5000, requireImageType: true };

/** What every answer carries (mood is read from the emotion estimate; pose always comes). */
const ATTRIBUTES: AttributeName[] = ['age', 'gender', 'emotion', 'clothing_colors'];

/** Errors about the bytes a URL served: the remote image's fault, so 1300 rather than 1200. */
const ABOUT_THE_BYTES = new Set(['IMAGE_DECODE_FAILED', 'UNSUPPORTED_MEDIA_TYPE', 'IMAGE_TOO_LARGE', 'IMAGE_TOO_SMALL']);

function errorHandler(maxUploadBytes: number) {
  return (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const mapped = toVisageError(err, req, { maxUploadBytes });
    if (!mapped) req.log.error({ err }, 'unhandled error');
    else if (mapped.status === 503 && isVisageError(err)) req.log.warn({ code: mapped.code }, 'service unavailable');
    else if (mapped.status >= 500) req.log.error({ err }, mapped.code);
    else req.log.info({ code: mapped.code, param: mapped.details.param }, 'request refused');
    // The answer is a 200, which would keep a reserved credit: only a successful analysis pays.
    req.creditsUsed = 0;
    return reply.status(200).send(sightcorpError(mapped ?? new VisageError('INTERNAL')));
  };
}

async function detect(req: FastifyRequest, deps: SurfaceDeps) {
  const input = await readRequestInput(req);
  // A browser form with a file input left empty sends a 0-byte `img`: that is no image, not a bad one.
  if (input.files.get('img')?.length === 0) input.files.delete('img');
  const picked = pickImage(input, { image: 'img', url: 'url' }, deps.maxUploadBytes);
  if (!picked) throw new VisageError('IMAGE_MISSING', 'No image: send the multipart file field img, or url', { param: 'img' });
  const image: ImageInput = 'url' in picked ? { url: picked.url, limits: SIGHTCORP_URL_LIMITS } : picked;
  try {
    return mapDetectResponse(await deps.faceService.detect(image, { attributes: ATTRIBUTES }));
  } catch (e) {
    if ('url' in image && isVisageError(e) && ABOUT_THE_BYTES.has(e.code)) {
      throw new VisageError(e.code, e.message, { ...e.details, param: 'url' }, { cause: e });
    }
    throw e;
  }
}

export const sightcorpDialect: FastifyPluginAsync<SurfaceDeps> = async (app: FastifyInstance, deps) => {
  app.setErrorHandler(errorHandler(deps.maxUploadBytes));
  // At the root of its own port the root's handler stays (Fastify allows one per prefix).
  if (app.prefix !== '') {
    app.setNotFoundHandler((req, reply) => reply.status(404).send(sightcorpError(noRouteError(app.routeMethods, req, reply))));
  }
  app.addHook('onRequest', async () => {
    if (!deps.ready()) throw new VisageError('NOT_READY');
  });
  // HTML forms post urlencoded fields (app_key, url); the parser is this dialect's alone.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  // "Not a POST" is a request error (1200), answered before any key is looked at.
  for (const url of DETECT_PATHS) {
    app.route({
      method: ['GET', 'PUT', 'PATCH', 'DELETE'],
      url,
      schema: { hide: true },
      handler: async (req) => {
        throw new VisageError('METHOD_NOT_ALLOWED', `${req.method} is not accepted: send a POST request`);
      },
    });
  }
  await app.register(async (api) => {
    if (deps.accounts) registerAuth(api, { ...deps.accounts, extractors: [fieldExtractor('app_key')], policy: sightcorpPolicy(app.prefix) });
    for (const url of DETECT_PATHS) {
      api.post(url, { schema: { hide: true, response: { 200: SightcorpResponse } } }, async (req) => detect(req, deps));
    }
  });
};
