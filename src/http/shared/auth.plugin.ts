/**
 * Authentication, scopes, rate limits, credits and the audit trail for one Fastify scope. A
 * factory over the extractor list, so each dialect mounts the same rules with its own way of
 * sending a key. Per request, in order:
 *   1. the credential and its key, and the IP's block/ban (AuthService; a valid admin token passes
 *      a block) → UNAUTHORIZED / IP_* / KEY_EXPIRED
 *   2. the route's scope → FORBIDDEN
 *   3. the key's token bucket → RATE_LIMITED with Retry-After; RateLimit-Policy and RateLimit
 *      (draft-ietf-httpapi-ratelimit-headers) on every answer that got this far
 *   4. credits for paid operations, reserved before the work and refunded unless it succeeds
 *      (in part when the handler sets `req.creditsUsed`: a bulk enrolment pays for its good items)
 *   5. an audit entry for audited actions, once the answer is sent.
 * A route's policy comes from its `config.auth`, else from the dialect's policy table; a route
 * with neither needs the admin scope, so a new route is closed until someone opens it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditService, AuthService, CreditsService, RateLimiter } from '../../core/index.js';
import type { Principal, Scope } from '../../domain/auth.model.js';
import type { CreditOperation } from '../../domain/credit-period.rules.js';
import { VisageError } from '../../domain/error.registry.js';
import { extractCredential, type CredentialExtractor } from './auth-extractors.js';
import { readRequestInput } from './image-input.js';
import { setRateLimitHeaders } from './rate-limit.headers.js';

export interface AuthPolicy {
  /** Scope the key needs; null = any valid key. */
  scope: Scope | null;
  /** Paid operation: credits are reserved for it. */
  op?: CreditOperation;
  /** Credits the request costs (default 1), e.g. the item count of a bulk enrolment. */
  cost?: (req: FastifyRequest) => number;
  /**
   * Paid per item: when fewer credits are left than the cost, reserve what is left (at least
   * one) and tell the handler through `req.creditsGranted`, so it does the items they cover.
   */
  perItem?: boolean;
  /** Audit action name; the entry is written once the answer is sent. */
  audit?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller; null on routes outside an authenticated scope. */
    principal: Principal | null;
    /** Set by a handler whose success costs less than was reserved (a bulk enrolment: the items that succeeded). */
    creditsUsed: number | null;
    /** Credits reserved for a per-item request (its policy's `perItem`); null elsewhere. */
    creditsGranted: number | null;
  }
  interface FastifyContextConfig {
    auth?: AuthPolicy;
  }
}

export interface AuthPluginOptions {
  auth: AuthService;
  limiter: RateLimiter;
  credits: CreditsService;
  audit: AuditService;
  extractors: readonly CredentialExtractor[];
  /** The dialect's policy table, by method and route URL (`/v1/galleries/:gallery`). */
  policy?: (method: string, url: string) => AuthPolicy | undefined;
}

const ADMIN_ONLY: AuthPolicy = { scope: 'admin' };

/** The account's view of the galleries: the caller's own, or the default one without auth. */
export function callerAccount(req: FastifyRequest): string | undefined {
  return req.principal?.account;
}

function auditTarget(req: FastifyRequest): string | null {
  const params = (req.params ?? {}) as Record<string, unknown>;
  const parts = [params.gallery, params.id, params.ip].filter((p) => typeof p === 'string') as string[];
  if (parts.length > 0) return parts.join('/').slice(0, 300);
  // POST /search names its galleries in the body or the query.
  for (const src of [req.body, req.query]) {
    const g = src && typeof src === 'object' && !Buffer.isBuffer(src) ? (src as Record<string, unknown>).galleries : undefined;
    if (typeof g === 'string') return g.slice(0, 300);
    if (Array.isArray(g)) return g.filter((x) => typeof x === 'string').join(',').slice(0, 300);
  }
  return null;
}

export function registerAuth(scope: FastifyInstance, o: AuthPluginOptions): void {
  const deferToBody = o.extractors.some((e) => e.needsBody);
  if (!scope.hasRequestDecorator('creditsUsed')) scope.decorateRequest('creditsUsed', null);
  if (!scope.hasRequestDecorator('creditsGranted')) scope.decorateRequest('creditsGranted', null);

  const policyOf = (req: FastifyRequest): AuthPolicy => {
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    return req.routeOptions.config.auth ?? o.policy?.(method, req.routeOptions.url ?? '') ?? ADMIN_ONLY;
  };

  const authenticate = async (req: FastifyRequest, reply: FastifyReply, withBody: boolean) => {
    let credential = extractCredential(req, o.extractors, withBody);
    let principal: Principal;
    try {
      if (!credential && deferToBody && !withBody) {
        await o.auth.checkAddress(req.ip); // a blocked address is refused before its body is read
        return; // the key may be a body field: look again after parsing
      }
      if (!credential && withBody && req.isMultipart()) {
        await readRequestInput(req); // multipart text fields come from the stream, read once for the handler too
        credential = extractCredential(req, o.extractors, true);
      }
      principal = await o.auth.authenticate(credential, req.ip);
    } catch (e) {
      const retryAfter = (e as VisageError).details?.retryAfter;
      if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
      if ((e as VisageError).code === 'UNAUTHORIZED') reply.header('www-authenticate', 'Bearer realm="visage"');
      throw e;
    }
    const policy = policyOf(req);
    if (policy.scope) o.auth.requireScope(principal, policy.scope);
    const d = await o.limiter.take(principal.keyId, principal.rateLimit);
    setRateLimitHeaders(reply, d);
    if (!d.allowed) {
      const retryAfter = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
      reply.header('retry-after', String(retryAfter));
      throw new VisageError('RATE_LIMITED', undefined, { retryAfter, limit: d.limit.burst });
    }
    req.principal = principal;
  };

  scope.addHook('onRequest', async (req, reply) => authenticate(req, reply, false));
  if (deferToBody) {
    scope.addHook('preValidation', async (req, reply) => {
      if (!req.principal) await authenticate(req, reply, true);
    });
  }

  // Credits are reserved once the body is parsed and valid (a request refused by validation costs nothing).
  scope.addHook('preHandler', async (req, reply) => {
    const policy = policyOf(req);
    if (!policy.op || !req.principal) return;
    const cost = policy.cost?.(req) ?? 1;
    if (cost <= 0) return;
    const reservation = policy.perItem
      ? await o.credits.reserveUpTo(req.principal.account, policy.op, cost)
      : await o.credits.reserve(req.principal.account, policy.op, cost);
    req.creditsGranted = policy.perItem ? reservation.granted : null;
    // 'close' comes after a finished answer and after an aborted one alike; only a sent 2xx/3xx keeps the credits.
    reply.raw.once('close', () => {
      const success = reply.raw.writableFinished && reply.statusCode < 400;
      reservation.settle(success ? (req.creditsUsed ?? reservation.granted) : 0).catch((err) => req.log.error({ err }, 'credit refund failed'));
    });
  });

  scope.addHook('onResponse', async (req, reply) => {
    const policy = req.principal ? policyOf(req) : undefined;
    if (!policy?.audit || !req.principal) return;
    await o.audit
      .record({
        requestId: req.id,
        account: req.principal.account,
        keyId: req.principal.keyId,
        ip: req.ip,
        action: policy.audit,
        target: auditTarget(req),
        status: reply.statusCode,
      })
      .catch((err) => req.log.error({ err }, 'audit write failed'));
  });
}
