/**
 * The web console (console/ at the repository root): plain ES modules and CSS, no build step, so
 * what `npm ci` leaves is what is served. `/` is the page, `/console/*` its files; the file list
 * is read once at start, so no request path ever reaches the file system. The page talks to /v1
 * only and gets a CSP of its own: same-origin scripts, styles and calls, images from blobs.
 * Hidden from the OpenAPI document: it is not part of the API.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

export const CONSOLE_DIR = fileURLToPath(new URL('../../../console/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}

export async function registerConsole(app: FastifyInstance, o: { dir?: string } = {}): Promise<void> {
  const dir = o.dir ?? CONSOLE_DIR;
  let files: string[];
  try {
    files = listFiles(dir).filter((f) => TYPES[extname(f)]);
  } catch {
    return; // an install without console/ serves the API alone
  }
  const assets = new Map(files.map((f) => [relative(dir, f).split(sep).join('/'), { body: readFileSync(f), type: TYPES[extname(f)]! }]));
  const send = (name: string) => async (_req: unknown, reply: import('fastify').FastifyReply) => {
    const a = assets.get(name)!;
    return reply.header('content-security-policy', CSP).header('cache-control', 'no-cache').type(a.type).send(a.body);
  };
  if (assets.has('index.html')) app.get('/', { schema: { hide: true } }, send('index.html'));
  for (const name of assets.keys()) app.get(`/console/${name}`, { schema: { hide: true } }, send(name));
}
