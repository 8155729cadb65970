/**
 * The outer limits, each with a stable error code:
 * - headers: Node's maxHeaderSize → HEADERS_TOO_LARGE (431);
 * - slow clients: the whole request (headers, then body) must arrive within requestTimeoutMs →
 *   REQUEST_TIMEOUT (408); headers alone within headersTimeoutMs;
 * - JSON: nesting deeper than maxJsonDepth → JSON_TOO_DEEP, checked by a scan before parsing
 *   (JSON.parse of a deep document recurses); size is the route's bodyLimit → BODY_TOO_LARGE.
 * Malformed HTTP gets BAD_REQUEST. These answers are written on the socket, before Fastify.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { VisageError } from '../../domain/error.registry.js';
import { errorBody } from './error.plugin.js';

export interface PerimeterLimits {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  maxHeaderBytes: number;
  maxJsonDepth: number;
}

/** Fastify options that make its HTTP server apply the limits. */
export function perimeterServerOptions(l: PerimeterLimits): Pick<FastifyServerOptions, 'serverFactory' | 'clientErrorHandler'> {
  return {
    serverFactory: (handler) =>
      http.createServer(
        {
          maxHeaderSize: l.maxHeaderBytes,
          requestTimeout: l.requestTimeoutMs,
          headersTimeout: Math.min(l.headersTimeoutMs, l.requestTimeoutMs),
          // How often Node looks for expired requests; the default (30 s) would blur short limits.
          connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(l.requestTimeoutMs / 4))),
        },
        handler,
      ),
    clientErrorHandler: (err: NodeJS.ErrnoException, socket: Socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const code = err.code === 'HPE_HEADER_OVERFLOW' ? 'HEADERS_TOO_LARGE' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'REQUEST_TIMEOUT' : 'BAD_REQUEST';
      const e = new VisageError(code);
      const body = JSON.stringify(errorBody(e, randomUUID()));
      const reason = http.STATUS_CODES[e.status] ?? 'Error';
      if (socket.writable) {
        socket.end(
          `HTTP/1.1 ${e.status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      } else socket.destroy(err);
    },
  };
}

/** Nesting depth of a JSON text, stopping early past `limit`; strings are skipped whole. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // Jump to the closing quote: one not preceded by an odd run of backslashes.
      let j = i;
      for (;;) {
        j = text.indexOf('"', j + 1);
        if (j < 0) return false; // unterminated: JSON.parse will refuse it
        let bs = 0;
        while (text.charCodeAt(j - 1 - bs) === 92) bs++;
        if (bs % 2 === 0) break;
      }
      i = j;
    } else if (c === 123 || c === 91 /* { [ */) {
      if (++depth > limit) return true;
    } else if (c === 125 || c === 93 /* } ] */) depth--;
  }
  return false;
}

/** Replaces the JSON parser with one that refuses deep documents before parsing. */
export function registerJsonLimits(app: FastifyInstance, l: Pick<PerimeterLimits, 'maxJsonDepth'>): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (jsonDepthExceeds(text, l.maxJsonDepth)) {
      done(new VisageError('JSON_TOO_DEEP', `The JSON body nests deeper than ${l.maxJsonDepth} levels`, { maxDepth: l.maxJsonDepth }), undefined);
      return;
    }
    parse(req, text, done);
  });
}
