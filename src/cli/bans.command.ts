/**
 * `visage bans list|lift`: the IP blocks and bans in the data dir's database, without the admin
 * API (which needs VISAGE_ADMIN_KEY and a reachable server). Works with the server stopped or
 * running: the server reads bans from the database on every request, so a lift here lets the
 * address in at its next request.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.loader.js';
import type { IpBan } from '../core/index.js';
import { VisageError } from '../domain/error.registry.js';
import { isIpLiteral } from '../domain/ip-address.rules.js';
import { openAbuseGuard } from '../main/accounts.compose.js';
import { dataDirOrigin, useDatabase } from './database.guard.js';

export const BANS_USAGE = `Usage:
  visage bans list [--json]          IP blocks and bans in force, the one ending last first
  visage bans lift <ip>              lift a block or ban and forget its strikes

Both take --data-dir <dir> (default VISAGE_DATA_DIR or ./data) and name the database they use
on stderr. An address is blocked after VISAGE_ABUSE_FAILURES_TO_BLOCK invalid keys and banned
after VISAGE_ABUSE_BLOCKS_TO_BAN blocks (docs/configuration.md).
`;

function describe(b: IpBan): string {
  return `${b.ip}  ${b.kind.padEnd(5)}  until ${b.until.toISOString()}  strikes ${b.strikes}  ${b.reason}\n`;
}

export async function bansCommand(
  argv: string[],
  deps: { env?: NodeJS.ProcessEnv; stdout: (s: string) => void; stderr?: (s: string) => void },
): Promise<number> {
  const out = deps.stdout;
  const env = deps.env ?? process.env;
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (!sub || sub === 'help' || sub === '--help' || sub === '-h' || values.help) {
    out(BANS_USAGE);
    return sub ? 0 : 2;
  }
  const ip = positionals[0];
  if (!(sub === 'list' && positionals.length === 0) && !(sub === 'lift' && positionals.length === 1)) {
    out(BANS_USAGE);
    return 2;
  }
  if (sub === 'lift' && !isIpLiteral(ip!)) throw new VisageError('BAD_PARAM', `${ip} is not an IP address`, { param: 'ip' });
  const base = loadConfig(env);
  const config = values['data-dir'] === undefined ? base : { ...base, dataDir: values['data-dir'] };
  useDatabase(config, { state: 'accounts', create: false, origin: dataDirOrigin(values['data-dir'], env), stderr: deps.stderr ?? ((s) => void process.stderr.write(s)) });
  const { guard, close } = openAbuseGuard(config);
  try {
    if (sub === 'list') {
      const bans = await guard.list();
      if (values.json) out(`${JSON.stringify(bans, null, 2)}\n`);
      else if (bans.length === 0) out('no blocks or bans in force\n');
      else for (const b of bans) out(describe(b));
      return 0;
    }
    if (!(await guard.lift(ip!))) throw new VisageError('NOT_FOUND', `No block or ban for ${ip}`, { param: 'ip' });
    out(`lifted ${ip}\n`);
    return 0;
  } finally {
    await close();
  }
}
