/**
 * The `visage` command line: serve, detect, verify, index, keys, eval. Errors print `error CODE: reason` and
 * set a non-zero exit code (1 for a refused input, 2 for a usage mistake).
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.loader.js';
import { isVisageError } from '../domain/error.registry.js';
import { parseFaceOptions } from '../domain/face-options.rules.js';
import { mapDetect, mapVerify } from '../http/v1/mappers/face.mapper.js';
import { buildFaceService, engineOptions, loadRealAnalyzer, packageVersion, type AnalyzerLoader } from '../main/services.compose.js';
import { imageArgument, UsageError, verifyArgument } from './image-argument.reader.js';
import { formatDetectTable, formatVerify } from './output.format.js';

export const USAGE = `visage ${packageVersion()} — self-hosted face analysis, recognition and search

Usage:
  visage serve                         start the HTTP server (config from VISAGE_* env variables)
  visage detect <image…> [options]     detect faces in files or http(s) URLs
      --json                           print JSON (the /v1/detect shape) instead of a table
      --attributes <list|all>          age,gender,emotion,pose,quality,eyes,liveness,clothing_colors
      --landmarks68                    include the 68 landmark points (JSON)
      --min-face-size <px>  --max-faces <n>  --score-threshold <0-1>
  visage verify <a> <b> [--threshold strict|medium|low|none|0-1] [--json]
                                       a and b: image files, URLs or templates
  visage index <folder | list.jsonl> --gallery <name> [--all-faces] [--data-dir dir] [--account a]
                                       enrol photos into a gallery (resumable; ids from file names)
                                       into an existing database (--create-database: a new one)
  visage catalogue <import <file.json|csv> --photos <folder> | demo> [--data-dir dir] [--account a]
                                       load a model-agency catalogue (resumable; per-row errors)
  visage keys <create|list|revoke|rotate|credits|usage> …   API keys and credits (visage keys help)
  visage bans <list|lift <ip>> [--json] [--data-dir dir]   IP blocks and bans (visage bans help)
  visage eval [--data dir] [--out file] [--only sections] [--limit n]
  visage --help | --version            (and visage <command> --help)

Environment: VISAGE_PORT (or PORT), VISAGE_HOST, VISAGE_MAX_UPLOAD_BYTES, VISAGE_MAX_PIXELS,
VISAGE_WORKERS, VISAGE_URL_FETCH_TIMEOUT_MS, VISAGE_URL_FETCH_MAX_BYTES, VISAGE_URL_ALLOW_PRIVATE,
VISAGE_DATA_DIR, VISAGE_LOG_LEVEL, VISAGE_MIN_FACE_SIZE, VISAGE_MAX_FACES.
`;

export interface CliDeps {
  stdout?: (s: string) => void;
  stderr?: (s: string) => void;
  /** The engine; tests pass a fake. Default: the real one, in this thread. */
  loadAnalyzer?: AnalyzerLoader;
  env?: NodeJS.ProcessEnv;
}

/** The lines of USAGE about one command (its `visage <command>` line and those indented under it), for `<command> --help`. */
export function commandUsage(command: string): string {
  const lines = USAGE.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`  visage ${command} `) || l === `  visage ${command}`);
  if (at < 0) return USAGE;
  let end = at + 1;
  while (end < lines.length && /^ {5,}\S/.test(lines[end]!)) end++;
  return `Usage:\n${lines.slice(at, end).join('\n')}\n`;
}

const wantsHelp = (args: string[]) => args.includes('--help') || args.includes('-h');

async function withService<T>(deps: CliDeps, fn: (svc: ReturnType<typeof buildFaceService>) => Promise<T>): Promise<T> {
  const config = loadConfig(deps.env ?? process.env);
  const analyzer = await (deps.loadAnalyzer ?? loadRealAnalyzer)(0, engineOptions(config));
  try {
    return await fn(buildFaceService(config, analyzer));
  } finally {
    await analyzer.close();
  }
}

async function detect(argv: string[], deps: CliDeps, out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      attributes: { type: 'string' },
      landmarks68: { type: 'boolean' },
      'min-face-size': { type: 'string' },
      'max-faces': { type: 'string' },
      'score-threshold': { type: 'string' },
    },
  });
  if (positionals.length === 0) throw new UsageError('detect needs at least one image');
  const options = parseFaceOptions({
    attributes: values.attributes,
    landmarks68: values.landmarks68,
    min_face_size: values['min-face-size'],
    max_faces: values['max-faces'],
    score_threshold: values['score-threshold'],
  });
  const inputs = positionals.map((p, i) => [p, imageArgument(p, String(i + 1))] as const);
  return withService(deps, async (svc) => {
    const results: Array<Record<string, unknown>> = [];
    let failed = 0;
    for (const [name, input] of inputs) {
      try {
        const res = mapDetect(await svc.detect(input, options));
        results.push({ source: name, ...res });
        if (!values.json) out(formatDetectTable(name, res));
      } catch (e) {
        if (!isVisageError(e)) throw e;
        failed++;
        results.push({ source: name, error: { code: e.code, reason: e.message } });
        if (!values.json) out(`${name}: error ${e.code}: ${e.message}\n`);
      }
    }
    if (values.json) out(`${JSON.stringify(results.length === 1 ? results[0] : results, null, 2)}\n`);
    return failed > 0 ? 1 : 0;
  });
}

async function verify(argv: string[], deps: CliDeps, out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, threshold: { type: 'string' }, 'min-face-size': { type: 'string' } },
  });
  if (positionals.length !== 2) throw new UsageError('verify needs exactly two images or templates');
  const a = verifyArgument(positionals[0]!, 'a');
  const b = verifyArgument(positionals[1]!, 'b');
  const options = parseFaceOptions({ min_face_size: values['min-face-size'] });
  return withService(deps, async (svc) => {
    const res = mapVerify(await svc.verify(a, b, values.threshold, options));
    out(values.json ? `${JSON.stringify(res, null, 2)}\n` : formatVerify(res));
    return 0;
  });
}

/** Runs the CLI; returns the exit code and also sets process.exitCode. */
export async function main(argv: string[], deps: CliDeps = {}): Promise<number> {
  const out = deps.stdout ?? ((s: string) => void process.stdout.write(s));
  const err = deps.stderr ?? ((s: string) => void process.stderr.write(s));
  const [command, ...rest] = argv;
  let code = 0;
  try {
    // index, keys and eval know their own options, --help among them.
    if (wantsHelp(rest) && (command === 'serve' || command === 'detect' || command === 'verify')) {
      out(commandUsage(command));
      process.exitCode = 0;
      return 0;
    }
    switch (command) {
      case 'serve': {
        if (rest.length > 0) throw new UsageError(`serve takes no arguments (configure it with VISAGE_* variables): ${rest.join(' ')}`);
        const { serve } = await import('../main/server.compose.js');
        await serve();
        break;
      }
      case 'detect':
        code = await detect(rest, deps, out);
        break;
      case 'verify':
        code = await verify(rest, deps, out);
        break;
      case 'index': {
        const { runIndex } = await import('./index.command.js');
        code = await runIndex(rest, { stdout: out, stderr: err, loadAnalyzer: deps.loadAnalyzer, env: deps.env, tty: !deps.stderr && process.stderr.isTTY, signals: !deps.stderr });
        break;
      }
      case 'catalogue': {
        const { runCatalogue } = await import('./catalogue.command.js');
        code = await runCatalogue(rest, { stdout: out, stderr: err, loadAnalyzer: deps.loadAnalyzer, env: deps.env, tty: !deps.stderr && process.stderr.isTTY });
        break;
      }
      case 'keys':
        code = await (await import('./keys.command.js')).keysCommand(rest, { env: deps.env, stdout: out, stderr: err });
        break;
      case 'bans':
        code = await (await import('./bans.command.js')).bansCommand(rest, { env: deps.env, stdout: out, stderr: err });
        break;
      case 'eval': {
        const { runEval } = await import('../eval/run-eval.js');
        const { EVAL_SECTION_SCRIPT } = await import('../main/eval.compose.js');
        await runEval(rest, EVAL_SECTION_SCRIPT);
        break;
      }
      case '--version':
      case '-v':
        out(`${packageVersion()}\n`);
        break;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        out(USAGE);
        break;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`visage: ${(e as Error).message}\nRun "visage --help" for usage.\n`);
      code = 2;
    } else if (isVisageError(e)) {
      err(`error ${e.code}: ${e.message}${e.details.param ? ` (${e.details.param})` : ''}\n`);
      code = 1;
    } else if (e instanceof ConfigError) {
      err(`${e.message}\n`);
      code = 2;
    } else {
      err(`visage: ${(e as Error).message ?? String(e)}\n`);
      code = 1;
    }
  }
  process.exitCode = code;
  return code;
}
