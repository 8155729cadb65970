/**
 * What every API surface (the native /v1 API, each vendor dialect) is handed by the composition
 * root: the core's services and the few settings a surface needs. A surface is one encapsulated
 * Fastify plugin over these, with its own auth extractors, shapes and error format.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { AbuseGuard, AuditService, AuthService, CreditsService, FaceSearchService, FaceService, GalleryService, JobService, KeysService, RateLimiter } from '../../core/index.js';
import type { CatalogueService } from '../../core/index.js';
import type { RateLimit } from '../../domain/auth.model.js';

/** Accounts, keys, credits and limits. Without them a surface is open and acts for the default account. */
export interface AccountDeps {
  auth: AuthService;
  keys: KeysService;
  credits: CreditsService;
  limiter: RateLimiter;
  guard: AbuseGuard;
  audit: AuditService;
}

export interface SurfaceDeps {
  faceService: FaceService;
  /** Galleries, faces and 1:N search; their routes are mounted when given. */
  galleries?: GalleryService;
  /** Durable background jobs (scope with `.scoped(account)`). */
  jobs?: JobService;
  /** The model-agency catalogue, photo scoring and look-alike search (scope with `.scoped(account)`). */
  catalogue?: CatalogueService;
  /** Reverse face search over the account's search indexes (scope with `.scoped(account)`). */
  faceSearch?: FaceSearchService;
  accounts?: AccountDeps;
  /** True once the models and indexes are loaded; until then routes answer NOT_READY. */
  ready: () => boolean;
  maxUploadBytes: number;
  /** The rate limit of keys that set none. */
  defaultRateLimit: RateLimit;
}

/**
 * A vendor dialect: served under `prefix` on the main port, and at the root of a listener of
 * its own when the config gives it a port (`portKey`, a config key holding a port, 0 = none),
 * so a client whose paths are fixed changes only host and port.
 */
export interface Dialect {
  name: string;
  prefix: string;
  /** The config key of its own listener's port (e.g. `findfacePort` from VISAGE_FINDFACE_PORT). */
  portKey?: string;
  plugin: FastifyPluginAsync<SurfaceDeps>;
}
