/**
 * The server's configuration: one TypeBox schema, read once from the environment at start.
 * Names here are the internal (camelCase) ones; `config.loader.ts` maps env variables onto them.
 */
import { Type, type Static } from '@sinclair/typebox';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const Int = (min: number, max: number) => Type.Integer({ minimum: min, maximum: max });

export const ConfigSchema = Type.Object(
  {
    port: Int(0, 65535),
    /** The Sightcorp F.A.C.E. dialect's own listener (its fixed /api/detect/ path at the root); 0 = none. */
    findfacePort: Int(0, 65535),
    sightcorpPort: Int(0, 65535),
    /** The FaceHub dialect's own listener (its /api/data/... paths at the root); 0 = none. */
    facehubPort: Int(0, 65535),
    facecheckPort: Int(0, 65535),
    /** The Face.Match.Expert dialect's own listener (its /v1/... paths at the root); 0 = none. */
    facematchPort: Int(0, 65535),
    /** How long uploaded search photos, previews and results are kept. */
    searchRetentionHours: Int(1, 24 * 365),
    host: Type.String({ minLength: 1 }),
    maxUploadBytes: Int(1024, 1024 * 1024 * 1024),
    maxPixels: Int(1, 1_000_000_000),
    /**
     * Photos whose longer side (after EXIF rotation) exceeds this are decoded straight to this
     * size (JPEG shrink-on-load) and analysed there; results are mapped back to original pixels.
     * Faces in such photos are hundreds of pixels wide while the models use 64–224 px crops, so
     * full resolution only costs decode time and memory. Set it above your largest photos' side
     * to analyse at full resolution.
     */
    maxAnalysisSide: Int(512, 1_000_000),
    workers: Int(1, 256),
    /** This process's name among the nodes on one database: its unfinished jobs resume when a process of that name starts. */
    nodeName: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }),
    /** Background jobs (large gallery adds, searches) run at once by this process. */
    jobConcurrency: Int(1, 64),
    /**
     * How long a job stays with a worker that stops answering (a killed node) before another
     * node may take it over; its heartbeat renews it every third of this.
     */
    jobLeaseMs: Int(1000, 3_600_000),
    /**
     * Detector coarse to fine: skip the other three looks when the first is sure of every face it
     * sees, or the mirrored looks when the plain ones are (docs/accuracy.md has what it changes).
     */
    detectorEarlyExit: Type.Boolean(),
    /** Pixel loops: `auto` (C++ when built, else JS), `native` (fail start-up unless built), `js`. */
    pixelKernels: Type.Union([Type.Literal('auto'), Type.Literal('native'), Type.Literal('js')]),
    urlFetchTimeoutMs: Int(100, 120_000),
    urlFetchMaxBytes: Int(1024, 1024 * 1024 * 1024),
    /** Lets URL inputs reach private/loopback addresses: tests and closed intranets only. */
    urlAllowPrivate: Type.Boolean(),
    dataDir: Type.String({ minLength: 1 }),
    /** Galleries up to this many faces are searched exactly; larger ones by an HNSW graph. */
    indexExactLimit: Int(0, 10_000_000),
    /** HNSW vector storage: f32, f16 or i8 (i8: about a third of the memory and disk, faster, lower recall at 1M; docs/benchmarks.md). */
    indexQuantization: Type.Union([Type.Literal('f32'), Type.Literal('f16'), Type.Literal('i8')]),
    /** HNSW candidate list per search (expansion_search): recall against time. */
    indexEfSearch: Int(8, 10_000),
    /**
     * Where vector search runs: `usearch` (each node keeps its indexes in memory, a cache of the
     * templates) or `pgvector` (the indexes are tables in the PostgreSQL of DATABASE_URL, with
     * the pgvector extension; docs/scale-out.md, "Search backends").
     */
    vectorBackend: Type.Union([Type.Literal('usearch'), Type.Literal('pgvector')]),
    logLevel: Type.Union(LOG_LEVELS.map((l) => Type.Literal(l))),
    /** Reserved: ethnicity estimation stays off; the flag exists so enabling it is a visible decision. */
    ethnicity: Type.Boolean(),
    defaultMinFaceSize: Int(1, 10_000),
    defaultMaxFaces: Int(1, 10_000),
    /** Admin key (≥ 24 characters), accepted besides the stored keys with the admin scope. Empty = none. */
    adminKey: Type.String(),
    /** Monthly credits of a new account; 0 = unlimited. */
    defaultMonthlyCredits: Int(0, 1_000_000_000),
    /** Default per-key rate limit: sustained requests per second and burst. */
    rateLimitPerSecond: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 }),
    rateLimitBurst: Int(1, 10_000_000),
    /**
     * Where token buckets live: this process's memory, the SQLite database (shared by every
     * process on it), or PostgreSQL (every node on DATABASE_URL; the default when it is set).
     */
    rateLimitStore: Type.Union([Type.Literal('memory'), Type.Literal('sqlite'), Type.Literal('postgres')]),
    /** postgres://… : the shared stores of several nodes (docs/scale-out.md); '' = the embedded SQLite. */
    databaseUrl: Type.String(),
    /**
     * Galleries, faces, jobs, the gallery lock, the catalogue, search indexes and search sessions
     * in PostgreSQL too: the default with DATABASE_URL; false keeps them per node (SQLite and
     * files in the data dir) while accounts, keys, credits, limits and bans stay shared.
     */
    galleriesOnPostgres: Type.Boolean(),
    /** Invalid keys from one IP within the window that block it for abuseBlockMs (FaceHub 1S290/D). */
    abuseFailuresToBlock: Int(1, 1_000_000),
    abuseFailureWindowMs: Int(1000, 86_400_000),
    abuseBlockMs: Int(1000, 86_400_000),
    /** The n-th block within abuseBanWindowMs becomes a ban of abuseBanMs (1S290/A). */
    abuseBlocksToBan: Int(1, 1000),
    abuseBanWindowMs: Int(1000, 31 * 86_400_000),
    abuseBanMs: Int(1000, 366 * 86_400_000),
    auditRetentionDays: Int(1, 3650),
    /** Allowed CORS origins, comma-separated, or `*`; empty = no CORS headers. */
    corsOrigins: Type.String(),
    /** Sends Strict-Transport-Security (only behind HTTPS). */
    hsts: Type.Boolean(),
    /** Whole request (headers and body) must arrive within this; slow bodies get REQUEST_TIMEOUT. */
    requestTimeoutMs: Int(100, 3_600_000),
    headersTimeoutMs: Int(100, 600_000),
    maxHeaderBytes: Int(1024, 1024 * 1024),
    maxJsonDepth: Int(2, 1000),
    /** Trust X-Forwarded-For from a reverse proxy for the client IP (bans, allow-lists). */
    trustProxy: Type.Boolean(),
    /**
     * GET /metrics (Prometheus): `key` (default: a key with the metrics or admin scope, since the
     * metrics name every account and gallery), `open` (no key: a private scrape network), `off`.
     */
    metrics: Type.Union([Type.Literal('off'), Type.Literal('open'), Type.Literal('key')]),
  },
  { additionalProperties: false },
);

export type Config = Readonly<Static<typeof ConfigSchema>>;

/** Environment variable → config key, and how to read its text. */
export const ENV_VARS = {
  VISAGE_PORT: { key: 'port', kind: 'int' },
  VISAGE_FINDFACE_PORT: { key: 'findfacePort', kind: 'int' },
  VISAGE_SIGHTCORP_PORT: { key: 'sightcorpPort', kind: 'int' },
  VISAGE_FACEHUB_PORT: { key: 'facehubPort', kind: 'int' },
  VISAGE_FACECHECK_PORT: { key: 'facecheckPort', kind: 'int' },
  VISAGE_FACEMATCH_PORT: { key: 'facematchPort', kind: 'int' },
  VISAGE_SEARCH_RETENTION_HOURS: { key: 'searchRetentionHours', kind: 'int' },
  VISAGE_HOST: { key: 'host', kind: 'string' },
  VISAGE_MAX_UPLOAD_BYTES: { key: 'maxUploadBytes', kind: 'int' },
  VISAGE_MAX_PIXELS: { key: 'maxPixels', kind: 'int' },
  VISAGE_MAX_ANALYSIS_SIDE: { key: 'maxAnalysisSide', kind: 'int' },
  VISAGE_DETECTOR_EARLY_EXIT: { key: 'detectorEarlyExit', kind: 'bool' },
  VISAGE_PIXEL_KERNELS: { key: 'pixelKernels', kind: 'string' },
  VISAGE_WORKERS: { key: 'workers', kind: 'int' },
  VISAGE_NODE_NAME: { key: 'nodeName', kind: 'string' },
  VISAGE_JOB_CONCURRENCY: { key: 'jobConcurrency', kind: 'int' },
  VISAGE_JOB_LEASE_MS: { key: 'jobLeaseMs', kind: 'int' },
  VISAGE_URL_FETCH_TIMEOUT_MS: { key: 'urlFetchTimeoutMs', kind: 'int' },
  VISAGE_URL_FETCH_MAX_BYTES: { key: 'urlFetchMaxBytes', kind: 'int' },
  VISAGE_URL_ALLOW_PRIVATE: { key: 'urlAllowPrivate', kind: 'bool' },
  VISAGE_DATA_DIR: { key: 'dataDir', kind: 'string' },
  VISAGE_INDEX_EXACT_LIMIT: { key: 'indexExactLimit', kind: 'int' },
  VISAGE_INDEX_QUANTIZATION: { key: 'indexQuantization', kind: 'string' },
  VISAGE_INDEX_EF_SEARCH: { key: 'indexEfSearch', kind: 'int' },
  VISAGE_VECTOR_BACKEND: { key: 'vectorBackend', kind: 'string' },
  VISAGE_LOG_LEVEL: { key: 'logLevel', kind: 'string' },
  VISAGE_ETHNICITY: { key: 'ethnicity', kind: 'bool' },
  VISAGE_MIN_FACE_SIZE: { key: 'defaultMinFaceSize', kind: 'int' },
  VISAGE_MAX_FACES: { key: 'defaultMaxFaces', kind: 'int' },
  VISAGE_ADMIN_KEY: { key: 'adminKey', kind: 'string' },
  VISAGE_DEFAULT_MONTHLY_CREDITS: { key: 'defaultMonthlyCredits', kind: 'int' },
  VISAGE_RATE_LIMIT_PER_SECOND: { key: 'rateLimitPerSecond', kind: 'number' },
  VISAGE_RATE_LIMIT_BURST: { key: 'rateLimitBurst', kind: 'int' },
  VISAGE_RATE_LIMIT_STORE: { key: 'rateLimitStore', kind: 'string' },
  DATABASE_URL: { key: 'databaseUrl', kind: 'string' },
  VISAGE_GALLERIES_ON_POSTGRES: { key: 'galleriesOnPostgres', kind: 'bool' },
  VISAGE_ABUSE_FAILURES_TO_BLOCK: { key: 'abuseFailuresToBlock', kind: 'int' },
  VISAGE_ABUSE_FAILURE_WINDOW_MS: { key: 'abuseFailureWindowMs', kind: 'int' },
  VISAGE_ABUSE_BLOCK_MS: { key: 'abuseBlockMs', kind: 'int' },
  VISAGE_ABUSE_BLOCKS_TO_BAN: { key: 'abuseBlocksToBan', kind: 'int' },
  VISAGE_ABUSE_BAN_WINDOW_MS: { key: 'abuseBanWindowMs', kind: 'int' },
  VISAGE_ABUSE_BAN_MS: { key: 'abuseBanMs', kind: 'int' },
  VISAGE_AUDIT_RETENTION_DAYS: { key: 'auditRetentionDays', kind: 'int' },
  VISAGE_CORS_ORIGINS: { key: 'corsOrigins', kind: 'string' },
  VISAGE_HSTS: { key: 'hsts', kind: 'bool' },
  VISAGE_REQUEST_TIMEOUT_MS: { key: 'requestTimeoutMs', kind: 'int' },
  VISAGE_HEADERS_TIMEOUT_MS: { key: 'headersTimeoutMs', kind: 'int' },
  VISAGE_MAX_HEADER_BYTES: { key: 'maxHeaderBytes', kind: 'int' },
  VISAGE_MAX_JSON_DEPTH: { key: 'maxJsonDepth', kind: 'int' },
  VISAGE_TRUST_PROXY: { key: 'trustProxy', kind: 'bool' },
  VISAGE_METRICS: { key: 'metrics', kind: 'string' },
} as const satisfies Record<string, { key: keyof Static<typeof ConfigSchema>; kind: 'int' | 'number' | 'bool' | 'string' }>;
