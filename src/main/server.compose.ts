/**
 * The server's composition root: config → adapters → FaceService → app. It listens first so
 * /health answers while the models load (/ready says 503 until then), and shuts down gracefully.
 */
import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../config/config.loader.js';
import type { Config } from '../config/config.schema.js';
import { buildApp } from './app.compose.js';
import { DIALECTS } from '../compat/dialects.js';
import { Metrics } from '../http/shared/metrics.plugin.js';
import { usePixelKernels } from '../adapters/image/native-kernels.js';
import { hasNodeFlags } from './node-flags.js';
import type { ProgressLog } from '../ports/vector-index.port.js';
import type { Clock } from '../ports/clock.port.js';
import { buildAccounts, type AccountStack } from './accounts.compose.js';
import { GALLERY_IMPORT_JOB, galleryImportHandler, type GalleryService } from '../core/index.js';
import { buildCatalogue } from './catalogue.compose.js';
import { DeferredAnalyzer } from './deferred-analyzer.js';
import { buildFaceSearch } from './face-search.compose.js';
import { buildFaceService, buildGalleries, buildJobs, databasePath, engineOptions, galleriesShared, loadRealAnalyzer, packageVersion, type AnalyzerLoader } from './services.compose.js';

export interface RunningServer {
  app: FastifyInstance;
  /** The listeners of dialects given a port of their own (in DIALECTS order). */
  dialectApps: FastifyInstance[];
  config: Config;
  /** Resolves once the models are loaded (rejects when they cannot be). */
  loaded: Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  loadAnalyzer?: AnalyzerLoader;
  /** Time for limits, bans, expiry and credit periods (tests pass a fake). */
  clock?: Clock;
  /** Where the first-start key is printed (stdout by default; never the log). */
  print?: (text: string) => void;
}

export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const config = loadConfig(opts.env ?? process.env);
  // Checked here as well as in each worker, so VISAGE_PIXEL_KERNELS=native without the addon
  // stops start-up with the fix instead of leaving /ready at 503.
  const pixelKernels = usePixelKernels(config.pixelKernels);
  const analyzer = new DeferredAnalyzer();
  let closing = false;
  let indexesReady = false;
  const faceService = buildFaceService(config, analyzer);
  // The logger exists only once the app does; index repair logs through it.
  let log: ProgressLog = { info() {}, warn() {} };
  const stack = buildGalleries(config, faceService, { info: (...a) => log.info(...a), warn: (...a) => log.warn(...a) });
  // A vector backend that cannot run here (pgvector missing) stops the start before it serves.
  await stack.ready().catch(async (e: unknown) => {
    await stack.close().catch(() => undefined);
    throw e;
  });
  const jobs = buildJobs(config, { info: (...a) => log.info(...a), warn: (...a) => log.warn(...a) });
  // Job handlers of the use cases, registered before the runner starts.
  jobs.jobs.handle(GALLERY_IMPORT_JOB, galleryImportHandler(stack.galleries));
  const catalogue = buildCatalogue(config, stack.galleries, faceService);
  const accounts = buildAccounts(config, opts.clock);
  await accounts.start(opts.print ?? ((text) => void process.stdout.write(text)));
  // Registers its job handler: before jobs.start() below.
  const search = buildFaceSearch(config, { faces: faceService, galleries: stack.galleries, jobs: jobs.jobs, audit: accounts.deps?.audit, clock: opts.clock });
  const appDeps = {
    config,
    faceService,
    galleries: stack.galleries,
    accounts: accounts.deps,
    jobs: jobs.jobs,
    catalogue: catalogue.catalogue,
    faceSearch: search.faceSearch,
    ready: () => analyzer.ready && indexesReady && !closing,
    version: packageVersion(),
  };
  const app = await buildApp({ ...appDeps, metrics: serverMetrics(analyzer, stack.galleries, accounts) });
  log = app.log;
  // Said at every start, so an operator sees which state the nodes share (docs/scale-out.md).
  if (config.databaseUrl) {
    if (galleriesShared(config)) {
      app.log.info('DATABASE_URL: every store is shared in PostgreSQL (accounts, keys, credits, limits, bans, audit, galleries, faces, jobs, catalogue, search indexes, searches); this node keeps only its vector index cache');
      // Written only by a node that kept galleries per node (before they moved, or with the switch off).
      if (existsSync(databasePath(config))) {
        app.log.warn({ path: databasePath(config) }, 'this data dir holds a SQLite database that is not read while galleries are in PostgreSQL; set VISAGE_GALLERIES_ON_POSTGRES=false to use it');
      }
    } else {
      app.log.warn('DATABASE_URL with VISAGE_GALLERIES_ON_POSTGRES=false: accounts, keys, credits, rate limits, bans and the audit log are shared in PostgreSQL; galleries, faces, jobs, the catalogue, search indexes and searches are per node (this data dir)');
    }
  }
  await app.listen({ port: config.port, host: config.host });
  // A dialect given a port of its own also answers there, at its vendor's fixed paths.
  const dialectApps: FastifyInstance[] = [];
  for (const dialect of DIALECTS) {
    const port = dialect.portKey ? (config as unknown as Record<string, unknown>)[dialect.portKey] : undefined;
    if (typeof port !== 'number' || port <= 0) continue;
    const side = await buildApp({ ...appDeps, dialectAtRoot: dialect });
    await side.listen({ port, host: config.host });
    dialectApps.push(side);
  }
  const started = Date.now();
  const indexed = stack.warmUp().then(() => {
    indexesReady = true;
  });
  const models = (opts.loadAnalyzer ?? loadRealAnalyzer)(config.workers, engineOptions(config)).then((real) => {
    analyzer.set(real);
    app.log.info({ workers: config.workers, ms: Date.now() - started, embedder: `${real.embedder.id}@${real.embedder.version}`, pixelKernels, singleThreadedGc: hasNodeFlags() }, 'models loaded');
    if (pixelKernels === 'js') app.log.warn('pixel loops run in JS (the C++ kernels are not built: npm run build:native): same results, ~30 % fewer photos per second');
  });
  // Jobs run once the engine and the indexes are ready: their handlers use both.
  const loaded = Promise.all([indexed, models])
    .then(() => jobs.start())
    .then(() => app.log.info({ ms: Date.now() - started }, 'ready'));
  return {
    app,
    dialectApps,
    config,
    loaded,
    async close() {
      closing = true; // /ready turns 503 first so a load balancer stops sending work
      for (const side of dialectApps) await side.close();
      await app.close(); // waits for in-flight requests
      await jobs.close();
      await search.close();
      await analyzer.close();
      await catalogue.close();
      await stack.close();
      await accounts.close();
    },
  };
}

/** /metrics with the pool's load, faces per gallery and credits spent, read on each scrape. */
function serverMetrics(analyzer: DeferredAnalyzer, galleries: GalleryService, accounts: AccountStack): Metrics {
  const accountIds = async () => (await accounts.store.listAccounts()).map((a) => a.id);
  return new Metrics({
    analyzer: () => analyzer.stats(),
    galleries: async () =>
      (
        await Promise.all(
          (await accountIds()).map(async (account) =>
            (await galleries.scoped(account).listGalleries()).map((g) => ({ account, gallery: g.name, faces: g.faceCount })),
          ),
        )
      ).flat(),
    credits: async () =>
      Promise.all(
        (await accountIds()).map(async (account) => {
          const r = await accounts.deps.credits.report(account);
          return { account, period: r.period, spent: r.spent };
        }),
      ),
  });
}

/** `visage serve`: runs until SIGINT/SIGTERM; a second signal exits at once. */
export async function serve(): Promise<void> {
  const server = await startServer();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      server.app.log.warn({ signal }, 'second signal; exiting now');
      process.exit(1);
    }
    stopping = true;
    server.app.log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (err) => {
        server.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  try {
    await server.loaded;
  } catch (err) {
    server.app.log.fatal({ err }, 'the models could not be loaded');
    await server.close().catch(() => undefined);
    throw err;
  }
}
