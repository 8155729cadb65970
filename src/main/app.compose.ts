/**
 * Builds the Fastify app from ready-made dependencies (no I/O here beyond Fastify's own), so
 * tests and the composition root build the same app with a fake or the real analyzer.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { defaultConfig } from '../config/config.loader.js';
import type { Config } from '../config/config.schema.js';
import { DIALECTS } from '../compat/dialects.js';
import type { CatalogueService } from '../core/index.js';
import type { FaceSearchService, FaceService, GalleryService, JobService } from '../core/index.js';
import { registerErrorHandling } from '../http/shared/error.plugin.js';
import { healthRoute } from '../http/shared/health.route.js';
import { registerImageInput } from '../http/shared/image-input.js';
import { Metrics, registerMetricsRoute } from '../http/shared/metrics.plugin.js';
import { registerOpenApi } from '../http/shared/openapi.plugin.js';
import { perimeterServerOptions, registerJsonLimits } from '../http/shared/perimeter.plugin.js';
import { registerRequestLog } from '../http/shared/request-log.plugin.js';
import { registerSecurityHeaders } from '../http/shared/security-headers.plugin.js';
import type { AccountDeps, Dialect, SurfaceDeps } from '../http/shared/surface.js';
import { nativeApi } from '../http/v1/v1.plugin.js';
import { registerConsole } from '../http/console/console.plugin.js';

export type { AccountDeps };

/** Perimeter, CORS and rate settings; missing ones take the defaults of config.loader. */
type PerimeterConfig = Pick<
  Config,
  'corsOrigins' | 'hsts' | 'requestTimeoutMs' | 'headersTimeoutMs' | 'maxHeaderBytes' | 'maxJsonDepth' | 'trustProxy' | 'rateLimitPerSecond' | 'rateLimitBurst' | 'metrics'
>;

export interface AppDeps {
  config: Pick<Config, 'maxUploadBytes' | 'logLevel'> & Partial<PerimeterConfig>;
  accounts?: AccountDeps;
  faceService: FaceService;
  /** Galleries, faces and 1:N search; their routes are mounted when given. */
  galleries?: GalleryService;
  /** Durable background jobs; /v1/jobs is mounted when given. */
  jobs?: JobService;
  /** The catalogue; /v1/catalogue and the catalogue dialects' routes are mounted when given. */
  catalogue?: CatalogueService;
  /** Reverse face search over search indexes; its /v1 routes are mounted when given. */
  faceSearch?: FaceSearchService;
  /** True once the models are loaded; /ready and the /v1 routes answer NOT_READY until then. */
  ready: () => boolean;
  /** Fastify logger option; false in tests. Defaults to pino at config.logLevel. */
  logger?: FastifyServerOptions['logger'];
  /** Where the default logger writes (stdout when absent); tests read the log lines from it. */
  logStream?: { write(line: string): void };
  /** The /metrics registry with the server's gauges; a bare one (HTTP counts only) when absent. */
  metrics?: Metrics;
  version?: string;
  /**
   * Builds the app of a dialect's own listener: that dialect alone at the root (its vendor's
   * fixed paths, such as /v1/... or /api/...), with the shared plugins and /health, and no native API.
   */
  dialectAtRoot?: Dialect;
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
      ...(deps.logStream ? { stream: deps.logStream } : {}),
    },
    // Fastify's two lines per request log the raw URL (a ?key= with it); request-log writes one, redacted.
    logController: new LogController({ disableRequestLogging: true }),
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

  registerErrorHandling(app, { maxUploadBytes });
  registerRequestLog(app);
  const metrics = cfg('metrics') === 'off' ? undefined : (deps.metrics ?? new Metrics());
  metrics?.observe(app);
  registerSecurityHeaders(app, { corsOrigins: cfg('corsOrigins'), hsts: cfg('hsts') });
  app.decorateRequest('principal', null);
  await registerOpenApi(app, { version: deps.version ?? '0.0.0' });
  await registerImageInput(app, { maxUploadBytes });
  registerJsonLimits(app, { maxJsonDepth: cfg('maxJsonDepth') });
  const accounts = deps.accounts;

  await app.register(healthRoute, { ready: deps.ready });
  if (metrics && !deps.dialectAtRoot) await registerMetricsRoute(app, { mode: cfg('metrics'), metrics, accounts });
  const surface: SurfaceDeps = {
    faceService: deps.faceService,
    galleries: deps.galleries,
    jobs: deps.jobs,
    catalogue: deps.catalogue,
    faceSearch: deps.faceSearch,
    accounts: deps.accounts,
    ready: deps.ready,
    maxUploadBytes,
    defaultRateLimit: { perSecond: cfg('rateLimitPerSecond'), burst: cfg('rateLimitBurst') },
  };
  if (deps.dialectAtRoot) {
    await app.register(deps.dialectAtRoot.plugin, surface);
    return app;
  }
  await app.register(nativeApi, { ...surface, prefix: '/v1' });
  // The web console at / (console/): a page over /v1 only, outside the OpenAPI document.
  await registerConsole(app);
  for (const dialect of DIALECTS) await app.register(dialect.plugin, { ...surface, prefix: dialect.prefix });
  return app;
}
