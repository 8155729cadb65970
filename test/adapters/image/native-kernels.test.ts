// The C++ pixel kernels against the JS loops they replace: the same bytes and floats on a real
// photo, bad arguments refused with an error (never a crash), and photos handed over in place.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { boxDownsample } from '../../../src/adapters/image/box-downsample.js';
import { nativeAddon, usePixelKernels } from '../../../src/adapters/image/native-kernels.js';
import { boxToAffine, warpToTensor, type Affine, type TensorSpec } from '../../../src/adapters/image/pixel-ops.js';
import { SharpDecoder } from '../../../src/adapters/image/sharp-decoder.adapter.js';
import type { RgbImage } from '../../../src/domain/face.model.js';
import { evalPhoto } from '../../helpers/eval-photos.js';

after(() => usePixelKernels('auto'));

/** f run with the JS loops, then with the C++ kernels. */
function both<T>(f: () => T): [js: T, native: T] {
  usePixelKernels('js');
  const js = f();
  assert.equal(usePixelKernels('native'), 'native');
  return [js, f()];
}

/** Element by element, so −0 and 0 or two NaNs would count as different. */
function assertSame(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.fail(`${what}: element ${i}: ${a[i]} vs ${b[i]}`);
}

const decode = (path: string) => new SharpDecoder({ maxPixels: 50e6 }).decode(evalPhoto(path));

test('npm ci built the native kernels (scripts/build-native.mjs)', () => {
  assert.ok(nativeAddon(), 'native/build/Release/visage_pixel_kernels.node is missing: run npm run build:native');
});

test('box filter: the same bytes as the JS loops for every tap count', async () => {
  const photo = await decode('compreface_samples/images/000_5.jpg'); // 819x546
  for (const factor of [2, 3, 4, 5, 7, 10]) {
    const [js, native] = both(() => boxDownsample(photo, factor));
    assert.deepEqual([native.width, native.height], [js.width, js.height]);
    assertSame(native.data, js.data, `factor ${factor}`);
  }
});

test('warps: the same floats as the JS loops, any affine, every colour order, into an offset', async () => {
  const photo = await decode('facemask_boxes/images/maksssksksss3.jpg');
  const specs: TensorSpec[] = [
    { width: 93, height: 64, colour: 'RGB', mean: 127, std: 128 }, // not a multiple of 8: the vector loop's tail
    { width: 56, height: 56, colour: 'BGR', mean: 127.5, std: 127.5 },
    { width: 48, height: 48, colour: 'GREY', mean: [10, 0, 0], std: [50, 1, 1] },
    { width: 32, height: 40, colour: 'RGB', mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] },
  ];
  let seed = 3;
  const r = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24;
  for (const spec of specs) {
    for (let k = 0; k < 12; k++) {
      // Axis-aligned (the detector's fast path, some mirrored), or any rotation and shear; both
      // reaching past the photo's edges now and then.
      const m: Affine = k % 2
        ? boxToAffine({ x1: r() * 200 - 40, y1: r() * 100 - 30, x2: 200 + r() * 300, y2: 150 + r() * 200 }, spec.width, spec.height)
        : [r() * 4 - 2, r() * 2 - 1, r() * 500 - 50, r() * 2 - 1, r() * 4 - 2, r() * 400 - 50];
      if (k % 4 === 1) m[0] = -m[0];
      const size = (spec.colour === 'GREY' ? 1 : 3) * spec.width * spec.height;
      const [js, native] = both(() => warpToTensor(photo, m, spec, new Float32Array(size + 7).fill(9), 5));
      assertSame(native, js, `${spec.colour} ${spec.width}x${spec.height} affine ${k}`);
    }
  }
});

test('warps of tiny photos, sampling their last pixel (the vector loops\' edge case), match the JS loops', () => {
  for (const [width, height] of [[2, 1], [3, 2], [5, 3]] as const) {
    const img: RgbImage = { width, height, data: Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37 + 11) & 255) };
    for (const colour of ['RGB', 'BGR', 'GREY'] as const) {
      const spec: TensorSpec = { width: 16, height: 8, colour, mean: 100, std: 50 };
      const size = (colour === 'GREY' ? 1 : 3) * 16 * 8;
      // Stretched over the whole photo and beyond its bottom-right corner, straight and turned.
      for (const m of [boxToAffine({ x1: 0, y1: 0, x2: width + 2, y2: height + 2 }, 16, 8), [0.3, 0.1, width - 1.5, -0.05, 0.4, height - 1.2] as Affine]) {
        const [js, native] = both(() => warpToTensor(img, m, spec, new Float32Array(size)));
        assertSame(native, js, `${width}x${height} ${colour}`);
      }
    }
  }
});

test('bad arguments are refused with an error, not a crash', () => {
  const k = nativeAddon()!;
  const img: RgbImage = { width: 10, height: 10, data: new Uint8Array(300) };
  assert.throws(() => k.boxDownsample(img.data, 10, 11, 2, 2, new Uint8Array(75)), /shorter/);
  assert.throws(() => k.boxDownsample(img.data, 10, 10, 2, 2, new Uint8Array(74)), /output too short/);
  assert.throws(() => k.boxDownsample(new Float32Array(300) as never, 10, 10, 2, 2, new Uint8Array(75)), /Uint8Array/);
  assert.throws(() => k.boxDownsample(img.data, 10, 10, 2.5, 2, new Uint8Array(75)), /integer/);
  const warp = (out: Float32Array, offset: number, m0 = 1) =>
    k.affineWarp(img.data, 10, 10, m0, 0, 0, 0, 1, 0, 4, 4, 3, 0, 1, 2, 0, 0, 0, 1, 1, 1, out, offset);
  assert.throws(() => warp(new Float32Array(47), 0), /output too short/);
  assert.throws(() => warp(new Float32Array(48), 1), /output too short/);
  assert.throws(() => warp(new Float32Array(48), 0, Number.NaN), /finite/);
  assert.throws(() => (k.affineWarp as (...a: unknown[]) => void)(img.data, 10, 10), /missing/);
  assert.throws(() => k.view(0n, 10), /address/);
  warp(new Float32Array(48), 0); // and a good call still works
});

test('a view of another array\'s memory reads its bytes, and reads nothing once released', () => {
  const k = nativeAddon()!;
  const owner = new Uint8Array([1, 2, 3, 4, 5, 6]).subarray(2);
  const view = k.view(k.address(owner), owner.length);
  assert.deepEqual([...view], [3, 4, 5, 6]);
  owner[0] = 9;
  assert.equal(view[0], 9, 'the same memory, not a copy');
  k.release(view);
  assert.equal(view.length, 0);
  assert.equal(view[0], undefined);
});
