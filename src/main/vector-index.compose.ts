/**
 * The vector search backend VISAGE_VECTOR_BACKEND names: usearch (each node's indexes in its
 * data dir) or pgvector (tables in the PostgreSQL of DATABASE_URL). Config has already checked
 * that pgvector comes with DATABASE_URL and shared galleries; whether the database has the
 * extension is known only once connected, so `start()` checks it and refuses the start.
 */
import { join } from 'node:path';
import { PgvectorIndexProvider, PgvectorUnavailableError } from '../adapters/index/pgvector-vector.index.js';
import { pgSqlClient } from '../adapters/index/pgvector.schema.js';
import { UsearchIndexProvider, type UsearchIndexOptions } from '../adapters/index/usearch-vector.index.js';
import { ConfigError } from '../config/config.loader.js';
import type { Config } from '../config/config.schema.js';
import { redactDatabaseUrl } from '../config/database-url.js';
import type { VectorIndexProvider } from '../ports/vector-index.port.js';
import { leasePgPool } from './database.compose.js';

export interface VectorIndexes {
  provider: VectorIndexProvider;
  /** Rejects with a ConfigError naming VISAGE_VECTOR_BACKEND when pgvector is not usable there. */
  start(): Promise<void>;
  release(): Promise<void>;
}

/** The vector index settings of the config (usearch). */
export function indexOptions(config: Config): UsearchIndexOptions {
  return { exactLimit: config.indexExactLimit, quantization: config.indexQuantization, expansionSearch: config.indexEfSearch };
}

export function buildVectorIndexes(config: Config): VectorIndexes {
  if (config.vectorBackend !== 'pgvector') {
    return { provider: new UsearchIndexProvider(join(config.dataDir, 'index'), indexOptions(config)), start: async () => undefined, release: async () => undefined };
  }
  const lease = leasePgPool(config.databaseUrl);
  const provider = new PgvectorIndexProvider(pgSqlClient(lease.pool), {
    exactLimit: config.indexExactLimit,
    // Config refuses i8 with pgvector.
    scalar: config.indexQuantization === 'f16' ? 'f16' : 'f32',
    expansionSearch: config.indexEfSearch,
  });
  return {
    provider,
    async start() {
      try {
        await provider.start();
      } catch (e) {
        if (!(e instanceof PgvectorUnavailableError)) throw e;
        throw new ConfigError([
          `VISAGE_VECTOR_BACKEND=pgvector: the PostgreSQL at DATABASE_URL (${redactDatabaseUrl(config.databaseUrl)}) cannot serve it: ${e.reason}. ` +
            'Install pgvector there (Debian: apt-get install postgresql-<version>-pgvector) and run CREATE EXTENSION vector as a role allowed to, or set VISAGE_VECTOR_BACKEND=usearch',
        ]);
      }
    },
    release: lease.release,
  };
}
