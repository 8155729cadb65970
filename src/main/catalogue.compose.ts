/** The catalogue on the process's SQLite handle, over the account-scoped gallery and face services. */
import { SqliteCatalogueStore } from '../adapters/store/sqlite/sqlite-catalogue.store.js';
import type { Config } from '../config/config.schema.js';
import { CatalogueService } from '../core/catalogue/catalogue.service.js';
import type { FaceService } from '../core/face.service.js';
import type { GalleryService } from '../core/gallery.service.js';
import { leaseDatabase } from './database.compose.js';
import { buildLocalStack, databasePath, type AnalyzerLoader } from './services.compose.js';

export interface CatalogueStack {
  catalogue: CatalogueService;
  close(): Promise<void>;
}

export function buildCatalogue(config: Config, galleries: GalleryService, faces: FaceService): CatalogueStack {
  const lease = leaseDatabase(databasePath(config));
  const store = new SqliteCatalogueStore(lease.db, lease.release);
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
