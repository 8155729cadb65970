/** GET /health (the process answers) and GET /ready (the models are loaded: 200, else 503 NOT_READY). */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { VisageError } from '../../domain/error.registry.js';

export const healthRoute: FastifyPluginAsyncTypebox<{ ready: () => boolean }> = async (app, { ready }) => {
  app.get(
    '/health',
    { schema: { tags: ['health'], summary: 'Liveness', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: 200 once the models are loaded, 503 NOT_READY before',
        response: { 200: Type.Object({ status: Type.Literal('ready') }), 503: Type.Ref('Error') },
      },
    },
    async () => {
      if (!ready()) throw new VisageError('NOT_READY');
      return { status: 'ready' as const };
    },
  );
};
