/**
 * Builds the real HTTP app for tests through the server's own composition functions
 * (main/services.compose.ts and main/app.compose.ts): the same face service, galleries over
 * SQLite and usearch in a temporary data dir, the same plugins and routes. What differs: the
 * fake analyzer unless `analyzer` is given, no accounts (the API acts for the default account;
 * test/http/v1/auth.e2e.test.ts covers keys on a live server), no logger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Resolver } from '../../src/adapters/net/url-fetcher.adapter.js';
import { defaultConfig } from '../../src/config/config.loader.js';
import type { Config } from '../../src/config/config.schema.js';
import type { GalleryService, JobHandler, JobService } from '../../src/core/index.js';
import { buildApp } from '../../src/main/app.compose.js';
import { buildFaceService, buildGalleries, buildJobs } from '../../src/main/services.compose.js';
import type { FaceAnalyzer } from '../../src/ports/face-analyzer.port.js';
import { FakeAnalyzer } from './fake-analyzer.js';

export interface TestAppOptions {
  analyzer?: FaceAnalyzer;
  config?: Partial<Config>;
  ready?: () => boolean;
  resolve?: Resolver;
  /** Mounts /v1/jobs with a running job runner that has these handlers. */
  jobHandlers?: Record<string, JobHandler>;
}

export interface TestApp {
  app: FastifyInstance;
  analyzer: FaceAnalyzer;
  config: Config;
  galleries: GalleryService;
  jobs?: JobService;
}

const silent = { info() {}, warn() {} };

export async function buildTestApp(o: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = o.config?.dataDir ?? mkdtempSync(join(tmpdir(), 'visage-app-'));
  const config: Config = Object.freeze({ ...defaultConfig(), logLevel: 'silent', ...o.config, dataDir });
  const analyzer = o.analyzer ?? new FakeAnalyzer();
  const faceService = buildFaceService(config, analyzer, o.resolve);
  const stack = buildGalleries(config, faceService, silent);
  const jobStack = o.jobHandlers ? buildJobs(config, silent) : undefined;
  for (const [kind, h] of Object.entries(o.jobHandlers ?? {})) jobStack!.jobs.handle(kind, h);
  await jobStack?.start();
  const app = await buildApp({ config, faceService, galleries: stack.galleries, jobs: jobStack?.jobs, ready: o.ready ?? (() => true), logger: false, version: 'test' });
  app.addHook('onClose', async () => {
    await jobStack?.close();
    await stack.close();
    if (!o.config?.dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  return { app, analyzer, config, galleries: stack.galleries, jobs: jobStack?.jobs };
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
