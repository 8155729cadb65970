import { join } from 'node:path';
import { openDatabase } from '../../../../src/adapters/store/sqlite/sqlite-database.js';
import { SqliteFaceStore } from '../../../../src/adapters/store/sqlite/sqlite-face.store.js';
import { SqliteSearchIndexStore } from '../../../../src/adapters/store/sqlite/sqlite-search-index.store.js';
import { searchIndexStoreContract } from '../../../ports/search-index-store.contract.js';

searchIndexStoreContract('SQLite', {
  open: (dir) => {
    // Both stores on one handle, as the server runs them (main/database.compose.ts).
    const db = openDatabase(join(dir, 'visage.db'), { synchronous: 'NORMAL', secureDelete: true });
    const faces = new SqliteFaceStore(db);
    return {
      index: new SqliteSearchIndexStore(db),
      faces,
      close: async () => {
        await faces.close();
        db.close();
      },
    };
  },
});
