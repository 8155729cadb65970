/**
 * Security headers on every answer, and CORS when origins are configured. Answers are JSON for
 * programs, never pages: nothing may frame, sniff or cache them. The docs UI (/docs) needs its
 * scripts and styles, so it gets no Content-Security-Policy.
 */
import type { FastifyInstance } from 'fastify';

export interface SecurityHeadersOptions {
  /** `*`, or origins separated by commas; empty = CORS off. */
  corsOrigins: string;
  hsts: boolean;
}

const ALLOWED_HEADERS = 'authorization, content-type, x-api-key, x-request-id';
const EXPOSED_HEADERS = 'x-request-id, retry-after, ratelimit-limit, ratelimit-remaining, ratelimit-reset';

export function registerSecurityHeaders(app: FastifyInstance, o: SecurityHeadersOptions): void {
  const origins = o.corsOrigins
    .split(',')
    .map((s) => s.trim().replace(/\/$/, ''))
    .filter(Boolean);
  const any = origins.includes('*');
  const allowOrigin = (origin: string | undefined): string | null => {
    if (!origin || origins.length === 0) return null;
    if (any) return '*';
    return origins.includes(origin) ? origin : null;
  };

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-resource-policy', 'same-origin');
    if (!req.url.startsWith('/docs')) {
      reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
      reply.header('cache-control', 'no-store');
    }
    if (o.hsts) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');

    const origin = allowOrigin(req.headers.origin);
    if (origin) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-expose-headers', EXPOSED_HEADERS);
      if (origin !== '*') reply.header('vary', 'Origin');
    }
    // A preflight is answered here, before readiness and auth: it carries no key by design.
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      if (origin) {
        reply.header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE');
        reply.header('access-control-allow-headers', ALLOWED_HEADERS);
        reply.header('access-control-max-age', '600');
      }
      return reply.status(origin ? 204 : 403).send();
    }
  });
}
