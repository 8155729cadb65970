import { join } from 'node:path';
import { openDatabase } from '../../../../src/adapters/store/sqlite/sqlite-database.js';
import { SqliteCatalogueStore } from '../../../../src/adapters/store/sqlite/sqlite-catalogue.store.js';
import { catalogueStoreContract } from '../../../ports/catalogue-store.contract.js';

catalogueStoreContract('SQLite', {
  open: (dir) => {
    const db = openDatabase(join(dir, 'visage.db'), { synchronous: 'NORMAL' });
    return new SqliteCatalogueStore(db, () => db.close());
  },
});
