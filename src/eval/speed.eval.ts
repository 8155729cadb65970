/**
 * Single-thread latency of the whole pipeline on real photos (decode excluded):
 * detect = faces with landmarks and pose, no template; template = the same plus a template per face.
 * Throughput under load is the benchmark's job (npm run bench); this is the per-request cost.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RgbImage } from '../domain/face.model.js';
import type { FaceAnalyzer } from '../ports/face-analyzer.port.js';
import { median, percentile } from './stats.js';
import { missingSet, skip } from './eval-data.js';

export async function evalSpeed(ctx: {
  dataDir: string;
  decode: (bytes: Uint8Array) => Promise<RgbImage>;
  log: (msg: string) => void;
  limit?: number;
  /** The whole engine in this thread (the composition root builds it). */
  loadAnalyzer: () => Promise<FaceAnalyzer>;
}) {
  const missing = missingSet(ctx.dataDir, 'facemask_boxes');
  if (missing) return skip(ctx.log, 'speed', missing);
  const n = ctx.limit ?? 100;
  const dir = join(ctx.dataDir, 'facemask_boxes');
  const files = readFileSync(join(dir, 'LABELS'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]!);
  const photos = [...new Set(files)].slice(0, n);
  const analyzer = await ctx.loadAnalyzer();
  const base = { minFaceSize: 20, maxFaces: 100, landmarks68: false, attributes: [] as [] };
  const detectMs: number[] = [];
  const templateMs: number[] = [];
  let faces = 0;
  for (const p of photos) {
    const img = await ctx.decode(readFileSync(join(dir, p)));
    let t = performance.now();
    await analyzer.analyze(img, { ...base, templates: false });
    detectMs.push(performance.now() - t);
    t = performance.now();
    faces += (await analyzer.analyze(img, { ...base, templates: true })).faces.length;
    templateMs.push(performance.now() - t);
  }
  await analyzer.close();
  ctx.log(`speed: ${photos.length} street photos, ${faces} faces`);
  return {
    photos: photos.length,
    faces,
    detect_ms_p50: median(detectMs),
    detect_ms_p99: percentile(detectMs, 0.99),
    template_ms_p50: median(templateMs),
    template_ms_p99: percentile(templateMs, 0.99),
    note: 'one thread, decode excluded; detect = boxes+landmarks+pose, template = detect + a template per face',
  };
}
