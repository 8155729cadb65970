/**
 * Reads the configuration once: defaults, then environment variables, validated against the
 * schema and frozen. Every bad variable is named in one error, so an operator fixes all at once.
 */
import { availableParallelism, hostname } from 'node:os';
import { Value } from '@sinclair/typebox/value';
import { ConfigSchema, ENV_VARS, type Config } from './config.schema.js';
import { databaseUrlProblems } from './database-url.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const MB = 1024 * 1024;

export function defaultConfig(): Config {
  return {
    port: 8080,
    findfacePort: 0,
    sightcorpPort: 0,
    facehubPort: 0,
    facecheckPort: 0,
    facematchPort: 0,
    searchRetentionHours: 24,
    host: '0.0.0.0',
    maxUploadBytes: 10 * MB,
    // 40 MP covers every phone/DSLR photo we expect; a 50 MP image is refused before decoding.
    maxPixels: 40_000_000,
    // The detector looks at ≤ 480 px (plus tiles sized relative to the photo) and the other
    // models at ≤ 224 px crops, so 3072 px loses nothing they use while a 36 MP JPEG decodes
    // with shrink-on-load into ~1/6 of the pixels.
    maxAnalysisSide: 3072,
    workers: Math.max(1, availableParallelism()),
    // Host names may hold characters a node name may not (the job queue uses ':' as a separator).
    nodeName: hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64) || 'visage',
    jobConcurrency: 2,
    // A killed node's jobs wait this long for another node; shorter means more heartbeat writes.
    jobLeaseMs: 30_000,
    detectorEarlyExit: true,
    pixelKernels: 'auto',
    urlFetchTimeoutMs: 5000,
    urlFetchMaxBytes: 10 * MB,
    urlAllowPrivate: false,
    dataDir: './data',
    indexExactLimit: 10_000,
    indexQuantization: 'f32',
    indexEfSearch: 128,
    vectorBackend: 'usearch',
    logLevel: 'info',
    ethnicity: false,
    // Chosen on the eval photos (bench/min-face-size.ts, docs/accuracy.md "Minimum face size").
    defaultMinFaceSize: 12,
    defaultMaxFaces: 100,
    adminKey: '',
    defaultMonthlyCredits: 0,
    // Measured (docs/configuration.md, "Rate limits and bans"): a serial curl loop here makes 156
    // requests/s on /v1/account and 27-59/s on /v1/detect, so 500/s leaves any such loop 3x room;
    // the burst of 2 s lets a parallel batch start at once. A key can still be given a lower limit.
    rateLimitPerSecond: 500,
    rateLimitBurst: 1000,
    // One process: buckets in memory (no write per request); bans are in SQLite regardless.
    rateLimitStore: 'memory',
    databaseUrl: '',
    // True by default once DATABASE_URL is set (below).
    galleriesOnPostgres: false,
    abuseFailuresToBlock: 10,
    abuseFailureWindowMs: 60_000,
    abuseBlockMs: 5 * 60_000,
    abuseBlocksToBan: 3,
    abuseBanWindowMs: 24 * 3_600_000,
    abuseBanMs: 24 * 3_600_000,
    auditRetentionDays: 90,
    corsOrigins: '',
    hsts: false,
    requestTimeoutMs: 30_000,
    headersTimeoutMs: 10_000,
    maxHeaderBytes: 16 * 1024,
    maxJsonDepth: 64,
    trustProxy: false,
    metrics: 'key',
  };
}

function parseValue(kind: 'int' | 'number' | 'bool' | 'string', raw: string): unknown {
  const t = raw.trim();
  if (kind === 'string') return t;
  if (kind === 'bool') {
    if (/^(1|true|yes|on)$/i.test(t)) return true;
    if (/^(0|false|no|off)$/i.test(t)) return false;
    return raw; // left as text so validation names it
  }
  if (kind === 'number') return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : raw;
  return /^-?\d+$/.test(t) ? Number(t) : raw;
}

/** Builds the config from `env` (process.env by default). Throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cfg: Record<string, unknown> = { ...defaultConfig() };
  const sourceOf = new Map<string, string>();
  const set = (name: string, key: string, kind: 'int' | 'number' | 'bool' | 'string') => {
    const raw = env[name];
    if (raw === undefined || raw === '') return;
    cfg[key] = parseValue(kind, raw);
    sourceOf.set(key, name);
  };
  // PORT is the platform convention (Heroku, Cloud Run); VISAGE_PORT wins when both are set.
  set('PORT', 'port', 'int');
  for (const [name, spec] of Object.entries(ENV_VARS)) set(name, spec.key, spec.kind);
  // The URL fetch limit follows the upload limit unless set on its own.
  if (!sourceOf.has('urlFetchMaxBytes') && sourceOf.has('maxUploadBytes')) cfg.urlFetchMaxBytes = cfg.maxUploadBytes;

  const problems: string[] = [];
  const seen = new Set<string>();
  for (const err of Value.Errors(ConfigSchema, cfg)) {
    const key = err.path.replace(/^\//, '').split('/')[0] ?? '';
    if (seen.has(key)) continue;
    seen.add(key);
    const name = sourceOf.get(key) ?? `(default ${key})`;
    problems.push(`${name}=${JSON.stringify(env[name] ?? cfg[key])}: ${err.message}`);
  }
  if (typeof cfg.adminKey === 'string' && cfg.adminKey !== '' && cfg.adminKey.length < 24) {
    problems.push('VISAGE_ADMIN_KEY: must be at least 24 characters (use a long random value)');
  }
  if (cfg.ethnicity === true) problems.push('VISAGE_ETHNICITY: ethnicity estimation is reserved and cannot be enabled');
  if (typeof cfg.databaseUrl === 'string') problems.push(...databaseUrlProblems(cfg.databaseUrl));
  // With a shared database the buckets are shared too, unless memory (per node) is asked for.
  if (cfg.databaseUrl && !sourceOf.has('rateLimitStore')) cfg.rateLimitStore = 'postgres';
  // With a shared database every store is shared by default; an explicit false keeps galleries,
  // faces, jobs, the catalogue, search indexes and searches per node (docs/scale-out.md).
  if (cfg.databaseUrl && !sourceOf.has('galleriesOnPostgres')) cfg.galleriesOnPostgres = true;
  if (cfg.galleriesOnPostgres && !cfg.databaseUrl) problems.push('VISAGE_GALLERIES_ON_POSTGRES: needs DATABASE_URL');
  // pgvector's tables are keyed by gallery id, so the galleries must be the shared ones too.
  if (cfg.vectorBackend === 'pgvector') {
    if (!cfg.databaseUrl) problems.push('VISAGE_VECTOR_BACKEND=pgvector: needs DATABASE_URL (a PostgreSQL with the pgvector extension)');
    else if (!cfg.galleriesOnPostgres) problems.push('VISAGE_VECTOR_BACKEND=pgvector: needs the galleries in PostgreSQL (not VISAGE_GALLERIES_ON_POSTGRES=false)');
    if (cfg.indexQuantization === 'i8') problems.push('VISAGE_INDEX_QUANTIZATION=i8: pgvector stores f32 (vector) or f16 (halfvec)');
  }
  if (cfg.rateLimitStore === 'postgres' && !cfg.databaseUrl) problems.push('VISAGE_RATE_LIMIT_STORE=postgres: needs DATABASE_URL');
  if (cfg.rateLimitStore === 'sqlite' && cfg.databaseUrl) problems.push('VISAGE_RATE_LIMIT_STORE=sqlite: with DATABASE_URL the shared buckets are in PostgreSQL (postgres, the default) or per node (memory)');
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(cfg as Config);
}
