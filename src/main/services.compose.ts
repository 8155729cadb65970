/**
 * Composition helpers shared by the server and the CLI: the only place adapters are chosen.
 * The real analyzer is imported dynamically so everything else runs (and fails clearly) without it.
 */
import { readFileSync } from 'node:fs';
import { SharpDecoder } from '../adapters/image/sharp-decoder.adapter.js';
import { UrlFetcher } from '../adapters/net/url-fetcher.adapter.js';
import type { Config } from '../config/config.schema.js';
import { FaceService } from '../core/face.service.js';
import type { FaceAnalyzer } from '../ports/face-analyzer.port.js';

export type AnalyzerLoader = (poolSize: number) => Promise<FaceAnalyzer>;

/** Loads the real engine; poolSize 0 runs inference in this thread (CLI one-offs). */
export const loadRealAnalyzer: AnalyzerLoader = async (poolSize) => {
  let mod: { createFaceAnalyzer?: (o: { poolSize: number }) => Promise<FaceAnalyzer> };
  try {
    mod = await import('../adapters/models/face-analyzer.factory.js');
  } catch (e) {
    throw new Error(`The face analysis engine is not available (src/adapters/models/face-analyzer.factory.ts): ${(e as Error).message}`);
  }
  if (typeof mod.createFaceAnalyzer !== 'function') throw new Error('face-analyzer.factory does not export createFaceAnalyzer');
  return mod.createFaceAnalyzer({ poolSize });
};

export function buildFaceService(config: Config, analyzer: FaceAnalyzer): FaceService {
  const decoder = new SharpDecoder({ maxPixels: config.maxPixels });
  const fetcher = new UrlFetcher({ timeoutMs: config.urlFetchTimeoutMs, maxBytes: config.urlFetchMaxBytes, allowPrivate: config.urlAllowPrivate });
  return new FaceService({ analyzer, decoder, fetcher }, { minFaceSize: config.defaultMinFaceSize, maxFaces: config.defaultMaxFaces });
}

export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
