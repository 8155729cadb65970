/**
 * Landmarks and embeddings on real LFW photos (deep-funneled 250x250: the face is centred, so a
 * fixed box stands in for the detector and the test checks only these two adapters).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { RgbImage } from '../../../src/domain/face.model.js';
import { cosine } from '../../../src/domain/similarity.rules.js';
import { SharpDecoder } from '../../../src/adapters/image/sharp-decoder.adapter.js';
import { applyAffine } from '../../../src/adapters/image/pixel-ops.js';
import { ARCFACE_TEMPLATE, ArcFaceEmbedder, arcfaceAlignment } from '../../../src/adapters/onnx/arcface-embedder.adapter.js';
import { Landmark68Locator } from '../../../src/adapters/onnx/landmark68.adapter.js';
import type { FaceLandmarks } from '../../../src/ports/face-models.port.js';

const LFW = join(process.env.EVAL_DIR ?? '../shared/eval', 'lfw', 'images');
const BOX = { box: { x1: 70, y1: 60, x2: 180, y2: 190 }, score: 1 };

let landmarker: Landmark68Locator;
let embedder: ArcFaceEmbedder;
const decoder = new SharpDecoder({ maxPixels: 1e6 });

async function photo(rel: string): Promise<RgbImage> {
  return decoder.decode(readFileSync(join(LFW, rel)));
}

async function face(rel: string): Promise<{ image: RgbImage; landmarks: FaceLandmarks; v: Float32Array }> {
  const image = await photo(rel);
  const landmarks = await landmarker.locate(image, BOX);
  return { image, landmarks, v: await embedder.embed(image, landmarks) };
}

before(async () => {
  assert.ok(existsSync(LFW), `LFW photos not found at ${LFW}: set EVAL_DIR to the shared eval folder`);
  landmarker = await Landmark68Locator.load();
  embedder = await ArcFaceEmbedder.load();
});

test('landmarks land on the eyes, nose and mouth of a frontal face', async () => {
  // Abel_Pacheco_0001: eyes near (104,111) and (144,112), nose tip (116,135), mouth y ≈ 156 (checked by eye).
  const { landmarks } = await face('Abel_Pacheco/Abel_Pacheco_0001.jpg');
  const [le, re, nose, lm, rm] = landmarks.points5;
  assert.equal(landmarks.points68.length, 68);
  const near = (p: { x: number; y: number }, x: number, y: number, r: number) => Math.hypot(p.x - x, p.y - y) < r;
  assert.ok(near(le, 104, 111, 5), `left eye at ${le.x},${le.y}`);
  assert.ok(near(re, 144, 112, 5), `right eye at ${re.x},${re.y}`);
  assert.ok(near(nose, 116, 135, 6), `nose at ${nose.x},${nose.y}`);
  assert.ok(lm.y > nose.y && rm.y > nose.y && lm.x < rm.x, 'mouth corners below the nose, left of right');
});

test('the same person scores above the medium threshold, different people below', async () => {
  const { medium } = embedder.info.calibration.cosineAt;
  const a = await face('Abel_Pacheco/Abel_Pacheco_0001.jpg');
  const b = await face('Abel_Pacheco/Abel_Pacheco_0004.jpg');
  const c = await face('AJ_Cook/AJ_Cook_0001.jpg');
  const d = await face('Aaron_Patterson/Aaron_Patterson_0001.jpg');
  assert.ok(cosine(a.v, b.v) > medium, `same person: ${cosine(a.v, b.v)} vs medium ${medium}`);
  for (const [x, y] of [[a, c], [a, d], [c, d]] as const) assert.ok(cosine(x.v, y.v) < medium, `different people: ${cosine(x.v, y.v)}`);
});

test('embeddings are 512-d, unit length and deterministic', async () => {
  const a = await face('AJ_Cook/AJ_Cook_0001.jpg');
  assert.equal(a.v.length, embedder.info.dim);
  let n = 0;
  for (const x of a.v) n += x * x;
  assert.ok(Math.abs(Math.sqrt(n) - 1) < 1e-5);
  const again = await embedder.embed(a.image, a.landmarks);
  assert.deepEqual(again, a.v);
});

test('the alignment maps the template points onto the face points', () => {
  // Points = template rotated 30°, scaled 2x and moved: the least-squares fit must recover it exactly.
  const c = Math.cos(Math.PI / 6) * 2;
  const s = Math.sin(Math.PI / 6) * 2;
  const pts = ARCFACE_TEMPLATE.map((p) => ({ x: c * p.x - s * p.y + 40, y: s * p.x + c * p.y - 7 }));
  const m = arcfaceAlignment(pts as never);
  ARCFACE_TEMPLATE.forEach((t, i) => {
    const q = applyAffine(m, t);
    assert.ok(Math.abs(q.x - pts[i]!.x) < 1e-9 && Math.abs(q.y - pts[i]!.y) < 1e-9);
  });
});

test('the de-rotated second pass keeps landmarks on a tilted face', async () => {
  // Rotate a photo by 25° about its centre: the eye line found must turn by about 25° too.
  const src = await photo('AJ_Cook/AJ_Cook_0001.jpg');
  const rot = rotate(src, (25 * Math.PI) / 180);
  const up = await landmarker.locate(src, BOX);
  const tilted = await landmarker.locate(rot, BOX);
  const angle = (l: FaceLandmarks) => Math.atan2(l.points5[1].y - l.points5[0].y, l.points5[1].x - l.points5[0].x);
  const turned = ((angle(tilted) - angle(up)) * 180) / Math.PI;
  assert.ok(Math.abs(turned - 25) < 4, `eye line turned ${turned}°`);
  const same = cosine(await embedder.embed(src, up), await embedder.embed(rot, tilted));
  assert.ok(same > 0.7, `upright vs tilted copy of one photo: ${same}`);
});

/** Nearest-neighbour rotation about the centre (clockwise on screen for positive angles). */
function rotate(img: RgbImage, a: number): RgbImage {
  const { width: w, height: h } = img;
  const out = new Uint8Array(img.data.length);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const sx = Math.round(Math.cos(a) * (x - cx) + Math.sin(a) * (y - cy) + cx);
      const sy = Math.round(-Math.sin(a) * (x - cx) + Math.cos(a) * (y - cy) + cy);
      if (sx < 0 || sy < 0 || sx >= w || sy >= h) continue;
      out.set(img.data.subarray((sy * w + sx) * 3, (sy * w + sx) * 3 + 3), (y * w + x) * 3);
    }
  }
  return { width: w, height: h, data: out };
}
