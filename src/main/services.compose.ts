/**
 * Composition helpers shared by the server and the CLI: the only place adapters are chosen.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { createFaceAnalyzer } from './face-analyzer.compose.js';
import type { EngineOptions } from './face-models.compose.js';
import { SqliteFaceStore } from '../adapters/store/sqlite/sqlite-face.store.js';
import { buildVectorIndexes } from './vector-index.compose.js';
import { FaceIndexRegistry } from '../core/face-index.registry.js';
import { GalleryService } from '../core/gallery.service.js';
import { leaseDatabase, leasePgPool } from './database.compose.js';
import { PgGalleryLock } from '../adapters/store/postgres/pg-gallery.lock.js';
import { PgJobQueue } from '../adapters/store/postgres/pg-job.queue.js';
import { PgFaceStore } from '../adapters/store/postgres/pg-face.store.js';
import type { FaceStore } from '../ports/face-store.port.js';
import type { ChangeFeed } from '../ports/change-feed.port.js';
import type { GalleryWriteLock } from '../ports/gallery-lock.port.js';
import type { JobQueue } from '../ports/job-queue.port.js';
import { SqliteJobQueue } from '../adapters/store/sqlite/sqlite-job.queue.js';
import { JobRunner } from '../core/job-runner.js';
import { JobService } from '../core/job.service.js';
import { InProcessGalleryLock } from '../adapters/lock/in-process-gallery.lock.js';
import type { ProgressLog } from '../ports/vector-index.port.js';
import { SharpDecoder } from '../adapters/image/sharp-decoder.adapter.js';
import { UrlFetcher, type Resolver } from '../adapters/net/url-fetcher.adapter.js';
import { SharpThumbnailer } from '../adapters/image/sharp-thumbnailer.adapter.js';
import type { Config } from '../config/config.schema.js';
import { FaceService } from '../core/face.service.js';
import type { FaceAnalyzer } from '../ports/face-analyzer.port.js';

export type AnalyzerLoader = (poolSize: number, engine?: EngineOptions) => Promise<FaceAnalyzer>;

/** The engine settings config holds. */
export const engineOptions = (config: Config): EngineOptions => ({ detectorEarlyExit: config.detectorEarlyExit, pixelKernels: config.pixelKernels });

/** Loads the real engine; poolSize 0 runs inference in this thread (CLI one-offs). */
export const loadRealAnalyzer: AnalyzerLoader = (poolSize, engine) => createFaceAnalyzer({ poolSize, engine });

export { indexOptions } from './vector-index.compose.js';

/** `resolve` replaces DNS (tests point a public name at a local server). */
export function buildFetcher(config: Config, resolve?: Resolver): UrlFetcher {
  return new UrlFetcher({ timeoutMs: config.urlFetchTimeoutMs, maxBytes: config.urlFetchMaxBytes, allowPrivate: config.urlAllowPrivate, resolve });
}

export function buildFaceService(config: Config, analyzer: FaceAnalyzer, resolve?: Resolver): FaceService {
  const decoder = new SharpDecoder({ maxPixels: config.maxPixels, maxAnalysisSide: config.maxAnalysisSide });
  return new FaceService({ analyzer, decoder, fetcher: buildFetcher(config, resolve), thumbnailer: new SharpThumbnailer() }, { minFaceSize: config.defaultMinFaceSize, maxFaces: config.defaultMaxFaces });
}

/** The absolute path of the SQLite file under the data dir (galleries, accounts, keys: one file). */
export function databasePath(config: Config): string {
  return resolvePath(config.dataDir, 'visage.db');
}

export interface GalleryStack {
  galleries: GalleryService;
  /** Rejects (a ConfigError) when the vector backend cannot run here: await it before serving. */
  ready(): Promise<void>;
  /** Checks every gallery's index against the database, repairing it if needed. */
  warmUp(): Promise<void>;
  close(): Promise<void>;
}

/** The durable store under the data dir: SQLite (system of record) and the per-gallery indexes. */
export function buildGalleries(config: Config, faceService: FaceService, log: ProgressLog): GalleryStack {
  mkdirSync(config.dataDir, { recursive: true });
  let store: FaceStore & ChangeFeed;
  let followOthers: (indexes: FaceIndexRegistry) => () => void = () => () => undefined;
  if (galleriesShared(config)) {
    const lease = leasePgPool(config.databaseUrl);
    const pgStore = new PgFaceStore(lease.pool, lease.release, REMOVAL_LOG_RETENTION_MS);
    store = pgStore;
    followOthers = (indexes) => pgStore.subscribeRemote(catchUpOnNotice(pgStore, indexes, log));
  } else {
    const lease = leaseDatabase(databasePath(config));
    store = new SqliteFaceStore(lease.db, lease.release);
  }
  const vectors = buildVectorIndexes(config);
  const indexes = new FaceIndexRegistry(store, store, vectors.provider, log);
  const lock = galleryLock(config);
  const galleries = new GalleryService({ store, indexes, lock: lock.lock, faces: faceService, thumbnailer: new SharpThumbnailer() });
  const unfollow = followOthers(indexes);
  return {
    galleries,
    ready: vectors.start,
    // Every account's galleries: an index no live gallery owns is deleted, so all must be listed.
    warmUp: async () => indexes.warmUp(await store.listAllGalleries()),
    close: async () => {
      unfollow();
      await indexes.close();
      await store.close();
      await vectors.release();
      await lock.release();
    },
  };
}

/**
 * With galleries on PostgreSQL, a node keeps each deletion in the log for a day after it
 * committed, whatever its own index saved: another node's index at an older mark then catches
 * up from the log instead of rebuilding (a node down for longer rebuilds at its next start).
 */
const REMOVAL_LOG_RETENTION_MS = 24 * 3600_000;

/**
 * Another node committed to a gallery: catch this node's index of it up now, so the next search
 * finds it current (a search would catch up anyway; this takes that wait off it). One catch-up
 * per gallery at a time; a notice arriving meanwhile runs one more after it.
 */
function catchUpOnNotice(store: FaceStore, indexes: FaceIndexRegistry, log: ProgressLog): (galleryId: number, seq: number) => void {
  const running = new Map<number, { again: boolean }>();
  const run = async (galleryId: number): Promise<void> => {
    const state = { again: false };
    running.set(galleryId, state);
    try {
      do {
        state.again = false;
        const g = await store.getGalleryById(galleryId);
        if (g) await indexes.current(g);
      } while (state.again);
    } catch (e) {
      log.warn({ galleryId, err: (e as Error).message }, 'catching up after another node\'s change failed; the next search retries');
    } finally {
      running.delete(galleryId);
    }
  };
  return (galleryId) => {
    const r = running.get(galleryId);
    if (r) r.again = true;
    else void run(galleryId);
  };
}

/**
 * Galleries (faces, templates, thumbnails) live in PostgreSQL with DATABASE_URL, unless
 * VISAGE_GALLERIES_ON_POSTGRES=false keeps them per node. Everything that refers to them or runs
 * on them goes with them, not with the accounts: the job queue and the gallery write lock (every
 * job kind writes galleries), the catalogue (its photos name faces), search indexes (their rows
 * refer to galleries and faces) and search sessions (read by whichever node runs the search's
 * job). Each node's vector indexes stay a local cache, kept in step by the change feed
 * (docs/scale-out.md).
 */

/** Whether this process keeps galleries, faces, jobs, the lock, catalogue, search indexes and searches in PostgreSQL. */
export const galleriesShared = (config: Config): boolean => config.galleriesOnPostgres && config.databaseUrl !== '';

/** The lock's pool lease is released at close, so the last release ends the pool (its idle connections kept the process up). */
function galleryLock(config: Config): { lock: GalleryWriteLock; release(): Promise<void> } {
  if (!galleriesShared(config)) return { lock: new InProcessGalleryLock(), release: async () => undefined };
  const lease = leasePgPool(config.databaseUrl);
  return { lock: new PgGalleryLock(lease.pool), release: lease.release };
}

function openJobQueue(config: Config): { queue: JobQueue; release(): Promise<void> } {
  if (galleriesShared(config)) {
    const pg = leasePgPool(config.databaseUrl);
    return { queue: new PgJobQueue(pg.pool), release: pg.release };
  }
  const lease = leaseDatabase(databasePath(config));
  return { queue: new SqliteJobQueue(lease.db), release: async () => lease.release() };
}

export interface JobStack {
  jobs: JobService;
  /** Resumes what this node left running and starts claiming (once the engine and indexes are ready). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The durable job queue on the process's database handle and this node's runner. Use cases
 * register their handlers on `jobs` before `start()`.
 */
export function buildJobs(config: Config, log: ProgressLog): JobStack {
  const { queue, release } = openJobQueue(config);
  const runner = new JobRunner(queue, {
    node: config.nodeName,
    concurrency: config.jobConcurrency,
    leaseMs: config.jobLeaseMs,
    onError: (jobId, e) => log.warn({ jobId, err: (e as Error).message }, 'job failed'),
  });
  return {
    jobs: new JobService(queue, runner),
    start: async () => {
      const r = await runner.start();
      if (r.requeued + r.failed + r.cancelled > 0) log.info({ ...r }, 'jobs of the previous run resumed');
    },
    close: async () => {
      // Running jobs get a few seconds; the rest resume at the next start.
      await runner.stop(5000);
      await queue.close();
      await release();
    },
  };
}

export interface LocalStack extends GalleryStack {
  faces: FaceService;
}

const quiet: ProgressLog = { info() {}, warn() {} };

/**
 * The server's face service and durable store in this process, for batch jobs such as
 * `visage index`: the engine gets a worker pool of config.workers so every core is used.
 */
export async function buildLocalStack(config: Config, loadAnalyzer: AnalyzerLoader = loadRealAnalyzer, log: ProgressLog = quiet): Promise<LocalStack> {
  const analyzer = await loadAnalyzer(config.workers, engineOptions(config));
  const faces = buildFaceService(config, analyzer);
  const stack = buildGalleries(config, faces, log);
  try {
    await stack.ready();
  } catch (e) {
    await stack.close().catch(() => undefined);
    await analyzer.close();
    throw e;
  }
  return {
    ...stack,
    faces,
    close: async () => {
      await stack.close(); // saves the indexes
      await analyzer.close();
    },
  };
}

export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
