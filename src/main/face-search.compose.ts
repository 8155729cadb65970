/**
 * Reverse face search wiring: the search index's SQLite rows on the process's handle, search
 * sessions as folders under the data dir, the WEBP thumbnailer, and the job handler, which must
 * be registered on the job service before it starts.
 */
import { join } from 'node:path';
import { FileSearchSessionStore } from '../adapters/store/files/file-search-session.store.js';
import { SqliteSearchIndexStore } from '../adapters/store/sqlite/sqlite-search-index.store.js';
import { SharpThumbnailer } from '../adapters/image/sharp-thumbnailer.adapter.js';
import type { Config } from '../config/config.schema.js';
import { FACE_SEARCH_JOB, FaceSearchService, faceSearchHandler, SearchIndexService, type AuditService, type FaceService, type GalleryService, type JobService } from '../core/index.js';
import { DEFAULT_ACCOUNT } from '../ports/face-store.port.js';
import { systemClock, type Clock } from '../ports/clock.port.js';
import { leaseDatabase } from './database.compose.js';
import { databasePath } from './services.compose.js';

export interface FaceSearchStack {
  faceSearch: FaceSearchService;
  /** Unscoped index service (the CLI scopes it to --account). */
  indexes: SearchIndexService;
  close(): void;
}

export function buildFaceSearch(
  config: Config,
  d: { faces: FaceService; galleries: GalleryService; jobs?: JobService; audit?: AuditService; clock?: Clock },
): FaceSearchStack {
  const lease = leaseDatabase(databasePath(config));
  const store = new SqliteSearchIndexStore(lease.db);
  const sessions = new FileSearchSessionStore(join(config.dataDir, 'searches'));
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
    close: () => {
      faceSearch?.stopSweeping();
      lease.release();
    },
  };
}
