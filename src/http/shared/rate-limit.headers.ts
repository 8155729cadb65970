/**
 * The rate-limit header fields of draft-ietf-httpapi-ratelimit-headers (the current draft, -08
 * on): `RateLimit-Policy` states the quota policy, `RateLimit` what is left of it.
 *
 * The draft counts quota per window; our limit is a token bucket (burst B, refill R per second).
 * We state it as the policy a client can keep to and never be refused: B requests per
 * w = ceil(B / R) seconds. A client that sends its quota at once finds the bucket full again
 * (R·w ≥ B tokens) when the next window starts, and q / w is the sustained rate (exactly R when
 * B / R is whole, as with the defaults). `r` is the whole tokens left and `t` the seconds until
 * the bucket is full again (the quota "resets"); a refused request also gets `Retry-After`, the
 * seconds until one token is back.
 *
 * `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (drafts up to -06) carry the
 * same q, r and t for clients written against them. They are deprecated: they name no window,
 * so `RateLimit-Limit` alone reads like a per-second figure, which it never was.
 */
import type { FastifyReply } from 'fastify';
import type { RateDecision } from '../../core/index.js';

/** The policy's name in both fields: one bucket per API key. */
export const POLICY_NAME = 'key';

export interface RateLimitFields {
  'ratelimit-policy': string;
  ratelimit: string;
  'ratelimit-limit': string;
  'ratelimit-remaining': string;
  'ratelimit-reset': string;
}

/** The header values for one decision (names in lower case, as Node sends them). */
export function rateLimitFields(d: RateDecision): RateLimitFields {
  const quota = Math.max(1, Math.floor(d.limit.burst));
  const window = Math.max(1, Math.ceil(quota / d.limit.perSecond));
  const reset = Math.ceil(d.resetMs / 1000);
  return {
    'ratelimit-policy': `"${POLICY_NAME}";q=${quota};w=${window}`,
    ratelimit: `"${POLICY_NAME}";r=${d.remaining};t=${reset}`,
    'ratelimit-limit': String(quota),
    'ratelimit-remaining': String(d.remaining),
    'ratelimit-reset': String(reset),
  };
}

export function setRateLimitHeaders(reply: FastifyReply, d: RateDecision): void {
  for (const [name, value] of Object.entries(rateLimitFields(d))) reply.header(name, value);
}
