/**
 * Which scope each native /v1 route needs, which cost credits, and which are audited. One table,
 * so the whole access policy of the API reads in one place. Keyed by `METHOD url` as Fastify
 * names the route (HEAD is looked up as GET).
 */
import type { FastifyRequest } from 'fastify';
import type { AuthPolicy } from '../shared/auth.plugin.js';

const bulkItems = (req: FastifyRequest): number => {
  const items = (req.body as { items?: unknown[] } | undefined)?.items;
  return Array.isArray(items) ? items.length : 1;
};

const G = '/v1/galleries/:gallery';

export const NATIVE_POLICY: Record<string, AuthPolicy> = {
  'POST /v1/detect': { scope: 'detect', op: 'detect' },
  'POST /v1/templates': { scope: 'detect', op: 'templates' },
  'POST /v1/verify': { scope: 'verify', op: 'verify' },
  'GET /v1/account': { scope: null },

  'POST /v1/galleries': { scope: 'galleries:write', audit: 'gallery.create' },
  'GET /v1/galleries': { scope: 'galleries:read' },
  [`GET ${G}`]: { scope: 'galleries:read' },
  [`PATCH ${G}`]: { scope: 'galleries:write', audit: 'gallery.update' },
  [`DELETE ${G}`]: { scope: 'galleries:write', audit: 'gallery.delete' },

  [`POST ${G}/faces`]: { scope: 'galleries:write', op: 'enrol', audit: 'face.enrol' },
  // One credit per submitted item.
  [`POST ${G}/faces/bulk`]: { scope: 'galleries:write', op: 'enrol', cost: bulkItems, perItem: true, audit: 'face.enrol_bulk' },
  [`GET ${G}/faces`]: { scope: 'galleries:read' },
  [`GET ${G}/faces/:id`]: { scope: 'galleries:read' },
  [`GET ${G}/faces/:id/thumbnail`]: { scope: 'galleries:read' },
  [`PATCH ${G}/faces/:id`]: { scope: 'galleries:write', audit: 'face.update' },
  [`DELETE ${G}/faces/:id`]: { scope: 'galleries:write', audit: 'face.delete' },
  [`POST ${G}/faces/delete`]: { scope: 'galleries:write', audit: 'face.delete_many' },

  [`POST ${G}/search`]: { scope: 'search', op: 'search', audit: 'search' },
  'POST /v1/search': { scope: 'search', op: 'search', audit: 'search' },

  // A key sees its own account's jobs only (the service is scoped to it).
  'GET /v1/jobs': { scope: null },
  'GET /v1/jobs/:id': { scope: null },
  'DELETE /v1/jobs/:id': { scope: null, audit: 'job.cancel' },

  // Reverse face search: one credit per started search.
  'POST /v1/search-indexes': { scope: 'galleries:write', audit: 'search_index.create' },
  'GET /v1/search-indexes': { scope: 'galleries:read' },
  'POST /v1/search-indexes/:index/photos': { scope: 'galleries:write', op: 'enrol', audit: 'search_index.add' },
  'POST /v1/search-indexes/opt-outs': { scope: 'galleries:write', audit: 'search_index.opt_out' },
  'POST /v1/face-searches': { scope: 'search' },
  'POST /v1/face-searches/:id/start': { scope: 'search', op: 'search', audit: 'face_search.start' },
  'GET /v1/face-searches/:id': { scope: 'search' },
  'POST /v1/face-searches/:id/cancel': { scope: 'search', audit: 'face_search.cancel' },
  'DELETE /v1/face-searches/:id': { scope: 'search', audit: 'face_search.delete' },
};

const C = '/v1/catalogue';
const read = { scope: 'galleries:read' } as const;
const write = (audit: string): AuthPolicy => ({ scope: 'galleries:write', audit });

/** The catalogue: its records read and written like galleries; a photo added is an enrolment. */
export const CATALOGUE_POLICY: Record<string, AuthPolicy> = {
  ...Object.fromEntries(
    (['agencies', 'models', 'reviews'] as const).flatMap((r) => [
      [`POST ${C}/${r}`, write(`catalogue.${r}.create`)],
      [`GET ${C}/${r}`, read],
      [`GET ${C}/${r}/:id`, read],
      [`PATCH ${C}/${r}/:id`, write(`catalogue.${r}.update`)],
      [`DELETE ${C}/${r}/:id`, write(`catalogue.${r}.delete`)],
    ]),
  ),
  [`POST ${C}/models/:id/photos`]: { scope: 'galleries:write', op: 'enrol', audit: 'catalogue.photo.add' },
  [`DELETE ${C}/models/:id/photos/:photo`]: write('catalogue.photo.delete'),
  // One credit per request of up to 5 photos: the body is read after credits are reserved.
  [`POST ${C}/score`]: { scope: 'detect', op: 'detect' },
  [`POST ${C}/similar`]: { scope: 'search', op: 'search', audit: 'catalogue.similar' },
};

export const nativePolicy = (method: string, url: string): AuthPolicy | undefined => NATIVE_POLICY[`${method} ${url}`] ?? CATALOGUE_POLICY[`${method} ${url}`];
