// The analysis resolution cap: large photos are decoded downscaled with their original size,
// small ones come back untouched; the pixel limit still refuses from the header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { SharpDecoder } from '../../../src/adapters/image/sharp-decoder.adapter.js';
import { VisageError } from '../../../src/domain/error.registry.js';

const jpeg = (width: number, height: number, orientation?: number) => {
  const img = sharp({ create: { width, height, channels: 3, background: '#806040' } }).jpeg();
  return (orientation ? img.withMetadata({ orientation }) : img).toBuffer();
};

test('a photo within the cap is not resized and has no original', async () => {
  const d = new SharpDecoder({ maxPixels: 40_000_000, maxAnalysisSide: 3072 });
  const img = await d.decode(await jpeg(640, 480));
  assert.equal(img.width, 640);
  assert.equal(img.height, 480);
  assert.equal(img.data.length, 640 * 480 * 3);
  assert.equal(img.original, undefined);
  // Exactly at the cap is within it.
  const at = await d.decode(await jpeg(3072, 100));
  assert.equal(at.width, 3072);
  assert.equal(at.original, undefined);
});

test('a photo over the cap is decoded with its longer side at the cap, upright, with its original size', async () => {
  const d = new SharpDecoder({ maxPixels: 40_000_000, maxAnalysisSide: 1000 });
  const img = await d.decode(await jpeg(4000, 3000));
  assert.deepEqual([img.width, img.height], [1000, 750]);
  assert.equal(img.data.length, 1000 * 750 * 3);
  assert.deepEqual(img.original, { width: 4000, height: 3000 });
  // EXIF orientation 6 (a quarter turn): the upright photo is 3000 wide, 4000 high.
  const turned = await d.decode(await jpeg(4000, 3000, 6));
  assert.deepEqual([turned.width, turned.height], [750, 1000]);
  assert.deepEqual(turned.original, { width: 3000, height: 4000 });
});

test('no cap: full resolution; the pixel limit still applies before decoding', async () => {
  const bytes = await jpeg(4000, 3000);
  const full = await new SharpDecoder({ maxPixels: 40_000_000 }).decode(bytes);
  assert.deepEqual([full.width, full.height, full.original], [4000, 3000, undefined]);
  await assert.rejects(
    new SharpDecoder({ maxPixels: 10_000_000, maxAnalysisSide: 1000 }).decode(bytes),
    (e) => e instanceof VisageError && e.code === 'IMAGE_TOO_LARGE',
  );
});
