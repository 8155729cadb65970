/**
 * face-api's age/gender net rebuilt as ONNX: the TFJS weight reader, the graph (checked against
 * outputs recorded from face-api 1.7.15 itself on tfjs), and behaviour on real UTKFace chips.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { SharpDecoder } from '../../../src/adapters/image/sharp-decoder.adapter.js';
import { FaceApiAgeGender, faceApiBox, faceApiCrop } from '../../../src/adapters/onnx/age-gender.adapter.js';
import { hwc1ToC1hw, hwioToOihw, readTfjsWeights } from '../../../src/adapters/onnx/faceapi-weights.reader.js';
import type { RgbImage } from '../../../src/domain/face.model.js';
import { EVAL_DIR, evalPhoto } from '../../helpers/eval-photos.js';

const decoder = new SharpDecoder({ maxPixels: 1e6 });
let model: FaceApiAgeGender;
before(async () => {
  model = await FaceApiAgeGender.load();
});

const chip = (path: string): Promise<RgbImage> => decoder.decode(evalPhoto(join('utkface', path)));
const whole = (img: RgbImage) => ({ box: { x1: 0, y1: 0, x2: img.width, y2: img.height }, landmarks: { points68: [], points5: [] as never } });

test('TFJS weights: uint8 dequantised as q·scale + min, float32 read as is', () => {
  const bin = new Uint8Array(2 + 8);
  bin.set([0, 255], 0);
  new DataView(bin.buffer).setFloat32(2, 1.5, true);
  new DataView(bin.buffer).setFloat32(6, -2, true);
  const w = readTfjsWeights(
    [{ paths: ['x.bin'], weights: [
      { name: 'q', shape: [2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
      { name: 'f', shape: [2], dtype: 'float32' },
    ] }],
    [bin],
  );
  assert.deepEqual([...w.get('q')!.data], [-1, 126.5]);
  assert.deepEqual([...w.get('f')!.data], [1.5, -2]);
});

test('filter layouts: HWIO → OIHW and depthwise HWC1 → C1HW', () => {
  // 1×2 kernel, 2 in, 3 out: value encodes (h, w, i, o) as w·100 + i·10 + o.
  const hwio = new Float32Array(12);
  for (let x = 0; x < 2; x++) for (let i = 0; i < 2; i++) for (let o = 0; o < 3; o++) hwio[(x * 2 + i) * 3 + o] = x * 100 + i * 10 + o;
  const oihw = hwioToOihw({ shape: [1, 2, 2, 3], data: hwio });
  assert.deepEqual(oihw.shape, [3, 2, 1, 2]);
  assert.equal(oihw.data[((2 * 2 + 1) * 1 + 0) * 2 + 1], 112); // o=2, i=1, h=0, w=1
  const dw = hwc1ToC1hw({ shape: [1, 2, 3, 1], data: new Float32Array([0, 1, 2, 10, 11, 12]) });
  assert.deepEqual(dw.shape, [3, 1, 1, 2]);
  assert.deepEqual([...dw.data], [0, 10, 1, 11, 2, 12]);
});

test('the ONNX graph gives face-api’s own outputs (recorded from face-api 1.7.15 on tfjs)', async () => {
  // Same 112×112 input tensors fed to face-api's AgeGenderNet (tfjs cpu) and to ours.
  const cases = [
    { path: 'images/10_0_0_20170110215927291.jpg.chip.jpg', age: 11.929285049438477, male: 0.9922710657119751 },
    { path: 'images/15_1_0_20170109214409051.jpg.chip.jpg', age: 16.097686767578125, male: 1 - 0.9993906117160805 },
  ];
  for (const c of cases) {
    const out = await model.run(faceApiCrop(await chip(c.path), { x1: 20, y1: 10, x2: 180, y2: 200 }));
    assert.ok(Math.abs(out.age - c.age) < 1e-3, `${c.path}: age ${out.age} vs face-api ${c.age}`);
    assert.ok(Math.abs(out.male - c.male) < 1e-4, `${c.path}: P(male) ${out.male} vs face-api ${c.male}`);
  }
});

test('the input crop is the landmark box grown 10 % a side, black-padded to a square', () => {
  const box = faceApiBox({ box: { x1: 0, y1: 0, x2: 1, y2: 1 }, landmarks: { points68: [{ x: 10, y: 20 }, { x: 110, y: 70 }], points5: [] as never } });
  assert.deepEqual(box, { x1: 0, y1: 15, x2: 120, y2: 75 });
  const img: RgbImage = { width: 120, height: 60, data: new Uint8Array(120 * 60 * 3).fill(200) };
  const t = faceApiCrop(img, { x1: 0, y1: 0, x2: 120, y2: 60 });
  // Top rows are padding (black → −mean/255), the middle row is the image.
  assert.ok(Math.abs(t[0]! - -122.782 / 255) < 1e-6);
  assert.ok(Math.abs(t[56 * 112 + 56]! - (200 - 122.782) / 255) < 1e-6);
});

/** Adults of UTKFace (age, gender) spread over the set: the first 6 men aged 30–50 and women 25–45. */
function adults(gender: 'M' | 'F', lo: number, hi: number): { path: string; age: number }[] {
  const rows = readFileSync(join(EVAL_DIR, 'utkface', 'LABELS'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  return rows.filter((r) => r[2] === gender && Number(r[1]) >= lo && Number(r[1]) <= hi).filter((_, i) => i % 40 === 0).slice(0, 6).map((r) => ({ path: r[0]!, age: Number(r[1]) }));
}

for (const [label, gender, lo, hi] of [['men', 'M', 30, 50], ['women', 'F', 25, 45]] as const) {
  test(`adult ${label} from UTKFace get their gender and a plausible age (within 15 years)`, async () => {
    const faces = adults(gender, lo, hi);
    assert.equal(faces.length, 6);
    let genderRight = 0, ageRight = 0;
    for (const f of faces) {
      const img = await chip(f.path);
      const est = await model.estimate(img, whole(img));
      if (est.gender.label === (gender === 'M' ? 'male' : 'female')) genderRight++;
      if (Math.abs(est.age - f.age) <= 15) ageRight++;
      assert.ok(est.gender.confidence >= 0.5 && est.gender.confidence <= 1);
    }
    assert.ok(genderRight >= 5, `gender right for ${genderRight}/6 ${label}`);
    assert.ok(ageRight >= 5, `age within 15 years for ${ageRight}/6 ${label}`);
  });
}
