/**
 * Which methods each route path accepts, learnt from Fastify's onRoute hook, so a request for a
 * known path with a wrong method is told METHOD_NOT_ALLOWED with `Allow` (RFC 9110 §15.5.6)
 * rather than NOT_FOUND. Fastify's router only answers "no route": it cannot say the path exists.
 * Each surface can ask the same table (`app.routeMethods`) from its own not-found handler.
 */
import type { FastifyInstance } from 'fastify';

interface PathMethods {
  /** The route path as a pattern: `:param` is one segment, `*` the rest. */
  pattern: RegExp;
  methods: Set<string>;
}

export class RouteMethods {
  private readonly byUrl = new Map<string, PathMethods>();

  add(url: string, methods: string | string[]): void {
    let entry = this.byUrl.get(url);
    if (!entry) this.byUrl.set(url, (entry = { pattern: toPattern(url), methods: new Set() }));
    for (const m of Array.isArray(methods) ? methods : [methods]) entry.methods.add(m.toUpperCase());
    // Fastify answers HEAD for every GET route (exposeHeadRoutes).
    if (entry.methods.has('GET')) entry.methods.add('HEAD');
  }

  /** Every method some route accepts at this path (sorted); empty when no route has the path. */
  allowed(path: string): string[] {
    const out = new Set<string>();
    for (const { pattern, methods } of this.byUrl.values()) {
      if (pattern.test(path)) for (const m of methods) out.add(m);
    }
    return [...out].sort();
  }
}

function toPattern(url: string): RegExp {
  const escaped = url
    .split('/')
    .map((seg) => {
      if (seg === '*') return '.*';
      // `:id` (also `:id(regex)` and `file.:ext` forms: any one segment is close enough to say "exists").
      if (seg.includes(':')) return '[^/]+';
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  // Fastify's router ignores one trailing slash only when told to; paths are compared as given.
  return new RegExp(`^${escaped}$`);
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Methods per route path (route-methods.ts); every plugin instance sees the root's table. */
    routeMethods: RouteMethods;
  }
}

/** Starts collecting the app's routes; call on the root instance before any route is added. */
export function collectRouteMethods(app: FastifyInstance): RouteMethods {
  const table = new RouteMethods();
  app.decorate('routeMethods', table);
  app.addHook('onRoute', (route) => table.add(route.url, route.method));
  return table;
}
