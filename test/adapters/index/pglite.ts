/**
 * PostgreSQL with pgvector for the pgvector adapter's tests: PGlite (PostgreSQL built to
 * WebAssembly) with its pgvector extension, since Debian's PostgreSQL here has no pgvector.
 * The same SQL runs on a real server through pgSqlClient. A database in memory by default;
 * `dataDir` keeps it in files (to look at what is on disk).
 */
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';

export async function pglite(dataDir?: string): Promise<PGlite> {
  const db = await PGlite.create(dataDir ? { dataDir, extensions: { vector } } : { extensions: { vector } });
  await db.exec('CREATE EXTENSION IF NOT EXISTS vector');
  return db;
}
