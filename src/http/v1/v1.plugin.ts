/**
 * The native API as one plugin, mounted at /v1: its credential extractors (Bearer, x-api-key),
 * its access policy table, and its routes. /v1/admin sits outside the readiness gate, so keys
 * and bans can be managed while the models load.
 */
import type { FastifyPluginAsync } from 'fastify';
import { VisageError } from '../../domain/error.registry.js';
import { apiKeyHeaderExtractor, bearerExtractor, type CredentialExtractor } from '../shared/auth-extractors.js';
import { registerAuth } from '../shared/auth.plugin.js';
import type { SurfaceDeps } from '../shared/surface.js';
import { nativePolicy } from './native-auth.policy.js';
import { accountRoute } from './routes/account.route.js';
import { adminRoute } from './routes/admin.route.js';
import { catalogueRoute } from './routes/catalogue.route.js';
import { detectRoute } from './routes/detect.route.js';
import { facesRoute } from './routes/faces.route.js';
import { galleriesRoute } from './routes/galleries.route.js';
import { jobsRoute } from './routes/jobs.route.js';
import { faceSearchRoute } from './routes/face-search.route.js';
import { searchRoute } from './routes/search.route.js';
import { templatesRoute } from './routes/templates.route.js';
import { verifyRoute } from './routes/verify.route.js';

/** How a native client sends its key. */
export const NATIVE_EXTRACTORS: readonly CredentialExtractor[] = [bearerExtractor, apiKeyHeaderExtractor];

export const nativeApi: FastifyPluginAsync<SurfaceDeps> = async (app, deps) => {
  const { accounts, maxUploadBytes } = deps;
  await app.register(async (v1) => {
    v1.addHook('onRequest', async () => {
      if (!deps.ready()) throw new VisageError('NOT_READY');
    });
    if (accounts) {
      registerAuth(v1, { ...accounts, extractors: NATIVE_EXTRACTORS, policy: nativePolicy });
      await v1.register(accountRoute, { credits: accounts.credits, defaultRateLimit: deps.defaultRateLimit });
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
    if (deps.jobs) await v1.register(jobsRoute, { jobs: deps.jobs });
    if (deps.catalogue) await v1.register(catalogueRoute, { catalogue: deps.catalogue, maxUploadBytes });
    if (deps.faceSearch) await v1.register(faceSearchRoute, { faceSearch: deps.faceSearch });
  });
  // Whenever keys are on: any key with the admin scope (the key printed at first start, or
  // VISAGE_ADMIN_KEY) manages the others; without the scope a key gets FORBIDDEN, not 404.
  if (accounts) {
    await app.register(
      async (admin) => {
        registerAuth(admin, { ...accounts, extractors: NATIVE_EXTRACTORS });
        await admin.register(adminRoute, accounts);
      },
      { prefix: '/admin' },
    );
  }
};
