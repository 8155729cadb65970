/**
 * Builds the real HTTP app for tests. Pass `analyzer` to swap in the real engine
 * (`createFaceAnalyzer`) instead of the fake; everything else is the production wiring.
 */
import type { FastifyInstance } from 'fastify';
import { SharpDecoder } from '../../src/adapters/image/sharp-decoder.adapter.js';
import { UrlFetcher, type Resolver } from '../../src/adapters/net/url-fetcher.adapter.js';
import { defaultConfig } from '../../src/config/config.loader.js';
import type { Config } from '../../src/config/config.schema.js';
import { FaceService } from '../../src/core/face.service.js';
import { buildApp } from '../../src/http/app.js';
import type { FaceAnalyzer } from '../../src/ports/face-analyzer.port.js';
import { FakeAnalyzer } from './fake-analyzer.js';

export interface TestAppOptions {
  analyzer?: FaceAnalyzer;
  config?: Partial<Config>;
  ready?: () => boolean;
  resolve?: Resolver;
}

export async function buildTestApp(o: TestAppOptions = {}): Promise<{ app: FastifyInstance; analyzer: FaceAnalyzer; config: Config }> {
  const config: Config = Object.freeze({ ...defaultConfig(), logLevel: 'silent', ...o.config });
  const analyzer = o.analyzer ?? new FakeAnalyzer();
  const decoder = new SharpDecoder({ maxPixels: config.maxPixels });
  const fetcher = new UrlFetcher({
    timeoutMs: config.urlFetchTimeoutMs,
    maxBytes: config.urlFetchMaxBytes,
    allowPrivate: config.urlAllowPrivate,
    resolve: o.resolve,
  });
  const faceService = new FaceService({ analyzer, decoder, fetcher }, { minFaceSize: config.defaultMinFaceSize, maxFaces: config.defaultMaxFaces });
  const app = await buildApp({ config, faceService, ready: o.ready ?? (() => true), logger: false, version: 'test' });
  return { app, analyzer, config };
}

/** A multipart/form-data body built by hand, so tests need no extra package. */
export function multipart(parts: Array<{ name: string; value: string | Uint8Array; filename?: string; type?: string }>) {
  const boundary = `----visage${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disp = `form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}`;
    const head = `--${boundary}\r\nContent-Disposition: ${disp}\r\n${p.filename ? `Content-Type: ${p.type ?? 'application/octet-stream'}\r\n` : ''}\r\n`;
    chunks.push(Buffer.from(head), Buffer.from(p.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
