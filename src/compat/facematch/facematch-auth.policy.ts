/**
 * Which scope each Face.Match.Expert route needs, which cost credits, and which are audited,
 * keyed by method and the route's path after its `/v1` (the same on the main port, under
 * /facematch/v1, and on the dialect's own port, at /v1).
 */
import type { FastifyRequest } from 'fastify';
import type { AuthPolicy } from '../../http/shared/auth.plugin.js';

/** One credit per image of an add (failed images of a batch enrolled at once are refunded). */
const addedImages = (req: FastifyRequest): number => (Array.isArray(req.body) ? Math.max(1, req.body.length) : 1);

const C = '/collection/:collectionId';

export const FACEMATCH_POLICY: Record<string, AuthPolicy> = {
  [`POST ${C}/add`]: { scope: 'galleries:write', op: 'enrol', cost: addedImages, audit: 'face.enrol_bulk' },
  [`GET ${C}/add/:jobId`]: { scope: 'galleries:read' },
  'GET /jobs/:jobId': { scope: 'galleries:read' },
  [`DELETE ${C}/delete`]: { scope: 'galleries:write', audit: 'face.delete' },
  'POST /detect': { scope: 'detect', op: 'templates' },
  [`POST ${C}/search/face-data`]: { scope: 'search', op: 'search', audit: 'search' },
  [`POST ${C}/search/image`]: { scope: 'search', op: 'search', audit: 'search' },
  'POST /compare/face-data': { scope: 'verify', op: 'verify' },
  'POST /compare/image': { scope: 'verify', op: 'verify' },
};

/** No route matched: any valid key is told NOT FOUND (a wrong key is still UNAUTHORIZED). */
const NO_ROUTE: AuthPolicy = { scope: null };

export const facematchPolicy = (method: string, url: string): AuthPolicy | undefined => {
  if (url === '') return NO_ROUTE;
  const at = url.indexOf('/v1/');
  return FACEMATCH_POLICY[`${method} ${at >= 0 ? url.slice(at + 3) : url}`];
};
