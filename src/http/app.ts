/**
 * Builds the Fastify app from ready-made dependencies (no I/O here beyond Fastify's own), so
 * tests and the composition root build the same app with a fake or the real analyzer.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { defaultConfig } from '../config/config.loader.js';
import type { Config } from '../config/config.schema.js';
import type { AbuseGuard } from '../core/abuse-guard.js';
import type { AuditService } from '../core/audit.service.js';
import type { AuthService } from '../core/auth.service.js';
import type { CreditsService } from '../core/credits.service.js';
import type { KeysService } from '../core/keys.service.js';
import type { RateLimiter } from '../core/rate-limiter.js';
import type { FaceService } from '../core/face.service.js';
import type { GalleryService } from '../core/gallery.service.js';
import { VisageError } from '../domain/error.registry.js';
import { NATIVE_EXTRACTORS } from './plugins/auth-extractors.js';
import { registerAuth } from './plugins/auth.plugin.js';
import { registerErrorHandling } from './plugins/error.plugin.js';
import { perimeterServerOptions, registerJsonLimits } from './plugins/perimeter.plugin.js';
import { registerSecurityHeaders } from './plugins/security-headers.plugin.js';
import { accountRoute } from './routes/account.route.js';
import { adminRoute } from './routes/admin.route.js';
import { nativePolicy } from './routes/native-auth.policy.js';
import { registerImageInput } from './plugins/image-input.js';
import { registerOpenApi } from './plugins/openapi.plugin.js';
import { detectRoute } from './routes/detect.route.js';
import { facesRoute } from './routes/faces.route.js';
import { galleriesRoute } from './routes/galleries.route.js';
import { healthRoute } from './routes/health.route.js';
import { searchRoute } from './routes/search.route.js';
import { templatesRoute } from './routes/templates.route.js';
import { verifyRoute } from './routes/verify.route.js';

/** Perimeter, CORS and rate settings; missing ones take the defaults of config.loader. */
type PerimeterConfig = Pick<
  Config,
  'corsOrigins' | 'hsts' | 'requestTimeoutMs' | 'headersTimeoutMs' | 'maxHeaderBytes' | 'maxJsonDepth' | 'trustProxy' | 'rateLimitPerSecond' | 'rateLimitBurst'
>;

/** Accounts, keys, credits and limits. Without them the API is open and acts for the default account. */
export interface AccountDeps {
  auth: AuthService;
  keys: KeysService;
  credits: CreditsService;
  limiter: RateLimiter;
  guard: AbuseGuard;
  audit: AuditService;
  /** Mounts /v1/admin; true only when an admin key is configured. */
  adminEnabled: boolean;
}

export interface AppDeps {
  config: Pick<Config, 'maxUploadBytes' | 'logLevel'> & Partial<PerimeterConfig>;
  accounts?: AccountDeps;
  faceService: FaceService;
  /** Galleries, faces and 1:N search; their routes are mounted when given. */
  galleries?: GalleryService;
  /** True once the models are loaded; /ready and the /v1 routes answer NOT_READY until then. */
  ready: () => boolean;
  /** Fastify logger option; false in tests. Defaults to pino at config.logLevel. */
  logger?: FastifyServerOptions['logger'];
  version?: string;
}

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { maxUploadBytes } = deps.config;
  const defaults = defaultConfig();
  const perimeter: Partial<PerimeterConfig> = deps.config;
  const cfg = <K extends keyof PerimeterConfig>(k: K): PerimeterConfig[K] => (perimeter[k] ?? defaults[k]) as PerimeterConfig[K];
  const app = Fastify({
    ...perimeterServerOptions({
      requestTimeoutMs: cfg('requestTimeoutMs'),
      headersTimeoutMs: cfg('headersTimeoutMs'),
      maxHeaderBytes: cfg('maxHeaderBytes'),
      maxJsonDepth: cfg('maxJsonDepth'),
    }),
    trustProxy: cfg('trustProxy'),
    logger: deps.logger ?? {
      level: deps.config.logLevel,
      // Images, templates and keys never reach the logs: bodies are not logged and these headers are hidden.
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
    },
    // Room for two base64 images (verify) plus the other fields.
    bodyLimit: Math.ceil((maxUploadBytes * 4) / 3) * 2 + 1024 * 1024,
    // A sane client id is kept so logs can be correlated across services.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    ajv: { customOptions: { coerceTypes: true, removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerErrorHandling(app);
  registerSecurityHeaders(app, { corsOrigins: cfg('corsOrigins'), hsts: cfg('hsts') });
  app.decorateRequest('principal', null);
  await registerOpenApi(app, { version: deps.version ?? '0.0.0' });
  await registerImageInput(app, { maxUploadBytes });
  registerJsonLimits(app, { maxJsonDepth: cfg('maxJsonDepth') });
  const accounts = deps.accounts;
  const defaultRateLimit = { perSecond: cfg('rateLimitPerSecond'), burst: cfg('rateLimitBurst') };

  await app.register(healthRoute, { ready: deps.ready });
  await app.register(
    async (v1) => {
      v1.addHook('onRequest', async () => {
        if (!deps.ready()) throw new VisageError('NOT_READY');
      });
      if (accounts) {
        registerAuth(v1, { ...accounts, extractors: NATIVE_EXTRACTORS, policy: nativePolicy });
        await v1.register(accountRoute, { credits: accounts.credits, defaultRateLimit });
      }
      const opts = { service: deps.faceService, maxUploadBytes };
      await v1.register(detectRoute, opts);
      await v1.register(templatesRoute, opts);
      await v1.register(verifyRoute, opts);
      if (deps.galleries) {
        const g = { galleries: deps.galleries, maxUploadBytes };
        await v1.register(galleriesRoute, g);
        await v1.register(facesRoute, g);
        await v1.register(searchRoute, g);
      }
    },
    { prefix: '/v1' },
  );
  if (accounts?.adminEnabled) {
    // Outside the readiness gate: keys and bans can be managed while the models load.
    await app.register(
      async (admin) => {
        registerAuth(admin, { ...accounts, extractors: NATIVE_EXTRACTORS });
        await admin.register(adminRoute, accounts);
      },
      { prefix: '/v1/admin' },
    );
  }
  return app;
}
