/**
 * `visage keys …`: manage API keys and account credits straight in the data dir's database
 * (works with the server stopped or running). Secrets are printed once, on create and rotate.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.loader.js';
import { CreditsService, type KeyView, systemClock } from '../core/index.js';
import { validateAccountId } from '../domain/auth.model.js';
import { buildKeysService, openAccountStore } from '../main/accounts.compose.js';

export const KEYS_USAGE = `Usage:
  visage keys create [--account A] [--name N] [--scopes detect,verify,galleries:read,galleries:write,search,admin|all]
                     [--allow-ips 10.0.0.0/8,…] [--expires 2030-01-01T00:00:00Z] [--rate 10 --burst 20]
                     [--login L [--password P]]       a LOGIN:PASSWORD key instead of a token
  visage keys list [--account A] [--json]
  visage keys revoke <key id>
  visage keys rotate <key id>                          new secret, same key; the old one stops working
  visage keys credits <account> <n|unlimited>          monthly credits of an account
  visage keys usage <account>                          credits spent this month, by operation
`;

function describe(k: KeyView): string {
  const state = k.revokedAt ? 'revoked' : k.expiresAt && k.expiresAt.getTime() <= Date.now() ? 'expired' : 'active';
  const rate = k.rateLimit ? `${k.rateLimit.perSecond}/s burst ${k.rateLimit.burst}` : 'default rate';
  const extra = [k.login ? `login ${k.login}` : '', k.allowIps.length ? `ips ${k.allowIps.join(',')}` : '', k.expiresAt ? `expires ${k.expiresAt.toISOString()}` : '']
    .filter(Boolean)
    .join('  ');
  return `${k.id}  ${state.padEnd(7)}  ${k.account}  ${k.name}  [${k.scopes.join(',')}]  ${rate}${extra ? `  ${extra}` : ''}\n`;
}

export async function keysCommand(argv: string[], deps: { env?: NodeJS.ProcessEnv; stdout: (s: string) => void }): Promise<number> {
  const out = deps.stdout;
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      account: { type: 'string' },
      name: { type: 'string' },
      scopes: { type: 'string' },
      'allow-ips': { type: 'string' },
      expires: { type: 'string' },
      rate: { type: 'string' },
      burst: { type: 'string' },
      login: { type: 'string' },
      password: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (!sub || sub === 'help' || sub === '--help') {
    out(KEYS_USAGE);
    return sub ? 0 : 2;
  }
  const config = loadConfig(deps.env ?? process.env);
  const store = openAccountStore(config);
  const keys = buildKeysService(config, store);
  try {
    switch (sub) {
      case 'create': {
        const { key, secret } = await keys.create({
          account: values.account,
          name: values.name,
          scopes: values.scopes,
          allowIps: values['allow-ips'],
          expiresAt: values.expires,
          rateLimit: values.rate === undefined && values.burst === undefined ? null : { perSecond: values.rate, burst: values.burst === undefined ? undefined : Number(values.burst) },
          login: values.login,
          password: values.password,
        });
        out(describe(key));
        out(`secret (shown once): ${secret}\n`);
        return 0;
      }
      case 'list': {
        const list = await keys.list(values.account);
        if (values.json) out(`${JSON.stringify(list, null, 2)}\n`);
        else for (const k of list) out(describe(k));
        return 0;
      }
      case 'revoke':
      case 'rotate': {
        const id = positionals[0];
        if (!id) {
          out(KEYS_USAGE);
          return 2;
        }
        if (sub === 'revoke') {
          await keys.revoke(id);
          out(`revoked ${id}\n`);
        } else {
          const { key, secret } = await keys.rotate(id);
          out(describe(key));
          out(`new secret (shown once): ${secret}\n`);
        }
        return 0;
      }
      case 'credits':
      case 'usage': {
        const account = validateAccountId(positionals[0]);
        const credits = new CreditsService({ store, clock: systemClock, defaultMonthlyCredits: config.defaultMonthlyCredits || null });
        if (sub === 'credits') {
          const raw = positionals[1];
          const n = raw === 'unlimited' ? null : Number(raw);
          if (n !== null && !(Number.isInteger(n) && n >= 0)) {
            out(KEYS_USAGE);
            return 2;
          }
          await credits.setMonthlyCredits(account, n);
        }
        const r = await credits.report(account);
        out(
          `${r.account}: ${r.monthlyCredits ?? 'unlimited'} a month, ${r.spent} spent in ${r.period}, ` +
            `${r.remaining ?? 'unlimited'} left, resets ${r.resetsAt.toISOString()}\n`,
        );
        for (const [op, n] of Object.entries(r.byOperation)) out(`  ${op}: ${n}\n`);
        return 0;
      }
      default:
        out(KEYS_USAGE);
        return 2;
    }
  } finally {
    await store.close();
  }
}
