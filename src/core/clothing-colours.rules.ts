/**
 * Dominant clothing colours: the region under the face, from 0.5 to 2 face heights below the
 * chin (the box bottom), 1.5 × the face width, centred on the face, clipped to the image.
 * When less than a quarter face height of it (or fewer than 64 pixels) lies inside the image,
 * the answer is empty: there is no visible body to describe.
 *
 * Colours: pixels (subsampled to at most ~4,000) are counted in a coarse RGB grid of 8 levels a
 * channel (512 cells); each cell stands for the mean colour of its pixels. Colours are taken
 * most populated cell first, skipping a cell whose mean lies within MERGE_DISTANCE (Euclidean
 * RGB) of one already taken, so three shades of one shirt count once; when fewer than 3
 * distinct colours cover at least MIN_SHARE of the region each, the list is filled up with the
 * next most populated cells (shades of the main colours). 3 hex colours, distinct ones first;
 * fewer only when the region holds fewer than 3 grid cells (a flat, synthetic colour).
 */
import type { Box, RgbImage } from '../domain/face.model.js';
import { clipToImage } from './face-pixels.rules.js';

const LEVELS = 8;
const MERGE_DISTANCE = 48;
const MAX_SAMPLES = 4000;
/** A colour must cover at least this share of the sampled pixels to be reported. */
const MIN_SHARE = 0.03;

export function clothingRegion(face: Box): Box {
  const w = face.x2 - face.x1;
  const h = face.y2 - face.y1;
  const cx = (face.x1 + face.x2) / 2;
  return { x1: cx - 0.75 * w, y1: face.y2 + 0.5 * h, x2: cx + 0.75 * w, y2: face.y2 + 2 * h };
}

const hex = (r: number, g: number, b: number) =>
  '#' + [r, g, b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');

export function dominantClothingColours(image: RgbImage, face: Box, count = 3): string[] {
  const want = clothingRegion(face);
  const r = clipToImage(want, image);
  const faceH = face.y2 - face.y1;
  if (!r || r.y2 - r.y1 < 0.25 * faceH || (r.x2 - r.x1) * (r.y2 - r.y1) < 64) return [];
  const area = (r.x2 - r.x1) * (r.y2 - r.y1);
  const step = Math.max(1, Math.round(Math.sqrt(area / MAX_SAMPLES)));
  const n = new Uint32Array(LEVELS ** 3);
  const sr = new Float64Array(LEVELS ** 3), sg = new Float64Array(LEVELS ** 3), sb = new Float64Array(LEVELS ** 3);
  const d = image.data;
  let total = 0;
  for (let y = r.y1; y < r.y2; y += step) {
    for (let x = r.x1; x < r.x2; x += step) {
      const i = (y * image.width + x) * 3;
      const R = d[i]!, G = d[i + 1]!, B = d[i + 2]!;
      const cell = ((R >> 5) * LEVELS + (G >> 5)) * LEVELS + (B >> 5);
      n[cell]!++;
      sr[cell]! += R; sg[cell]! += G; sb[cell]! += B;
      total++;
    }
  }
  const cells = [...n.keys()].filter((c) => n[c]! > 0).sort((a, b) => n[b]! - n[a]!);
  const mean = (c: number): [number, number, number] => [sr[c]! / n[c]!, sg[c]! / n[c]!, sb[c]! / n[c]!];
  const taken: number[] = [];
  for (const c of cells) {
    if (taken.length >= count || n[c]! < MIN_SHARE * total) break;
    const m = mean(c);
    const near = taken.some((t) => {
      const u = mean(t);
      return Math.hypot(u[0] - m[0], u[1] - m[1], u[2] - m[2]) < MERGE_DISTANCE;
    });
    if (!near) taken.push(c);
  }
  for (const c of cells) {
    if (taken.length >= count) break;
    if (!taken.includes(c)) taken.push(c);
  }
  return taken.map((c) => hex(...mean(c)));
}
