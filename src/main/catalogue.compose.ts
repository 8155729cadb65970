/**
 * The catalogue over the account-scoped gallery and face services: on the process's SQLite
 * handle, or with galleries in PostgreSQL (DATABASE_URL) on its pool, beside the faces it names.
 */
import { PgCatalogueStore } from '../adapters/store/postgres/pg-catalogue.store.js';
import { SqliteCatalogueStore } from '../adapters/store/sqlite/sqlite-catalogue.store.js';
import type { Config } from '../config/config.schema.js';
import { CatalogueService } from '../core/catalogue/catalogue.service.js';
import type { FaceService } from '../core/face.service.js';
import type { GalleryService } from '../core/gallery.service.js';
import type { CatalogueStore } from '../ports/catalogue-store.port.js';
import { leaseDatabase, leasePgPool } from './database.compose.js';
import { buildLocalStack, databasePath, galleriesShared, type AnalyzerLoader } from './services.compose.js';

export interface CatalogueStack {
  catalogue: CatalogueService;
  close(): Promise<void>;
}

/** Where the galleries are: its photo rows name their faces, so both must be on one database. */
function openCatalogueStore(config: Config): CatalogueStore {
  if (galleriesShared(config)) {
    const lease = leasePgPool(config.databaseUrl);
    return new PgCatalogueStore(lease.pool, lease.release);
  }
  const lease = leaseDatabase(databasePath(config));
  return new SqliteCatalogueStore(lease.db, lease.release);
}

export function buildCatalogue(config: Config, galleries: GalleryService, faces: FaceService): CatalogueStack {
  const store = openCatalogueStore(config);
  return { catalogue: new CatalogueService({ store, galleries, faces }), close: () => store.close() };
}

/**
 * The catalogue in this process, over the server's data dir, for `visage catalogue import`
 * and `demo`: the local face and gallery stack (engine, store, indexes) plus the catalogue store.
 */
export async function buildLocalCatalogue(config: Config, loadAnalyzer?: AnalyzerLoader, account?: string): Promise<CatalogueStack> {
  const local = await buildLocalStack(config, loadAnalyzer);
  const c = buildCatalogue(config, local.galleries, local.faces);
  return {
    catalogue: account ? c.catalogue.scoped(account) : c.catalogue,
    close: async () => {
      await c.close();
      await local.close(); // saves the indexes
    },
  };
}
