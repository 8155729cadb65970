/** OpenAPI 3 from the routes' TypeBox schemas: `/openapi.json` and a Swagger UI at `/docs`. */
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ErrorSchema } from './error.schema.js';

export async function registerOpenApi(app: FastifyInstance, info: { version: string }): Promise<void> {
  app.addSchema(ErrorSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Visage',
        description:
          'Self-hosted face analysis, recognition and search. Images are sent as multipart/form-data (field `image`), ' +
          'JSON (`{"image": "<base64>"}` or `{"url": "https://…"}`) or a raw image body. Errors are `{code, reason, request_id}`.',
        version: info.version,
      },
      tags: [
        { name: 'faces', description: 'Detection, attributes, templates and verification' },
        { name: 'health', description: 'Liveness and readiness' },
      ],
    },
    // Routes read multipart themselves (image-input), so its body is described here, for the docs only.
    transform: ({ schema, url }) => {
      const files = (schema as Record<string, unknown> | undefined)?.['x-multipart-files'] as string[] | undefined;
      if (!schema || !files) return { schema, url };
      const { ['x-multipart-files']: _omit, ...rest } = schema as Record<string, unknown>;
      const body = rest.body as { content?: Record<string, unknown> } | undefined;
      const properties = Object.fromEntries(files.map((f) => [f, { type: 'string', format: 'binary' }]));
      const multipartBody = { content: { ...body?.content, 'multipart/form-data': { schema: { type: 'object', properties, additionalProperties: true } } } };
      return { schema: { ...rest, body: multipartBody } as typeof schema, url };
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
