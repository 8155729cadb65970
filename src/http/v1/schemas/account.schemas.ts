/**
 * TypeBox schemas of GET /v1/account and the /v1/admin routes. Fastify serialises answers with
 * them (a property missing here is dropped from the answer), and @fastify/swagger publishes them.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { SCOPES } from '../../../domain/auth.model.js';
import { errorResponses } from '../../shared/error.schema.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const DateTime = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });
const Scope = Type.String({ enum: [...SCOPES] });
/** Scopes are readonly lists in the domain. */
const Scopes = Type.Unsafe<readonly string[]>(Type.Array(Scope));
const RateLimit = Type.Object({ per_second: Type.Number(), burst: Type.Integer() });
const Usage = Type.Record(Type.String(), Type.Integer(), { description: 'Credits spent this period, by operation (detect, templates, verify, enrol, search)' });

/** GET /v1/account: needs any valid key, so no 403 for a scope; 503 while the models load. */
export const accountErrorResponses = errorResponses(401, 403, 429, 500, 503);
/** The admin API: the admin key's checks, bad input and unknown keys, accounts or bans; it answers while the models load. */
export const adminErrorResponses = errorResponses(400, 401, 403, 404, 429, 500);
/** Admin routes with a JSON body. */
export const adminBodyErrorResponses = errorResponses(400, 401, 403, 404, 413, 415, 429, 500);

/** 204: no body (the handlers send none, so the schema allows `undefined` for TypeScript). */
export const NoContent = Type.Unsafe<undefined>(Type.Null({ description: 'No content' }));

export const AccountResponse = Type.Object({
  account: Type.String(),
  key: Type.Object({ id: Type.String(), name: Type.String(), scopes: Scopes }),
  credits: Type.Object({
    monthly: Nullable(Type.Integer({ description: 'Monthly allowance; null = unlimited' })),
    spent: Type.Integer(),
    remaining: Nullable(Type.Integer({ description: 'null = unlimited' })),
    period: Type.String({ description: 'The UTC month, YYYY-MM' }),
    resets_at: DateTime('00:00 UTC on the first of next month'),
  }),
  usage: Usage,
  rate_limit: Type.Object({ per_second: Type.Number(), burst: Type.Integer() }),
});

export const KeySchema = Type.Object({
  id: Type.String({ description: 'Public id (key_…), safe to log' }),
  account: Type.String(),
  name: Type.String(),
  kind: Type.String({ enum: ['token', 'password'] }),
  login: Nullable(Type.String()),
  scopes: Scopes,
  allow_ips: Type.Array(Type.String(), { description: 'IPs or CIDR ranges; empty = anywhere' }),
  rate_limit: Nullable(RateLimit),
  expires_at: Nullable(DateTime()),
  header_only: Type.Boolean({ description: 'Accepted only in a header, never in the URL or a form field' }),
  revoked_at: Nullable(DateTime()),
  created_at: DateTime(),
});

export const CreatedKeySchema = Type.Object({
  ...KeySchema.properties,
  secret: Type.String({ description: 'The key itself: shown in this answer only, stored as a hash' }),
});

export const KeyListResponse = Type.Object({ keys: Type.Array(KeySchema) });

export const CreditReportSchema = Type.Object({
  account: Type.String(),
  monthly_credits: Nullable(Type.Integer({ description: 'null = unlimited' })),
  spent: Type.Integer(),
  remaining: Nullable(Type.Integer()),
  period: Type.String(),
  resets_at: DateTime(),
  usage: Usage,
});

export const DailyUsageSchema = Type.Object({
  account: Type.String(),
  kept: Type.Boolean({ description: 'false when this server\'s account store keeps no per-day usage' }),
  from: Type.String({ description: 'first UTC day, YYYY-MM-DD' }),
  to: Type.String({ description: 'last UTC day (today)' }),
  days: Type.Array(Type.Object({ day: Type.String(), total: Type.Integer(), usage: Usage })),
});

export const BanListResponse = Type.Object({
  bans: Type.Array(
    Type.Object({
      ip: Type.String(),
      kind: Type.String({ description: 'block (minutes) or ban (longer)' }),
      until: DateTime(),
      strikes: Type.Integer(),
      reason: Type.String(),
      updated_at: DateTime(),
    }),
  ),
});

export const AuditResponse = Type.Object({
  entries: Type.Array(
    Type.Object({
      at: DateTime(),
      request_id: Type.String(),
      account: Type.String(),
      key_id: Nullable(Type.String()),
      ip: Type.String(),
      action: Type.String({ description: 'e.g. search, gallery.delete, key.create' }),
      target: Nullable(Type.String({ description: 'A gallery, gallery/face or key id; never an image, template or key' })),
      status: Type.Integer(),
    }),
  ),
});
