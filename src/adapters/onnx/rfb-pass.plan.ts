/**
 * Which network passes one photo gets: the whole frame at one or more scales, plus overlapping
 * tiles for very large photos. Pure geometry, so it can be tested and tuned apart from the model.
 *
 * Input sizes are chosen per photo: the photo's long side is scaled to `longSide` input pixels
 * (at most `maxUpscale` times its own size), rounded to a multiple of 32 so sessions can be
 * cached per size. Small street photos (~400x270) are upscaled, which lets the network's
 * smallest anchors (10 px) reach faces of ~6 px.
 */
import type { Box } from '../../domain/face.model.js';

export interface RfbPass {
  /** Image pixels stretched onto the input tensor. */
  region: Box;
  /** Input tensor size. */
  width: number;
  height: number;
  /** Mirrored left-right: a second look whose scores are averaged with the first (test-time augmentation). */
  flip: boolean;
}

export interface RfbPassOptions {
  /** Long sides (input pixels) of the whole-frame passes. */
  longSides: number[];
  /** Largest upscaling of the photo (input px per photo px). */
  maxUpscale: number;
  /** Also run every whole-frame pass mirrored. */
  flip: boolean;
  /** Tiles for large photos: added when the photo's long side exceeds `above` px. */
  tiles: { above: number; perLongSide: number; overlap: number; longSide: number } | null;
}

const ALIGN = 32;
const MIN_SIDE = 64;

const align = (v: number) => Math.max(MIN_SIDE, Math.round(v / ALIGN) * ALIGN);

/** Input size for a region of w×h photo pixels whose long side should become `longSide`. */
export function inputSizeFor(w: number, h: number, longSide: number, maxUpscale: number): { width: number; height: number } {
  const s = Math.min(longSide / Math.max(w, h), maxUpscale);
  return { width: align(w * s), height: align(h * s) };
}

export function planPasses(width: number, height: number, o: RfbPassOptions): RfbPass[] {
  const whole: Box = { x1: 0, y1: 0, x2: width, y2: height };
  const passes: RfbPass[] = [];
  const seen = new Set<string>();
  for (const L of o.longSides) {
    const size = inputSizeFor(width, height, L, o.maxUpscale);
    const key = `${size.width}x${size.height}`;
    if (seen.has(key)) continue; // small photos capped by maxUpscale collapse to one size
    seen.add(key);
    passes.push({ region: whole, ...size, flip: false });
    if (o.flip) passes.push({ region: whole, ...size, flip: true });
  }
  const t = o.tiles;
  if (t && Math.max(width, height) > t.above) {
    // n tiles along the long side, tiles overlapping by `overlap` of their size, so a face cut
    // by one tile border lies whole in the neighbour; the short side gets as many as it needs.
    const long = Math.max(width, height);
    const tile = long / (t.perLongSide - (t.perLongSide - 1) * t.overlap);
    const starts = (extent: number): number[] => {
      if (extent <= tile) return [0];
      const n = Math.ceil((extent - tile) / (tile * (1 - t.overlap))) + 1;
      const step = (extent - tile) / (n - 1);
      return Array.from({ length: n }, (_, i) => i * step);
    };
    for (const y of starts(height)) {
      for (const x of starts(width)) {
        const region: Box = { x1: x, y1: y, x2: Math.min(width, x + tile), y2: Math.min(height, y + tile) };
        passes.push({ region, ...inputSizeFor(region.x2 - region.x1, region.y2 - region.y1, t.longSide, o.maxUpscale), flip: false });
      }
    }
  }
  return passes;
}
