import { join } from 'node:path';
import { SqliteAccountStore } from '../../../../src/adapters/store/sqlite/sqlite-account.store.js';
import { accountStoreContract } from '../../../ports/account-store.contract.js';

accountStoreContract('SQLite', { open: (dir) => SqliteAccountStore.open(join(dir, 'visage.db')) });
