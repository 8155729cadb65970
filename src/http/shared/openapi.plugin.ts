/** OpenAPI 3 from the routes' TypeBox schemas: `/openapi.json` and a Swagger UI at `/docs`. */
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ErrorSchema } from './error.schema.js';

/** Raw image bodies a route taking the field `image` also accepts (image-input reads them as that field). */
const RAW_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/octet-stream'];
const binary = { type: 'string', format: 'binary' };

/** Routes anyone may call (no key): liveness, readiness, the document itself. */
const OPEN_ROUTES = new Set(['/health', '/ready']);

export async function registerOpenApi(app: FastifyInstance, info: { version: string }): Promise<void> {
  app.addSchema(ErrorSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Visage',
        description:
          'Self-hosted face analysis, recognition and search. Images are sent as multipart/form-data (field `image`), ' +
          'JSON (`{"image": "<base64>"}` or `{"url": "https://…"}`) or a raw image body. Errors are `{code, reason, request_id}`. ' +
          'With API keys on (the default), send a key as `Authorization: Bearer <key>` or `x-api-key: <key>` ("Authorize" above).',
        version: info.version,
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <key>' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'x-api-key: <key>' },
        },
      },
      // Either scheme will do; routes in OPEN_ROUTES say they need none.
      security: [{ bearer: [] }, { apiKey: [] }],
      tags: [
        { name: 'faces', description: 'Detection, attributes, templates and verification' },
        { name: 'galleries', description: 'Galleries and their enrolled faces' },
        { name: 'search', description: 'Identification: who is this face?' },
        { name: 'account', description: 'Your credits, usage and limits' },
        { name: 'admin', description: 'Keys, credits, IP bans and the audit log (admin key only)' },
        { name: 'health', description: 'Liveness and readiness' },
        { name: 'operations', description: 'Prometheus metrics' },
      ],
    },
    // Routes read multipart and raw image bodies themselves (image-input), so those bodies are
    // described here, for the docs only: Fastify must validate JSON bodies alone.
    transform: ({ schema, url }) => {
      if (!schema) return { schema, url };
      let out = schema as Record<string, unknown>;
      if (OPEN_ROUTES.has(url)) out = { ...out, security: [] };
      const files = out['x-multipart-files'] as string[] | undefined;
      if (!files) return { schema: out as typeof schema, url };
      const { ['x-multipart-files']: _omit, ...rest } = out;
      const body = rest.body as { content?: Record<string, unknown> } | undefined;
      const properties = Object.fromEntries(files.map((f) => [f, binary]));
      const raw = files.includes('image') ? Object.fromEntries(RAW_IMAGE_TYPES.map((t) => [t, { schema: binary }])) : {};
      const content = { ...body?.content, 'multipart/form-data': { schema: { type: 'object', properties, additionalProperties: true } }, ...raw };
      return { schema: { ...rest, body: { content } } as typeof schema, url };
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
