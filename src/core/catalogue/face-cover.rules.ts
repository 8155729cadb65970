/**
 * How much of a face lies under something flat: a bar or sticker over the eyes, a hand, a
 * mask, dark glasses. Pure, from the pixels the faces were found in. It reads texture only
 * (how much the grey level varies inside small cells), so it measures the PHOTO, what hides
 * the face, never the person; the checks by group on UTKFace are in docs/accuracy.md.
 *
 * Why flatness: a photographed face shows texture everywhere inside its outline (lids, lashes,
 * brows, nostrils, lips, shading, at least the camera's noise), while an occluder over it shows
 * little. The detection box is cut into COLS × ROWS cells; only the inner ones count (columns
 * 1–8, rows 2–10, 72 cells), because the outer ring holds hair, background and neck, which may
 * be flat in a good portrait (a dark fringe, a studio backdrop): on UTKFace nearly all the flat
 * cells of uncovered faces lay there. With s the grey (Rec. 601 luma) standard deviation of the
 * whole box and s_c, m_c a cell's own deviation and mean,
 *   flat share = #{inner cells with s_c < FLAT · s and BLACK < m_c < WHITE} / #{inner cells in the photo}
 * Relative to the box's own contrast, so a dark photo reads the same as a bright one. A cell
 * near white is not taken for an occluder: smooth, bright skin (soft focus, retouching, strong
 * light) reads flat there, and exposure is another part's business; one near black is clipped.
 */
import type { Box, RgbImage } from '../../domain/face.model.js';
import { clipToImage, luma } from '../face-pixels.rules.js';

const COLS = 10;
const ROWS = 12;
const INNER_COLS = [1, 8] as const;
const INNER_ROWS = [2, 10] as const;
const FLAT = 0.03;
const BLACK = 12;
const WHITE = 220;
/**
 * uncovered = clip((FREE_SHARE + SPAN − flat share) / SPAN, 0, 1): one flat inner cell is free
 * (2 of 400 LFW portraits had two or more), and nothing is left at 0.175 (about 12 of the 72
 * cells: an eye and its surround, or a band across both eyes).
 */
const FREE_SHARE = 0.025;
const SPAN = 0.15;

interface CellSums {
  n: number;
  sum: number;
  sum2: number;
}

const sd = (c: CellSums) => Math.sqrt(Math.max(0, c.sum2 / c.n - (c.sum / c.n) ** 2));

/** Share (0–1) of the face's inner cells with almost no texture; 0 when none is in the photo. */
export function flatShare(image: RgbImage, box: Box): number {
  const cw = (box.x2 - box.x1) / COLS;
  const ch = (box.y2 - box.y1) / ROWS;
  if (!(cw > 0 && ch > 0)) return 0;
  const all: CellSums = { n: 0, sum: 0, sum2: 0 };
  const inner: CellSums[] = [];
  for (let j = 0; j < ROWS; j++) {
    for (let i = 0; i < COLS; i++) {
      const c = clipToImage({ x1: box.x1 + i * cw, y1: box.y1 + j * ch, x2: box.x1 + (i + 1) * cw, y2: box.y1 + (j + 1) * ch }, image);
      if (!c) continue;
      const cell: CellSums = { n: 0, sum: 0, sum2: 0 };
      for (let y = c.y1; y < c.y2; y++) {
        let p = (y * image.width + c.x1) * 3;
        for (let x = c.x1; x < c.x2; x++, p += 3) {
          const v = luma(image.data[p]!, image.data[p + 1]!, image.data[p + 2]!);
          cell.n++;
          cell.sum += v;
          cell.sum2 += v * v;
        }
      }
      // A cell of a few pixels (a face a dozen pixels wide) has no texture to read.
      if (cell.n < 4) continue;
      all.n += cell.n;
      all.sum += cell.sum;
      all.sum2 += cell.sum2;
      if (i >= INNER_COLS[0] && i <= INNER_COLS[1] && j >= INNER_ROWS[0] && j <= INNER_ROWS[1]) inner.push(cell);
    }
  }
  if (inner.length === 0) return 0;
  const limit = FLAT * sd(all);
  const flat = inner.filter((c) => sd(c) < limit && c.sum / c.n > BLACK && c.sum / c.n < WHITE);
  return flat.length / inner.length;
}

/** 1 for a face in full view, falling to 0 as more of it lies under something flat. */
export function uncovered(share: number): number {
  return Math.min(1, Math.max(0, (FREE_SHARE + SPAN - share) / SPAN));
}
