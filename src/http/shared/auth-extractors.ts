/**
 * Where a credential can come from. Each dialect picks its own list; the first extractor that
 * finds something wins (a malformed one counts as a wrong key, not as "no key").
 * - `Authorization: Bearer <token>` (FaceCheck, native), `Authorization: Token <token>` (FindFace)
 * - `Authorization: LOGIN:PASSWORD` (Face.Match.Expert)
 * - `x-api-key: <token>` (native)
 * - a `key`/`app_key` query or form field (FaceHub, Sightcorp): `needsBody` extractors also look
 *   in a parsed JSON or urlencoded body and in multipart text fields, so they run after body
 *   parsing (auth.plugin reads a multipart body first, once, for the handler too).
 */
import type { FastifyRequest } from 'fastify';
import type { Credential } from '../../core/index.js';
import { fieldsAlreadyRead } from './image-input.js';

export interface CredentialExtractor {
  name: string;
  /** True when it reads body fields (runs once the body is parsed). */
  needsBody?: boolean;
  extract(req: FastifyRequest): Credential | null;
}

const authorization = (req: FastifyRequest): string | null => {
  const h = req.headers.authorization;
  return typeof h === 'string' ? h.trim() : null;
};

function scheme(name: string): CredentialExtractor {
  const re = new RegExp(`^${name}\\s+(\\S+)$`, 'i');
  return {
    name,
    extract(req) {
      const m = authorization(req)?.match(re);
      return m ? { kind: 'token', secret: m[1]! } : null;
    },
  };
}

export const bearerExtractor = scheme('Bearer');
export const tokenExtractor = scheme('Token');

/** `Authorization: LOGIN:PASSWORD` with no scheme word (the password may not contain ':'). */
export const loginPasswordExtractor: CredentialExtractor = {
  name: 'login:password',
  extract(req) {
    const m = authorization(req)?.match(/^([^\s:]+):([^\s:]+)$/);
    return m ? { kind: 'login', login: m[1]!, password: m[2]! } : null;
  },
};

export const apiKeyHeaderExtractor: CredentialExtractor = {
  name: 'x-api-key',
  extract(req) {
    const v = req.headers['x-api-key'];
    return typeof v === 'string' && v.trim() !== '' ? { kind: 'token', secret: v.trim() } : null;
  },
};

/** A query or body field (`key`, `app_key`). */
export function fieldExtractor(...names: string[]): CredentialExtractor {
  return {
    name: `field:${names.join('|')}`,
    needsBody: true,
    extract(req) {
      for (const [via, source] of [['query', req.query], ['body', req.body], ['body', fieldsAlreadyRead(req)]] as const) {
        if (!source || typeof source !== 'object' || Buffer.isBuffer(source)) continue;
        for (const n of names) {
          const v = (source as Record<string, unknown>)[n];
          if (typeof v === 'string' && v.trim() !== '') return { kind: 'token', secret: v.trim(), via };
        }
      }
      return null;
    },
  };
}

export function extractCredential(req: FastifyRequest, extractors: readonly CredentialExtractor[], withBody: boolean): Credential | null {
  for (const e of extractors) {
    if (e.needsBody && !withBody) continue;
    const c = e.extract(req);
    if (c) return c;
  }
  return null;
}
