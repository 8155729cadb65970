/** fr_expression on real FER-2013 faces, and the mood formula. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { SharpDecoder } from '../../../src/adapters/image/sharp-decoder.adapter.js';
import { FrEmotion, emotionFromProbabilities, moodScore } from '../../../src/adapters/onnx/emotion.adapter.js';
import type { RgbImage } from '../../../src/domain/face.model.js';
import { EVAL_DIR, evalPhoto } from '../../helpers/eval-photos.js';

const decoder = new SharpDecoder({ maxPixels: 1e6 });
let model: FrEmotion;
before(async () => {
  model = await FrEmotion.load();
});

/** FER crops are the face: the box is the crop shrunk by the adapter's 1.2 margin. */
const ferFace = (img: RgbImage) => ({
  box: { x1: 0, y1: 0, x2: img.width / 1.2, y2: img.height / 1.2 },
  landmarks: { points68: [], points5: [] as never },
});

function ferRows(label: string, n: number): string[] {
  const rows = readFileSync(join(EVAL_DIR, 'fer2013', 'LABELS'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  return rows.filter((r) => r[1] === label).filter((_, i) => i % 97 === 0).slice(0, n).map((r) => r[0]!);
}

test('happy FER faces are read as happy, with a positive mood', async () => {
  const paths = ferRows('happy', 6);
  let happy = 0;
  for (const p of paths) {
    const est = await model.estimate(await decoder.decode(evalPhoto(join('fer2013', p))), ferFace(await decoder.decode(evalPhoto(join('fer2013', p)))));
    const sum = Object.values(est.probabilities).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5);
    if (est.dominant === 'happy' && est.mood > 60) happy++;
  }
  assert.ok(happy >= 5, `${happy}/6 happy faces read happy with mood > 60`);
});

test('sad and angry FER faces get a mood below neutral', async () => {
  const moods: number[] = [];
  for (const p of [...ferRows('sad', 3), ...ferRows('angry', 3)]) {
    const img = await decoder.decode(evalPhoto(join('fer2013', p)));
    moods.push((await model.estimate(img, ferFace(img))).mood);
  }
  assert.ok(moods.filter((m) => m < 50).length >= 5, `moods ${moods.join(', ')}`);
});

test('mood = 50 + 50·(happy + ½ surprise − angry − disgust − fear − sad), clipped to 0–100', () => {
  const p = (o: Partial<Record<string, number>>) => ({ angry: 0, disgust: 0, fear: 0, happy: 0, sad: 0, surprise: 0, neutral: 0, ...o });
  assert.equal(moodScore(p({ neutral: 1 })), 50);
  assert.equal(moodScore(p({ happy: 1 })), 100);
  assert.equal(moodScore(p({ sad: 0.6, angry: 0.4 })), 0);
  assert.equal(moodScore(p({ surprise: 0.5, neutral: 0.5 })), 62.5);
  const e = emotionFromProbabilities([0.1, 0, 0, 0.2, 0, 0.6, 0.1]);
  assert.equal(e.dominant, 'surprise');
});
