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
    host: Type.String({ minLength: 1 }),
    maxUploadBytes: Int(1024, 1024 * 1024 * 1024),
    maxPixels: Int(1, 1_000_000_000),
    workers: Int(1, 256),
    urlFetchTimeoutMs: Int(100, 120_000),
    urlFetchMaxBytes: Int(1024, 1024 * 1024 * 1024),
    /** Lets URL inputs reach private/loopback addresses: tests and closed intranets only. */
    urlAllowPrivate: Type.Boolean(),
    dataDir: Type.String({ minLength: 1 }),
    logLevel: Type.Union(LOG_LEVELS.map((l) => Type.Literal(l))),
    /** Reserved: ethnicity estimation stays off; the flag exists so enabling it is a visible decision. */
    ethnicity: Type.Boolean(),
    defaultMinFaceSize: Int(1, 10_000),
    defaultMaxFaces: Int(1, 10_000),
  },
  { additionalProperties: false },
);

export type Config = Readonly<Static<typeof ConfigSchema>>;

/** Environment variable → config key, and how to read its text. */
export const ENV_VARS = {
  VISAGE_PORT: { key: 'port', kind: 'int' },
  VISAGE_HOST: { key: 'host', kind: 'string' },
  VISAGE_MAX_UPLOAD_BYTES: { key: 'maxUploadBytes', kind: 'int' },
  VISAGE_MAX_PIXELS: { key: 'maxPixels', kind: 'int' },
  VISAGE_WORKERS: { key: 'workers', kind: 'int' },
  VISAGE_URL_FETCH_TIMEOUT_MS: { key: 'urlFetchTimeoutMs', kind: 'int' },
  VISAGE_URL_FETCH_MAX_BYTES: { key: 'urlFetchMaxBytes', kind: 'int' },
  VISAGE_URL_ALLOW_PRIVATE: { key: 'urlAllowPrivate', kind: 'bool' },
  VISAGE_DATA_DIR: { key: 'dataDir', kind: 'string' },
  VISAGE_LOG_LEVEL: { key: 'logLevel', kind: 'string' },
  VISAGE_ETHNICITY: { key: 'ethnicity', kind: 'bool' },
  VISAGE_MIN_FACE_SIZE: { key: 'defaultMinFaceSize', kind: 'int' },
  VISAGE_MAX_FACES: { key: 'defaultMaxFaces', kind: 'int' },
} as const satisfies Record<string, { key: keyof Static<typeof ConfigSchema>; kind: 'int' | 'bool' | 'string' }>;
