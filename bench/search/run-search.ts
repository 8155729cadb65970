/**
 * `npm run bench -- search [lfw|scale|face-search|facecheck-bulk|bulk-identify] [options]`: the search benchmarks (see each file's header).
 * With no sub-command both run, one after the other (never two heavy processes at once):
 * LFW identification through the HTTP API, then HNSW at --n vectors (default 100k).
 */
import { runLfwIdentifyBench } from './lfw-identify.bench.js';
import { runScaleBench } from './scale.bench.js';
import { runFaceSearchBench } from './face-search.bench.js';
import { runFaceCheckBulkBench } from './facecheck-bulk.bench.js';
import { runBulkIdentifyBench } from './bulk-identify.bench.js';

export async function runSearchBench(argv: string[]): Promise<void> {
  const [which, ...rest] = argv;
  if (which === 'lfw') await runLfwIdentifyBench(rest);
  else if (which === 'scale') await runScaleBench(rest);
  else if (which === 'face-search') await runFaceSearchBench(rest);
  else if (which === 'facecheck-bulk') await runFaceCheckBulkBench(rest);
  else if (which === 'bulk-identify') await runBulkIdentifyBench(rest);
  else if (which === undefined) {
    await runLfwIdentifyBench([]);
    await runScaleBench([]);
  } else throw new Error(`unknown search benchmark ${which}: use lfw, scale, face-search, facecheck-bulk or bulk-identify`);
}
