/** Greedy non-maximum suppression over scored boxes: the rule every detector shares. */
import { iou, type Box } from './face.model.js';

export interface ScoredBox {
  box: Box;
  score: number;
}

/**
 * Keeps boxes best score first, dropping any whose IoU with an already kept box exceeds
 * `iouThreshold`. Returns a new array sorted by score, best first; at most `limit` boxes.
 */
export function nms<T extends ScoredBox>(items: readonly T[], iouThreshold: number, limit = Infinity): T[] {
  const sorted = [...items].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const c of sorted) {
    if (kept.length >= limit) break;
    if (kept.every((k) => iou(k.box, c.box) <= iouThreshold)) kept.push(c);
  }
  return kept;
}

/** Detections of one look at the image (one scale, mirrored or not, one tile). */
export interface PassDetections {
  boxes: ScoredBox[];
  /** Image pixels this pass saw. */
  region: Box;
  /** Input pixels per image pixel. */
  scale: number;
}

export interface FusionOptions {
  /** IoU at which detections of different passes are taken as the same face. */
  iou: number;
  /**
   * Face widths (input pixels) a pass can judge: a pass votes on a face only when the face's
   * width at that pass's scale lies in [minInput, maxInput] and its centre lies in the region.
   */
  minInput: number;
  maxInput: number;
}

/**
 * Test-time-augmentation voting: detections of all passes are clustered greedily (best score
 * first; a cluster takes at most one detection per pass, IoU ≥ `iou` with its seed). A cluster's
 * score is the mean over the passes that could see it of their best score there, 0 where a
 * pass saw nothing: score = Σ_p s_p / |eligible passes|. A face seen by every eligible look
 * keeps its score; a false positive produced by one look only is diluted. The box is the
 * score-weighted mean of the cluster's boxes.
 */
export function fuseVotes(passes: readonly PassDetections[], o: FusionOptions): ScoredBox[] {
  const all: { d: ScoredBox; p: number }[] = [];
  passes.forEach((pass, p) => pass.boxes.forEach((d) => all.push({ d, p })));
  all.sort((a, b) => b.d.score - a.d.score);
  const used = new Set<ScoredBox>();
  const out: ScoredBox[] = [];
  for (const seed of all) {
    if (used.has(seed.d)) continue;
    used.add(seed.d);
    const members: ScoredBox[] = [seed.d];
    const best = new Map<number, ScoredBox>([[seed.p, seed.d]]);
    for (const c of all) {
      if (used.has(c.d) || best.has(c.p) || iou(seed.d.box, c.d.box) < o.iou) continue;
      best.set(c.p, c.d);
      members.push(c.d);
      used.add(c.d);
    }
    const b = seed.d.box;
    const w = b.x2 - b.x1;
    const cx = (b.x1 + b.x2) / 2;
    const cy = (b.y1 + b.y2) / 2;
    let eligible = 0;
    let sum = 0;
    passes.forEach((pass, p) => {
      const r = pass.region;
      const wIn = w * pass.scale;
      const sees = cx >= r.x1 && cx <= r.x2 && cy >= r.y1 && cy <= r.y2 && wIn >= o.minInput && wIn <= o.maxInput;
      if (sees || best.has(p)) {
        eligible++;
        sum += best.get(p)?.score ?? 0;
      }
    });
    let tw = 0;
    const box = { x1: 0, y1: 0, x2: 0, y2: 0 };
    for (const m of members) {
      tw += m.score;
      box.x1 += m.score * m.box.x1;
      box.y1 += m.score * m.box.y1;
      box.x2 += m.score * m.box.x2;
      box.y2 += m.score * m.box.y2;
    }
    out.push({ score: sum / eligible, box: { x1: box.x1 / tw, y1: box.y1 / tw, x2: box.x2 / tw, y2: box.y2 / tw } });
  }
  return out.sort((a, b) => b.score - a.score);
}
