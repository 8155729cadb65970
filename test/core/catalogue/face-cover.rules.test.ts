// The occluder measure on real LFW portraits, with the boxes the detector gives for them: a
// face in full view reads (almost) no flat cell, a flat occluder over the eyes or the mouth
// reads many, and what lies outside the face's inner cells, or near white, does not count.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { flatShare, uncovered } from '../../../src/core/catalogue/face-cover.rules.js';
import type { Box, RgbImage } from '../../../src/domain/face.model.js';
import { evalPhoto } from '../../helpers/eval-photos.js';

// Boxes from the real detector (bench/photo-scoring.ts RAW output), rounded to 0.1 px.
const PORTRAITS: [string, Box][] = [
  ['lfw/images/AJ_Cook/AJ_Cook_0001.jpg', { x1: 91.4, y1: 69.2, x2: 173.2, y2: 214.5 }],
  ['lfw/images/Aaron_Patterson/Aaron_Patterson_0001.jpg', { x1: 91.5, y1: 79.1, x2: 171.1, y2: 198.0 }],
  ['lfw/images/Aaron_Pena/Aaron_Pena_0001.jpg', { x1: 88.2, y1: 80.3, x2: 176.9, y2: 214.0 }],
  ['lfw/images/Aaron_Sorkin/Aaron_Sorkin_0001.jpg', { x1: 52.9, y1: 72.2, x2: 168.4, y2: 208.1 }],
  ['lfw/images/Abba_Eban/Abba_Eban_0001.jpg', { x1: 70.8, y1: 71.3, x2: 168.7, y2: 229.0 }],
];

async function pixels(bytes: Buffer): Promise<RgbImage> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data };
}

/** The photo with a flat rectangle (fractions of the face box) pasted over it, as a JPEG. */
async function withPatch(bytes: Buffer, b: Box, fx: number, fy: number, fw: number, fh: number, colour: string): Promise<Buffer> {
  const w = b.x2 - b.x1, h = b.y2 - b.y1;
  const r = { left: Math.round(b.x1 + fx * w), top: Math.round(b.y1 + fy * h), width: Math.round(fw * w), height: Math.round(fh * h) };
  const patch = await sharp({ create: { width: r.width, height: r.height, channels: 3, background: colour } }).png().toBuffer();
  return sharp(bytes).composite([{ input: patch, left: r.left, top: r.top }]).jpeg({ quality: 92 }).toBuffer();
}

test('faces in full view read at most one flat cell: uncovered 1', async () => {
  for (const [path, box] of PORTRAITS) {
    const share = flatShare(await pixels(evalPhoto(path)), box);
    assert.ok(share <= 0.025, `${path}: ${share}`);
    assert.equal(uncovered(share), 1);
  }
});

test('a flat bar over the eyes, grey or near black, leaves nothing uncovered; a mask over the mouth costs too', async () => {
  for (const [path, box] of PORTRAITS) {
    const photo = evalPhoto(path);
    const grey = flatShare(await pixels(await withPatch(photo, box, 0, 0.22, 1, 0.3, '#808080')), box);
    const dark = flatShare(await pixels(await withPatch(photo, box, 0.075, 0.28, 0.85, 0.18, '#101010')), box);
    const mask = flatShare(await pixels(await withPatch(photo, box, 0.05, 0.58, 0.9, 0.45, '#a9c8e0')), box);
    assert.equal(uncovered(grey), 0, `${path} grey bar: ${grey}`);
    assert.ok(uncovered(dark) < 0.5, `${path} dark band: ${dark}`);
    assert.ok(uncovered(mask) < 0.5, `${path} mask: ${mask}`);
  }
});

test('relative to the face\'s own contrast: a dark copy reads like its original', async () => {
  const [path, box] = PORTRAITS[0]!;
  const photo = evalPhoto(path);
  const barred = await withPatch(photo, box, 0, 0.22, 1, 0.3, '#808080');
  const dim = async (b: Buffer) => pixels(await sharp(b).linear(0.25, 0).jpeg({ quality: 92 }).toBuffer());
  // Its face stays in full view and its bar covered (the camera noise, not scaled, weighs more in it).
  assert.ok(flatShare(await dim(photo), box) <= 0.025);
  assert.equal(uncovered(flatShare(await dim(barred), box)), 0);
});

test('the outer ring (hair, backdrop, neck) and near-white cells are not taken for an occluder', async () => {
  const [path, box] = PORTRAITS[1]!;
  const photo = evalPhoto(path);
  // A flat band over the top sixth of the box (rows 0-1: forehead and hair) and one down the left edge (column 0).
  const top = await withPatch(photo, box, 0, 0, 1, 1 / 6, '#202020');
  const side = await withPatch(await sharp(top).toBuffer(), box, 0, 0, 0.1, 1, '#909090');
  assert.ok(flatShare(await pixels(side), box) <= 0.025);
  // Smooth, bright skin (soft focus, strong light) reads flat but lies near white.
  const white = await withPatch(photo, box, 0.1, 0.5, 0.8, 0.3, '#f0f0f0');
  assert.ok(flatShare(await pixels(white), box) <= 0.025);
});

test('uncovered falls linearly from 0.025 to 0.175; a box outside the photo reads nothing', async () => {
  assert.deepEqual([0, 0.025, 0.1, 0.175, 0.5].map((x) => Math.round(uncovered(x) * 1000) / 1000), [1, 1, 0.5, 0, 0]);
  const img = await pixels(evalPhoto(PORTRAITS[0]![0]));
  assert.equal(flatShare(img, { x1: 300, y1: 300, x2: 400, y2: 400 }), 0);
  assert.equal(flatShare(img, { x1: 10, y1: 10, x2: 10, y2: 50 }), 0);
});
