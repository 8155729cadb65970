// The analysis resolution cap on a real 36 MP photo with the real engine: decoded downscaled,
// answered in the photo's own pixels (each labelled nose tip inside one returned box).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { SharpDecoder } from '../../src/adapters/image/sharp-decoder.adapter.js';
import { createFaceAnalyzer } from '../../src/main/face-analyzer.compose.js';
import { FaceService } from '../../src/core/face.service.js';
import { EVAL_DIR, evalPhoto } from '../helpers/eval-photos.js';

interface Labelled {
  path: string;
  faces: number;
  noses: { x: number; y: number }[];
}

function compreface(): Labelled[] {
  const rows = readFileSync(join(EVAL_DIR, 'compreface_samples', 'LABELS'), 'utf8').trim().split('\n').slice(1);
  return rows.map((r) => {
    const [path, n, pts] = r.split(',');
    const noses = (pts ?? '').split(';').filter(Boolean).map((p) => {
      const [x, y] = p.split(':').map(Number);
      return { x: x!, y: y! };
    });
    return { path: join('compreface_samples', path!), faces: Number(n), noses };
  });
}

test('real engine: a 7,360 px photo is analysed downscaled and answered in original pixels', { timeout: 120_000 }, async (t) => {
  // The largest photo by file size (001_A.jpg, 4912×7360, 2.5 MB).
  const photo = compreface().sort((a, b) => statSync(join(EVAL_DIR, b.path)).size - statSync(join(EVAL_DIR, a.path)).size)[0]!;
  const bytes = evalPhoto(photo.path);
  const meta = await sharp(bytes).metadata();
  assert.ok(Math.max(meta.width!, meta.height!) > 3072, `${photo.path} is ${meta.width}x${meta.height}`);

  const decoder = new SharpDecoder({ maxPixels: 40_000_000, maxAnalysisSide: 3072 });
  const decoded = await decoder.decode(bytes);
  assert.equal(Math.max(decoded.width, decoded.height), 3072);
  assert.deepEqual(decoded.original, { width: meta.width, height: meta.height });

  const analyzer = await createFaceAnalyzer({ poolSize: 0 });
  t.after(() => analyzer.close());
  const svc = new FaceService({ analyzer, decoder, fetcher: { fetch: async () => new Uint8Array() } }, { minFaceSize: 50, maxFaces: 100 });
  const r = await svc.detect({ bytes }, { landmarks68: true, attributes: ['quality'] });
  t.diagnostic(`${photo.path}: ${JSON.stringify(r.image)}, boxes ${JSON.stringify(r.faces.map((f) => Object.values(f.box).map(Math.round)))}`);
  assert.deepEqual(r.image, { width: meta.width, height: meta.height });
  assert.equal(r.faces.length, photo.faces);
  const inside = (p: { x: number; y: number }, b: { x1: number; y1: number; x2: number; y2: number }) => p.x >= b.x1 && p.x <= b.x2 && p.y >= b.y1 && p.y <= b.y2;
  for (const nose of photo.noses) {
    assert.equal(r.faces.filter((f) => inside(nose, f.box)).length, 1, `nose ${nose.x}:${nose.y} in exactly one box`);
  }
  for (const f of r.faces) {
    // The model's own nose tip lands near the labelled one, and quality.size is the original width.
    const near = photo.noses.some((n) => Math.hypot(n.x - f.landmarks5[2].x, n.y - f.landmarks5[2].y) < 0.15 * (f.box.x2 - f.box.x1));
    assert.ok(near, `landmark nose ${JSON.stringify(f.landmarks5[2])} near a labelled one`);
    assert.equal(f.attributes.quality!.size, Math.round(f.box.x2 - f.box.x1));
    assert.ok(f.landmarks68!.every((p) => p.x >= f.box.x1 - 200 && p.x <= f.box.x2 + 200), '68 points in original pixels');
  }

  // min_face_size is original pixels: just above this face's width drops it, just below keeps it.
  const w = r.faces[0]!.box.x2 - r.faces[0]!.box.x1;
  assert.equal((await svc.detect({ bytes }, { minFaceSize: Math.ceil(w) + 1 })).faces.length, 0);
  assert.equal((await svc.detect({ bytes }, { minFaceSize: Math.floor(w) - 1 })).faces.length, photo.faces);
});
