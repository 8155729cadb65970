/**
 * The pixel loops in C++ (native/pixel-kernels.cc): the box-filter shrink and the two bilinear
 * warps, computing exactly what the JS loops in box-downsample.ts and pixel-ops.ts compute (same
 * samples, same double arithmetic and order, same rounding), 3–4x faster (docs/benchmarks.md).
 * `npm ci` builds them (scripts/build-native.mjs, node-gyp with the machine's C++ compiler);
 * where that build failed, the JS loops run and start-up says so. Each thread (the HTTP thread,
 * every worker) chooses once, at start, through `usePixelKernels` (config VISAGE_PIXEL_KERNELS).
 */
import { existsSync } from 'node:fs';
import type { PixelKernelMode } from '../../ports/face-models.port.js';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface NativePixelKernels {
  boxDownsample(src: Uint8Array, width: number, height: number, factor: number, taps: number, out: Uint8Array): void;
  /** Arguments: src, sw, sh, m0..m5, W, H, channels, s0, s1, s2, mean0..2, inv0..2, out, offset. */
  separableWarp(...args: WarpArgs): void;
  affineWarp(...args: WarpArgs): void;
  /** The address of the array's first byte. */
  address(data: Uint8Array): bigint;
  /** A Uint8Array over `length` bytes at `address` in this process, owned by another thread. */
  view(address: bigint, length: number): Uint8Array;
  /** Detaches a view made by `view`: from then on it reads as empty. */
  release(view: Uint8Array): void;
}

export type WarpArgs = [
  src: Uint8Array, sw: number, sh: number,
  m0: number, m1: number, m2: number, m3: number, m4: number, m5: number,
  W: number, H: number, channels: number,
  s0: number, s1: number, s2: number,
  mean0: number, mean1: number, mean2: number,
  inv0: number, inv1: number, inv2: number,
  out: Float32Array, offset: number,
];

export type { PixelKernelMode };

/** Where node-gyp leaves the addon, from this file's folder (src/adapters/image). */
export const NATIVE_ADDON_PATH = fileURLToPath(new URL('../../../native/build/Release/visage_pixel_kernels.node', import.meta.url));

let loaded: NativePixelKernels | null | undefined;
let active: NativePixelKernels | null | undefined;

function load(): NativePixelKernels | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (existsSync(NATIVE_ADDON_PATH)) {
    try {
      loaded = createRequire(import.meta.url)(NATIVE_ADDON_PATH) as NativePixelKernels;
    } catch {
      loaded = null; // built for another Node ABI or machine: the JS loops run
    }
  }
  return loaded;
}

/**
 * Chooses this thread's kernels: `native` requires the addon (throws with the fix if it is not
 * built), `js` forces the JS loops, `auto` takes the addon when it loads. Returns what runs.
 */
export function usePixelKernels(mode: PixelKernelMode): 'native' | 'js' {
  if (mode === 'js') {
    active = null;
    return 'js';
  }
  active = load();
  if (!active && mode === 'native') {
    throw new Error(`native pixel kernels not built (${NATIVE_ADDON_PATH}): run "npm run build:native" (needs a C++ compiler), or set VISAGE_PIXEL_KERNELS=auto`);
  }
  return active ? 'native' : 'js';
}

/** The addon whatever this thread's kernel choice (for address and view), or null if not built. */
export function nativeAddon(): NativePixelKernels | null {
  return load();
}

/** The kernels in use, or null for the JS loops (auto until usePixelKernels is called). */
export function nativeKernels(): NativePixelKernels | null {
  if (active === undefined) active = load();
  return active;
}
