/** Head pose on real LFW photos: the network and the landmark-geometry fallback. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { SharpDecoder } from '../../../src/adapters/image/sharp-decoder.adapter.js';
import { Landmark68Locator } from '../../../src/adapters/onnx/landmark68.adapter.js';
import { FrPose } from '../../../src/adapters/onnx/pose.adapter.js';
import { poseFromLandmarks } from '../../../src/core/landmark-pose.rules.js';
import type { RgbImage } from '../../../src/domain/face.model.js';
import type { LocatedFace } from '../../../src/ports/face-models.port.js';
import { evalPhoto } from '../../helpers/eval-photos.js';

const decoder = new SharpDecoder({ maxPixels: 1e6 });
/** LFW deep-funneled photos are centred on the face: a fixed box stands in for the detector. */
const BOX = { x1: 70, y1: 60, x2: 180, y2: 190 };
let pose: FrPose;
let landmarker: Landmark68Locator;
before(async () => {
  [pose, landmarker] = [await FrPose.load(), await Landmark68Locator.load()];
});

async function located(img: RgbImage, box = BOX): Promise<LocatedFace> {
  return { box, landmarks: await landmarker.locate(img, { box, score: 1 }) };
}

function mirror(img: RgbImage): RgbImage {
  const d = new Uint8Array(img.data.length);
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++)
      for (let c = 0; c < 3; c++) d[(y * img.width + x) * 3 + c] = img.data[(y * img.width + img.width - 1 - x) * 3 + c]!;
  return { ...img, data: d };
}

test('a frontal LFW portrait reads near 0° from the network and from the landmarks', async () => {
  const img = await decoder.decode(evalPhoto('lfw/images/Aaron_Patterson/Aaron_Patterson_0001.jpg'));
  const face = await located(img);
  const p = await pose.estimate(img, face);
  assert.ok(Math.abs(p.yaw) < 15 && Math.abs(p.pitch) < 20 && Math.abs(p.roll) < 10, JSON.stringify(p));
  const g = poseFromLandmarks(face.landmarks.points68);
  assert.ok(Math.abs(g.yaw) < 15 && Math.abs(g.pitch) < 20 && Math.abs(g.roll) < 10, JSON.stringify(g));
});

test('a face turned to the image’s right has positive yaw, and its mirror image negative yaw', async () => {
  // Coco d'Este looks towards the image's right in this photo.
  const img = await decoder.decode(evalPhoto('lfw/images/Coco_dEste/Coco_dEste_0001.jpg'));
  const p = await pose.estimate(img, await located(img));
  assert.ok(p.yaw > 25, JSON.stringify(p));
  const flipped = mirror(img);
  const fb = { x1: img.width - BOX.x2, y1: BOX.y1, x2: img.width - BOX.x1, y2: BOX.y2 };
  const q = await pose.estimate(flipped, await located(flipped, fb));
  assert.ok(q.yaw < -25, JSON.stringify(q));
  assert.ok(poseFromLandmarks((await located(img)).landmarks.points68).yaw > 15);
});

test('a face looking up has positive pitch', async () => {
  const img = await decoder.decode(evalPhoto('lfw/images/Tatiana_Gratcheva/Tatiana_Gratcheva_0001.jpg'));
  const p = await pose.estimate(img, await located(img));
  assert.ok(p.pitch > 15, JSON.stringify(p));
});

test('the landmark geometry reads roll as the eye-line angle and keeps yaw and pitch under roll', async () => {
  const img = await decoder.decode(evalPhoto('lfw/images/Aaron_Patterson/Aaron_Patterson_0001.jpg'));
  const pts = (await located(img)).landmarks.points68;
  const base = poseFromLandmarks(pts);
  const a = (20 * Math.PI) / 180;
  // Rotating the points clockwise on screen (y points down) by 20° about the image centre.
  const rotated = pts.map((p) => ({
    x: 125 + Math.cos(a) * (p.x - 125) - Math.sin(a) * (p.y - 125),
    y: 125 + Math.sin(a) * (p.x - 125) + Math.cos(a) * (p.y - 125),
  }));
  const r = poseFromLandmarks(rotated);
  assert.ok(Math.abs(r.roll - base.roll - 20) < 0.2, JSON.stringify({ base, r }));
  assert.ok(Math.abs(r.yaw - base.yaw) < 0.5 && Math.abs(r.pitch - base.pitch) < 0.5, JSON.stringify({ base, r }));
});
