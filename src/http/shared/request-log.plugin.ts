/**
 * One log line per answered request, for an operator to follow:
 *   {"level":30,"time":…,"reqId":"…","method":"POST","route":"/v1/galleries/:gallery/search",
 *    "url":"/v1/galleries/staff/search?limit=5","status":200,"ms":41.2,"msg":"request"}
 * plus `code` when the answer is an error. Never a body, header or key: Fastify's own two lines
 * per request (which log the raw URL) are switched off in app.compose, and query values that
 * can carry a key, a template, an image or a signed URL are replaced by `[redacted]`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Query parameters whose values never reach the log. */
const SECRET_PARAM = /^(key|app_key|api_key|apikey|access_token|token|password|secret|template(_[ab])?|image(_[ab])?|url(_[ab])?)$/i;

/** The URL with the values of SECRET_PARAM parameters replaced, and cut to a sane length. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url.slice(0, 300);
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // a malformed name is logged as sent
      }
      return eq >= 0 && SECRET_PARAM.test(decoded) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${query}`.slice(0, 300);
}

/** The registry code of an error answer (the error plugin's body), else undefined. */
export function errorCodeOf(reply: FastifyReply, payload: unknown): string | undefined {
  if (reply.statusCode < 400 || typeof payload !== 'string' || !payload.startsWith('{')) return undefined;
  try {
    const code = (JSON.parse(payload) as { code?: unknown }).code;
    return typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

const CODE = Symbol('errorCode');

export function registerRequestLog(app: FastifyInstance): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    const code = errorCodeOf(reply, payload);
    if (code) (reply as unknown as Record<symbol, string>)[CODE] = code;
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    const code = (reply as unknown as Record<symbol, string | undefined>)[CODE];
    req.log.info(
      {
        method: req.method,
        route: req.routeOptions.url ?? null,
        url: redactUrl(req.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ...(code ? { code } : {}),
      },
      'request',
    );
  });
}
