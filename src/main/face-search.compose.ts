/**
 * Reverse face search wiring: the search index's rows and the search sessions beside the
 * galleries (SQLite on the process's handle and folders under the data dir; or, with galleries
 * in PostgreSQL, both on its pool, so a search uploaded through one node is run and read through
 * any), the WEBP thumbnailer, and the job handler, which must be registered on the job service
 * before it starts.
 */
import { join } from 'node:path';
import { FileSearchSessionStore } from '../adapters/store/files/file-search-session.store.js';
import { PgSearchIndexStore } from '../adapters/store/postgres/pg-search-index.store.js';
import { PgSearchSessionStore } from '../adapters/store/postgres/pg-search-session.store.js';
import { SqliteSearchIndexStore } from '../adapters/store/sqlite/sqlite-search-index.store.js';
import { SharpThumbnailer } from '../adapters/image/sharp-thumbnailer.adapter.js';
import type { Config } from '../config/config.schema.js';
import { FACE_SEARCH_JOB, FaceSearchService, faceSearchHandler, SearchIndexService, type AuditService, type FaceService, type GalleryService, type JobService } from '../core/index.js';
import { DEFAULT_ACCOUNT } from '../ports/face-store.port.js';
import type { SearchIndexStore } from '../ports/search-index-store.port.js';
import type { SearchSessionStore } from '../ports/search-session-store.port.js';
import { systemClock, type Clock } from '../ports/clock.port.js';
import { leaseDatabase, leasePgPool } from './database.compose.js';
import { databasePath, galleriesShared } from './services.compose.js';

/**
 * With the galleries: the index rows refer to galleries and faces by foreign key, and a search's
 * job may run on any node that shares the job queue, so its session must be readable there.
 */
function openSearchStores(config: Config): { store: SearchIndexStore; sessions: SearchSessionStore; release(): Promise<void> } {
  if (galleriesShared(config)) {
    const lease = leasePgPool(config.databaseUrl);
    return { store: new PgSearchIndexStore(lease.pool), sessions: new PgSearchSessionStore(lease.pool), release: lease.release };
  }
  const lease = leaseDatabase(databasePath(config));
  return { store: new SqliteSearchIndexStore(lease.db), sessions: new FileSearchSessionStore(join(config.dataDir, 'searches')), release: async () => lease.release() };
}

export interface FaceSearchStack {
  faceSearch: FaceSearchService;
  /** Unscoped index service (the CLI scopes it to --account). */
  indexes: SearchIndexService;
  close(): Promise<void>;
}

export function buildFaceSearch(
  config: Config,
  d: { faces: FaceService; galleries: GalleryService; jobs?: JobService; audit?: AuditService; clock?: Clock },
): FaceSearchStack {
  const { store, sessions, release } = openSearchStores(config);
  const thumbnailer = new SharpThumbnailer();
  const indexes = new SearchIndexService({ galleries: d.galleries, store, faces: d.faces, thumbnailer, audit: d.audit }, DEFAULT_ACCOUNT);
  const clock = d.clock ?? systemClock;
  let faceSearch: FaceSearchService | undefined;
  if (d.jobs) {
    d.jobs.handle(FACE_SEARCH_JOB, faceSearchHandler({ sessions, store, indexes, faces: d.faces }));
    faceSearch = new FaceSearchService({ sessions, indexes, jobs: d.jobs, faces: d.faces, thumbnailer, clock, retentionMs: config.searchRetentionHours * 3600_000 });
    faceSearch.startSweeping();
  }
  return {
    faceSearch: faceSearch!,
    indexes,
    close: async () => {
      faceSearch?.stopSweeping();
      await release();
    },
  };
}
