/** Verification metrics over scored pairs (higher score = more alike) and the eval sets' CSV. */
import { readFile } from 'node:fs/promises';

export interface ScoredPair {
  fold: number;
  same: boolean;
  score: number;
}

/** Header-keyed rows of a plain CSV (the eval sets use no quoting). */
export async function readCsv(path: string): Promise<Record<string, string>[]> {
  const lines = (await readFile(path, 'utf8')).split(/\r?\n/).filter((l) => l.length > 0);
  const head = lines[0]!.split(',');
  return lines.slice(1).map((l) => {
    const cells = l.split(',');
    return Object.fromEntries(head.map((h, i) => [h, cells[i] ?? '']));
  });
}

/**
 * The threshold maximising accuracy on `pairs` (accept when score ≥ t): candidates are the
 * midpoints between consecutive sorted scores; among equally good ones, the middle one.
 */
export function bestThreshold(pairs: ScoredPair[]): number {
  const s = [...pairs].sort((a, b) => a.score - b.score);
  const totalSame = s.filter((p) => p.same).length;
  // t below everything: all accepted → correct = totalSame.
  let correct = totalSame;
  let best = correct;
  let bestIdx: number[] = [-1];
  for (let i = 0; i < s.length; i++) {
    // Moving t above s[i] rejects it.
    correct += s[i]!.same ? -1 : 1;
    if (i + 1 < s.length && s[i + 1]!.score === s[i]!.score) continue;
    if (correct > best) {
      best = correct;
      bestIdx = [i];
    } else if (correct === best) bestIdx.push(i);
  }
  const i = bestIdx[Math.floor(bestIdx.length / 2)]!;
  if (i < 0) return s[0]!.score - 1e-6;
  if (i >= s.length - 1) return s[s.length - 1]!.score + 1e-6;
  return (s[i]!.score + s[i + 1]!.score) / 2;
}

export function accuracyAt(pairs: ScoredPair[], t: number): number {
  let ok = 0;
  for (const p of pairs) if (p.score >= t === p.same) ok++;
  return pairs.length ? ok / pairs.length : 0;
}

/** Mean over folds of the held-out fold's accuracy at the threshold chosen on the other folds. */
export function crossValidatedAccuracy(pairs: ScoredPair[]): number {
  const folds = [...new Set(pairs.map((p) => p.fold))];
  if (folds.length < 2) return accuracyAt(pairs, bestThreshold(pairs));
  let sum = 0;
  for (const f of folds) {
    const t = bestThreshold(pairs.filter((p) => p.fold !== f));
    sum += accuracyAt(
      pairs.filter((p) => p.fold === f),
      t,
    );
  }
  return sum / folds.length;
}

/** ROC AUC = P(score of a same pair > score of a different pair), ties counting half (rank-sum). */
export function aucOf(pairs: ScoredPair[]): number {
  const s = [...pairs].sort((a, b) => a.score - b.score);
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j < s.length && s[j]!.score === s[i]!.score) j++;
    const avgRank = (i + 1 + j) / 2; // ranks i+1 … j
    for (let k = i; k < j; k++) if (s[k]!.same) {
      rankSumPos += avgRank;
      nPos++;
    }
    i = j;
  }
  const nNeg = s.length - nPos;
  if (nPos === 0 || nNeg === 0) return 0;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * The score threshold at which at most `far` of the impostor scores reach it: with k = ⌊far·n⌋,
 * the midpoint between the k-th and (k+1)-th highest, so exactly k impostors score ≥ t.
 */
export function quantileAbove(impostors: ArrayLike<number>, far: number): number {
  return quantileAboveSorted(descending(impostors), far);
}

/** Scores sorted highest first: sort millions of impostors once, then read every quantile. */
export function descending(scores: ArrayLike<number>): Float32Array {
  return Float32Array.from(scores).sort().reverse();
}

/** quantileAbove over scores already sorted by `descending`. */
export function quantileAboveSorted(desc: Float32Array, far: number): number {
  const n = desc.length;
  if (n === 0) return 1;
  const k = Math.floor(far * n);
  if (k <= 0) return desc[0]! + 1e-6;
  if (k >= n) return desc[n - 1]!;
  return (desc[k - 1]! + desc[k]!) / 2;
}

/** True-accept rate at the threshold where the different pairs' false-accept rate is at most `far`. */
export function tarAtFar(pairs: ScoredPair[], far: number): number {
  const t = quantileAbove(
    pairs.filter((p) => !p.same).map((p) => p.score),
    far,
  );
  const pos = pairs.filter((p) => p.same);
  return pos.length ? pos.filter((p) => p.score >= t).length / pos.length : 0;
}
