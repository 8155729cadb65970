/**
 * The dialect's access policy, keyed by the path below its prefix (with or without the trailing
 * slash): the catalogue lists read like galleries, scoring is an analysis (one credit per
 * request), similar search a search. FACEHUB_SCOPES are the scopes any endpoint here uses: a key
 * with none of them gets 3S290/B rather than 2S291/3.
 */
import type { Scope } from '../../domain/auth.model.js';
import type { AuthPolicy } from '../../http/shared/auth.plugin.js';

export const FACEHUB_SCOPES: readonly Scope[] = ['galleries:read', 'detect', 'search'];

export const GET_PATHS = ['/api/data/models', '/api/data/faces', '/api/data/agencies', '/api/data/reviews'] as const;
export const POST_PATHS = ['/api/data/tools/scoring', '/api/data/tools/similar'] as const;

const BASE: Record<string, AuthPolicy & { scope: Scope }> = {
  'GET /api/data/models': { scope: 'galleries:read' },
  'GET /api/data/faces': { scope: 'galleries:read' },
  'GET /api/data/agencies': { scope: 'galleries:read' },
  'GET /api/data/reviews': { scope: 'galleries:read' },
  'POST /api/data/tools/scoring': { scope: 'detect', op: 'detect' },
  'POST /api/data/tools/similar': { scope: 'search', op: 'search', audit: 'catalogue.similar' },
};

/** The route's policy; `scope` is checked by the dialect itself (to tell 3S290/B from 2S291/3). */
export function facehubPolicy(prefix: string) {
  return (method: string, url: string): (AuthPolicy & { scope: Scope }) | undefined => {
    if (!url.startsWith(prefix)) return undefined;
    const path = url.slice(prefix.length).replace(/\/$/, '');
    return BASE[`${method} ${path}`];
  };
}
