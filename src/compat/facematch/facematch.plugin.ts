/**
 * The Face.Match.Expert dialect: `Authorization: LOGIN:PASSWORD` (a Visage login key), JSON with
 * base64 images, `{"error", "message"}` errors. Its routes live under `/v1` inside the dialect,
 * so the main port serves /facematch/v1/… and the dialect's own port (VISAGE_FACEMATCH_PORT)
 * the vendor's own /v1/… paths.
 */
import type { FastifyPluginAsync } from 'fastify';
import { VisageError } from '../../domain/error.registry.js';
import { loginPasswordExtractor } from '../../http/shared/auth-extractors.js';
import { registerAuth } from '../../http/shared/auth.plugin.js';
import type { SurfaceDeps } from '../../http/shared/surface.js';
import { facematchPolicy } from './facematch-auth.policy.js';
import { registerFacematchErrors } from './facematch-errors.js';
import { collectionRoutes } from './routes/collection.routes.js';
import { faceRoutes } from './routes/face.routes.js';

export const facematchApi: FastifyPluginAsync<SurfaceDeps> = async (app, deps) => {
  await app.register(
    async (v1) => {
      registerFacematchErrors(v1, deps.maxUploadBytes);
      v1.addHook('onRequest', async () => {
        if (!deps.ready()) throw new VisageError('NOT_READY');
      });
      if (deps.accounts) registerAuth(v1, { ...deps.accounts, extractors: [loginPasswordExtractor], policy: facematchPolicy });
      await v1.register(faceRoutes, { faces: deps.faceService, maxUploadBytes: deps.maxUploadBytes });
      if (deps.galleries) await v1.register(collectionRoutes, { galleries: deps.galleries, jobs: deps.jobs, maxUploadBytes: deps.maxUploadBytes });
    },
    { prefix: '/v1' },
  );
};
