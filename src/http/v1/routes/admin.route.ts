/**
 * /v1/admin: keys (create, list, edit options, revoke, rotate), account credits, IP blocks and bans, and the
 * audit log. Mounted whenever API keys are on; every route needs the admin scope (any such key,
 * the first-start key included, or VISAGE_ADMIN_KEY).
 * A created or rotated secret is in the answer once and nowhere else (not in logs or audit).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { AbuseGuard, AuditService, CreditsService, CreatedKey, KeysService, KeyView, CreditReport, DailyUsageReport, AuditEntry, IpBan } from '../../../core/index.js';
import { validateAccountId } from '../../../domain/auth.model.js';
import { VisageError } from '../../../domain/error.registry.js';
import {
  AuditResponse,
  BanListResponse,
  CreatedKeySchema,
  CreditReportSchema,
  DailyUsageSchema,
  KeyListResponse,
  KeySchema,
  NoContent,
  adminBodyErrorResponses,
  adminErrorResponses,
} from '../schemas/account.schemas.js';

export interface AdminRouteOptions {
  keys: KeysService;
  credits: CreditsService;
  guard: AbuseGuard;
  audit: AuditService;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const mapReport = (r: CreditReport) => ({
  account: r.account,
  monthly_credits: r.monthlyCredits,
  spent: r.spent,
  remaining: r.remaining,
  period: r.period,
  resets_at: r.resetsAt.toISOString(),
  usage: r.byOperation,
});

const mapDaily = (r: DailyUsageReport) => ({ account: r.account, kept: r.kept, from: r.from, to: r.to, days: r.days.map((d) => ({ day: d.day, total: d.total, usage: d.byOperation })) });

export const mapKey = (k: KeyView) => ({
  id: k.id,
  account: k.account,
  name: k.name,
  kind: k.kind,
  login: k.login,
  scopes: k.scopes,
  allow_ips: k.allowIps,
  rate_limit: k.rateLimit ? { per_second: k.rateLimit.perSecond, burst: k.rateLimit.burst } : null,
  expires_at: iso(k.expiresAt),
  revoked_at: iso(k.revokedAt),
  created_at: k.createdAt.toISOString(),
  header_only: k.headerOnly ?? false,
});

const mapCreated = (c: CreatedKey) => ({ ...mapKey(c.key), secret: c.secret });

const mapBan = (b: IpBan) => ({ ip: b.ip, kind: b.kind, until: b.until.toISOString(), strikes: b.strikes, reason: b.reason, updated_at: b.updatedAt.toISOString() });

const mapAudit = (e: AuditEntry) => ({
  at: e.at.toISOString(),
  request_id: e.requestId,
  account: e.account,
  key_id: e.keyId,
  ip: e.ip,
  action: e.action,
  target: e.target,
  status: e.status,
});

const NewKeyBody = Type.Object(
  {
    account: Type.Optional(Type.String()),
    name: Type.Optional(Type.String({ maxLength: 100 })),
    scopes: Type.Optional(Type.Union([Type.Array(Type.String(), { maxItems: 20 }), Type.String()])),
    allow_ips: Type.Optional(Type.Union([Type.Array(Type.String(), { maxItems: 100 }), Type.String()])),
    expires_at: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    rate_per_second: Type.Optional(Type.Number()),
    burst: Type.Optional(Type.Integer()),
    header_only: Type.Optional(Type.Boolean({ description: 'Accept the key only in a header, never in the URL or a form field' })),
    login: Type.Optional(Type.String()),
    password: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);

/**
 * A value or null, as OpenAPI 3.0's `nullable`. Not a union: the validator coerces types, and a
 * union with null reads null as 0 or '' when the number or string comes first, and 0 or '' as
 * null when null comes first; with `nullable` each value is taken as it is.
 */
const nullable = <T extends TSchema>(t: T) => Type.Unsafe<Static<T> | null>({ ...t, nullable: true });

const KeyChangesBody = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 100 })),
    scopes: Type.Optional(Type.Union([Type.Array(Type.String(), { maxItems: 20 }), Type.String()])),
    allow_ips: Type.Optional(Type.Union([Type.Array(Type.String(), { maxItems: 100 }), Type.String()])),
    expires_at: Type.Optional(nullable(Type.String({ description: 'null: never expires' }))),
    rate_per_second: Type.Optional(nullable(Type.Number({ description: "null: the server's default rate limit" }))),
    burst: Type.Optional(Type.Integer({ description: 'with rate_per_second (default twice it)' })),
    header_only: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const adminRoute: FastifyPluginAsyncTypebox<AdminRouteOptions> = async (app, o) => {
  const tags = ['admin'];
  const admin = { auth: { scope: 'admin' as const } };
  const audited = (action: string) => ({ auth: { scope: 'admin' as const, audit: action } });

  app.post('/keys', { config: audited('key.create'), schema: { tags, summary: 'Create an API key (its secret is shown once)', body: NewKeyBody, response: { 201: CreatedKeySchema, ...adminBodyErrorResponses } } }, async (req, reply) => {
    const b = req.body;
    const created = await o.keys.create({
      account: b.account,
      name: b.name,
      scopes: b.scopes,
      allowIps: b.allow_ips,
      expiresAt: b.expires_at,
      rateLimit: b.rate_per_second === undefined && b.burst === undefined ? null : { perSecond: b.rate_per_second, burst: b.burst },
      login: b.login,
      password: b.password,
      headerOnly: b.header_only,
    });
    return reply.status(201).send(mapCreated(created));
  });

  app.get(
    '/keys',
    { config: admin, schema: { tags, summary: 'List API keys (never their secrets)', querystring: Type.Object({ account: Type.Optional(Type.String()) }), response: { 200: KeyListResponse, ...adminErrorResponses } } },
    async (req) => ({ keys: (await o.keys.list(req.query.account)).map(mapKey) }),
  );

  app.get('/keys/:id', { config: admin, schema: { tags, summary: 'Read an API key', params: Type.Object({ id: Type.String() }), response: { 200: KeySchema, ...adminErrorResponses } } }, async (req) =>
    mapKey(await o.keys.get(req.params.id)),
  );

  app.patch(
    '/keys/:id',
    {
      config: audited('key.update'),
      schema: { tags, summary: "Change a key's options (fields left out stay; the secret stays)", params: Type.Object({ id: Type.String() }), body: KeyChangesBody, response: { 200: KeySchema, ...adminBodyErrorResponses } },
    },
    async (req) => {
      const b = req.body;
      const rateLimit = b.rate_per_second === null ? null : b.rate_per_second === undefined && b.burst === undefined ? undefined : { perSecond: b.rate_per_second, burst: b.burst };
      return mapKey(await o.keys.update(req.params.id, { name: b.name, scopes: b.scopes, allowIps: b.allow_ips, expiresAt: b.expires_at, rateLimit, headerOnly: b.header_only }));
    },
  );

  app.delete('/keys/:id', { config: audited('key.revoke'), schema: { tags, summary: 'Revoke an API key', params: Type.Object({ id: Type.String() }), response: { 204: NoContent, ...adminErrorResponses } } }, async (req, reply) => {
    await o.keys.revoke(req.params.id);
    return reply.status(204).send();
  });

  app.post(
    '/keys/:id/rotate',
    { config: audited('key.rotate'), schema: { tags, summary: 'Give a key a new secret; the old one stops working', params: Type.Object({ id: Type.String() }), response: { 200: CreatedKeySchema, ...adminErrorResponses } } },
    async (req) => mapCreated(await o.keys.rotate(req.params.id)),
  );

  app.get('/accounts/:account', { config: admin, schema: { tags, summary: "An account's credits and usage", params: Type.Object({ account: Type.String() }), response: { 200: CreditReportSchema, ...adminErrorResponses } } }, async (req) =>
    mapReport(await o.credits.report(validateAccountId(req.params.account))),
  );

  app.get(
    '/accounts/:account/usage/daily',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Credits an account spent per UTC day and operation, the last `days` days (default 30, at most 366)',
        params: Type.Object({ account: Type.String() }),
        querystring: Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 30 })) }),
        response: { 200: DailyUsageSchema, ...adminErrorResponses },
      },
    },
    async (req) => mapDaily(await o.credits.dailyReport(validateAccountId(req.params.account), req.query.days ?? 30)),
  );

  app.put(
    '/accounts/:account/credits',
    {
      config: audited('account.credits'),
      schema: {
        tags,
        summary: "Set an account's monthly credits (null = unlimited)",
        params: Type.Object({ account: Type.String() }),
        body: Type.Object({ monthly_credits: nullable(Type.Integer({ minimum: 0 })) }, { additionalProperties: false }),
        response: { 200: CreditReportSchema, ...adminBodyErrorResponses },
      },
    },
    async (req) => mapReport(await o.credits.setMonthlyCredits(validateAccountId(req.params.account), req.body.monthly_credits)),
  );

  app.get('/bans', { config: admin, schema: { tags, summary: 'IP blocks and bans in force', response: { 200: BanListResponse, ...adminErrorResponses } } }, async () => ({ bans: (await o.guard.list()).map(mapBan) }));

  app.delete('/bans/:ip', { config: audited('ban.lift'), schema: { tags, summary: 'Lift a block or ban', params: Type.Object({ ip: Type.String() }), response: { 204: NoContent, ...adminErrorResponses } } }, async (req, reply) => {
    if (!(await o.guard.lift(req.params.ip))) throw new VisageError('NOT_FOUND', 'No block or ban for this IP', { param: 'ip' });
    return reply.status(204).send();
  });

  app.get(
    '/audit',
    {
      config: admin,
      schema: {
        tags,
        summary: 'The audit log, newest first',
        querystring: Type.Object({
          account: Type.Optional(Type.String()),
          action: Type.Optional(Type.String()),
          since: Type.Optional(Type.String()),
          until: Type.Optional(Type.String()),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000 })),
        }),
        response: { 200: AuditResponse, ...adminErrorResponses },
      },
    },
    async (req) => ({ entries: (await o.audit.query(req.query)).map(mapAudit) }),
  );
};
