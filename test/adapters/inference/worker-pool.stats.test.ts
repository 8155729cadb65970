// The pool's load as /metrics reads it (ports/analyzer-stats.port.ts): workers, queue, busy
// workers, busy seconds and answered analyses, on the real engine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SharpDecoder } from '../../../src/adapters/image/sharp-decoder.adapter.js';
import { createFaceAnalyzer } from '../../../src/main/face-analyzer.compose.js';
import { hasStats } from '../../../src/ports/analyzer-stats.port.js';
import { evalPhoto } from '../../helpers/eval-photos.js';

const ANALYZE = { minFaceSize: 20, maxFaces: 100, landmarks68: false, attributes: [] as [], templates: false };

test('stats: idle after start, busy while a photo runs, the answered count and busy time after', { timeout: 120_000 }, async () => {
  const pool = await createFaceAnalyzer({ poolSize: 1 });
  try {
    assert.ok(hasStats(pool));
    assert.deepEqual(pool.stats(), { workers: 1, busyWorkers: 0, queued: 0, busySeconds: 0, analyses: 0, analysisSeconds: 0, models: {} });
    const photo = await new SharpDecoder({ maxPixels: 50e6 }).decode(evalPhoto('lfw/images/Aaron_Sorkin/Aaron_Sorkin_0001.jpg'));
    // One worker holds two; the third waits in the queue.
    const running = [1, 2, 3].map(() => pool.analyze(photo, ANALYZE));
    const during = pool.stats();
    assert.equal(during.busyWorkers, 1);
    assert.equal(during.queued, 1);
    await Promise.all(running);
    const done = pool.stats();
    assert.equal(done.busyWorkers, 0);
    assert.equal(done.queued, 0);
    assert.equal(done.analyses, 3);
    assert.ok(done.busySeconds > 0 && done.analysisSeconds >= done.busySeconds, `${done.busySeconds} s busy, ${done.analysisSeconds} s in analyses`);
    // Per model: the detector and landmarker ran on all three photos, within the pipeline's time.
    assert.equal(done.models.detector?.images, 3);
    assert.equal(done.models.landmarker?.images, 3);
    assert.ok(done.models.detector!.seconds > 0 && done.models.detector!.seconds < done.analysisSeconds);
    assert.equal(done.models.embedder, undefined, 'no templates were asked for');
  } finally {
    await pool.close();
  }
});
