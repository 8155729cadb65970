// A few scoring pairs on measurements as the analysis reports them: each degradation the
// bench checks on real photos (bench/photo-scoring.ts) must cost points here too, by the part
// that measures it, whatever the other parts gain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scorePhoto, SCORE_WEIGHTS } from '../../../src/core/catalogue/photo-scoring.rules.js';
import type { AnalyzedFace } from '../../../src/domain/face.model.js';

const image = { width: 250, height: 250 };
function face(o: { x1?: number; w?: number; roll?: number; sharpness?: number; eyes?: number; score?: number } = {}): AnalyzedFace {
  const x1 = o.x1 ?? 80, w = o.w ?? 90, y1 = 70, roll = o.roll ?? 0;
  const ex = x1 + 0.3 * w, dx = 0.4 * w, dy = Math.tan((roll * Math.PI) / 180) * dx;
  return {
    box: { x1, y1, x2: x1 + w, y2: y1 + 1.2 * w },
    score: o.score ?? 0.99,
    landmarks5: [{ x: ex, y: y1 + 40 }, { x: ex + dx, y: y1 + 40 + dy }, { x: ex + dx / 2, y: y1 + 60 }, { x: ex, y: y1 + 80 }, { x: ex + dx, y: y1 + 80 }],
    pose: { yaw: 0, pitch: 0, roll },
    attributes: {
      quality: { score: 0.9, sharpness: o.sharpness ?? 0.6, exposure: 1, size: w, frontalness: 1, reasons: [] },
      eyes: { left: 'open', right: 'open', leftOpenProbability: o.eyes ?? 1, rightOpenProbability: o.eyes ?? 1 },
      emotion: { dominant: 'neutral', probabilities: { angry: 0, disgust: 0, fear: 0, happy: 0, sad: 0, surprise: 0, neutral: 1 }, mood: 50 },
    },
  };
}

test('weights sum to 1000 and a good portrait scores high', () => {
  assert.equal(Object.values(SCORE_WEIGHTS).reduce((a, b) => a + b, 0), 1000);
  assert.ok(scorePhoto([face({ sharpness: 1 })], image).score >= 950);
  assert.deepEqual(scorePhoto([], image).score, 0);
});

test('a face made small loses even when its Laplacian sharpness reads higher', () => {
  const orig = scorePhoto([face({ sharpness: 0.5 })], image);
  const small = scorePhoto([face({ x1: 110, w: 30, sharpness: 1 })], image);
  assert.ok(small.score < orig.score, `${small.score} < ${orig.score}`);
  assert.equal(small.parts.face_size.value, 0);
});

test('a head tilted 35° loses its uprightness whatever the sharpness gains', () => {
  const orig = scorePhoto([face({ sharpness: 0.5 })], image);
  const turned = scorePhoto([face({ w: 76, roll: 34, sharpness: 1 })], image);
  assert.ok(turned.score < orig.score, `${turned.score} < ${orig.score}`);
  assert.equal(turned.parts.head_pose.value, 0);
  assert.equal(scorePhoto([face({ roll: 4 })], image).parts.head_pose.value, 1);
});

test('closed or hidden eyes and a second face cost points', () => {
  const orig = scorePhoto([face()], image);
  assert.ok(scorePhoto([face({ eyes: 0.05 })], image).score < orig.score);
  assert.ok(scorePhoto([face(), face({ x1: 10, w: 40 })], image).score < orig.score);
});

test('a face under an occluder keeps only the parts it cannot fake: sharp edges and an "open" grey eye count as far as the face shows', () => {
  const orig = scorePhoto([face({ sharpness: 0.6 })], image, { flatShare: 0 });
  // The bar's hard edges read sharper and the eye model reads its grey as open.
  const covered = scorePhoto([face({ sharpness: 1, eyes: 1 })], image, { flatShare: 0.3 });
  assert.ok(covered.score < orig.score, `${covered.score} < ${orig.score}`);
  for (const p of ['sharpness', 'eyes_open', 'expression', 'visibility'] as const) assert.equal(covered.parts[p].value, 0, p);
  for (const p of ['exposure', 'face_size', 'framing', 'head_pose', 'one_face'] as const) assert.equal(covered.parts[p].value, orig.parts[p].value, p);
  // Half covered (0.1 of the inner cells flat): those parts at half.
  assert.equal(scorePhoto([face({ sharpness: 1 })], image, { flatShare: 0.1 }).parts.eyes_open.value, 0.5);
  // No pixels read: counted as uncovered, as before the measure existed.
  assert.deepEqual(scorePhoto([face()], image), scorePhoto([face()], image, { flatShare: 0 }));
});
