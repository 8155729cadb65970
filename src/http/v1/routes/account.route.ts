/** GET /v1/account: the caller's account, key, credits (remaining, reset date) and usage by operation. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { CreditsService } from '../../../core/index.js';
import type { RateLimit } from '../../../domain/auth.model.js';
import { VisageError } from '../../../domain/error.registry.js';
import { AccountResponse, accountErrorResponses } from '../schemas/account.schemas.js';

export const accountRoute: FastifyPluginAsyncTypebox<{ credits: CreditsService; defaultRateLimit: RateLimit }> = async (app, { credits, defaultRateLimit }) => {
  app.get(
    '/account',
    { schema: { tags: ['account'], summary: 'Your credits, usage and limits', description: 'Credits reset at 00:00 UTC on the first of each month.', response: { 200: AccountResponse, ...accountErrorResponses } } },
    async (req) => {
      const p = req.principal;
      if (!p) throw new VisageError('UNAUTHORIZED');
      const r = await credits.report(p.account);
      const rate = p.rateLimit ?? defaultRateLimit;
      return {
        account: p.account,
        key: { id: p.keyId, name: p.keyName, scopes: p.scopes },
        credits: {
          monthly: r.monthlyCredits,
          spent: r.spent,
          remaining: r.remaining,
          period: r.period,
          resets_at: r.resetsAt.toISOString(),
        },
        usage: r.byOperation,
        rate_limit: { per_second: rate.perSecond, burst: rate.burst },
      };
    },
  );
};
