/**
 * `visage keys …`: manage API keys and account credits straight in the data dir's database
 * (works with the server stopped or running). Secrets are printed once, on create and rotate.
 * Only `create` may make a new database; the others refuse a missing one (database.guard.ts),
 * and none answers for an account that does not exist.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.loader.js';
import { CreditsService, type KeyView, systemClock } from '../core/index.js';
import { validateAccountId } from '../domain/auth.model.js';
import { buildKeysService, openAccountStore } from '../main/accounts.compose.js';
import { dataDirOrigin, useDatabase } from './database.guard.js';

export const KEYS_USAGE = `Usage:
  visage keys create [--account A] [--name N] [--scopes detect,verify,galleries:read,galleries:write,search,admin|all]
                     [--allow-ips 10.0.0.0/8,…] [--expires 2030-01-01T00:00:00Z] [--rate 10 --burst 20] [--header-only]
                     [--login L [--password P]]       a LOGIN:PASSWORD key instead of a token
  visage keys list [--account A] [--json]
  visage keys update <key id> [--name N] [--scopes …] [--allow-ips …|none] [--expires DATE|never]
                     [--rate 10 [--burst 20] | --rate default] [--header-only | --no-header-only]
                                                       change options; the secret stays, options left out stay
  visage keys revoke <key id>
  visage keys rotate <key id>                          new secret, same key; the old one stops working
  visage keys credits <account> <n|unlimited>          monthly credits of an account
  visage keys usage <account>                          credits spent this month, by operation

Every subcommand takes --data-dir <dir> (default VISAGE_DATA_DIR or ./data) and names the
database it uses on stderr. Only create makes a new database (and says so); the others stop
when the data dir has none.
`;

function describe(k: KeyView): string {
  const state = k.revokedAt ? 'revoked' : k.expiresAt && k.expiresAt.getTime() <= Date.now() ? 'expired' : 'active';
  const rate = k.rateLimit ? `${k.rateLimit.perSecond}/s burst ${k.rateLimit.burst}` : 'default rate';
  const extra = [k.login ? `login ${k.login}` : '', k.allowIps.length ? `ips ${k.allowIps.join(',')}` : '', k.expiresAt ? `expires ${k.expiresAt.toISOString()}` : '']
    .filter(Boolean)
    .join('  ');
  return `${k.id}  ${state.padEnd(7)}  ${k.account}  ${k.name}  [${k.scopes.join(',')}]  ${rate}${extra ? `  ${extra}` : ''}\n`;
}

/** An account the command reads must exist: reading one would otherwise create it ("unlimited"). */
async function existingAccount(store: ReturnType<typeof openAccountStore>, raw: string | undefined, database: string): Promise<string> {
  const account = validateAccountId(raw);
  if (await store.getAccount(account)) return account;
  const known = (await store.listAccounts()).map((a) => a.id);
  const list = known.length === 0 ? 'none' : known.length > 10 ? `${known.slice(0, 10).join(', ')}, …` : known.join(', ');
  throw new Error(`no account ${account} in ${database} (accounts there: ${list}). "visage keys create --account ${account}" makes one.`);
}

export async function keysCommand(
  argv: string[],
  deps: { env?: NodeJS.ProcessEnv; stdout: (s: string) => void; stderr?: (s: string) => void },
): Promise<number> {
  const out = deps.stdout;
  const env = deps.env ?? process.env;
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
      'header-only': { type: 'boolean' },
      'no-header-only': { type: 'boolean' },
      json: { type: 'boolean' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (!sub || sub === 'help' || sub === '--help' || sub === '-h' || values.help) {
    out(KEYS_USAGE);
    return sub ? 0 : 2;
  }
  if (!['create', 'list', 'update', 'revoke', 'rotate', 'credits', 'usage'].includes(sub)) {
    out(KEYS_USAGE);
    return 2;
  }
  const base = loadConfig(env);
  const config = values['data-dir'] === undefined ? base : { ...base, dataDir: values['data-dir'] };
  const database = useDatabase(config, {
    state: 'accounts',
    create: sub === 'create',
    origin: dataDirOrigin(values['data-dir'], env),
    createHint: 'run "visage keys create"',
    stderr: deps.stderr ?? ((s) => void process.stderr.write(s)),
  });
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
          headerOnly: values['header-only'] === true,
          password: values.password,
        });
        out(describe(key));
        out(`secret (shown once): ${secret}\n`);
        return 0;
      }
      case 'list': {
        const list = await keys.list(values.account === undefined ? undefined : await existingAccount(store, values.account, database));
        if (values.json) out(`${JSON.stringify(list, null, 2)}\n`);
        else for (const k of list) out(describe(k));
        return 0;
      }
      case 'update': {
        const id = positionals[0];
        if (!id) {
          out(KEYS_USAGE);
          return 2;
        }
        const rate = values.rate === 'default' ? null : values.rate === undefined && values.burst === undefined ? undefined : { perSecond: values.rate, burst: values.burst === undefined ? undefined : Number(values.burst) };
        const key = await keys.update(id, {
          name: values.name,
          scopes: values.scopes,
          allowIps: values['allow-ips'] === 'none' ? [] : values['allow-ips'],
          expiresAt: values.expires === 'never' ? null : values.expires,
          rateLimit: rate,
          headerOnly: values['header-only'] ? true : values['no-header-only'] ? false : undefined,
        });
        out(describe(key));
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
        const account = await existingAccount(store, positionals[0], database);
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
