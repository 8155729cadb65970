/**
 * Reverse face search: how a match's cosine becomes a 0–100 score on four bands, and how
 * several probe photos of one person become one probe. Pure rules; the bands follow the
 * convention of public face-search services (90–100 certain, 83–89 confident, 70–82
 * uncertain, 50–69 weak), anchored on this model's calibrated false-accept rates so that each
 * band keeps its meaning whatever the size of the index.
 */
import { l2normalize, PRESET_FAR, searchCosine, type SimilarityCalibration } from './similarity.rules.js';

export type ScoreBand = 'certain' | 'confident' | 'uncertain' | 'weak';

/** The lowest score of each band. */
export const BAND_FLOOR: Record<ScoreBand, number> = { certain: 90, confident: 83, uncertain: 70, weak: 50 };

/** The cosines at which each band starts, for a search over `candidates` faces. */
export interface ScoreAnchors {
  certain: number;
  confident: number;
  uncertain: number;
  weak: number;
  /** Where the score reaches 100. */
  top: number;
}

/**
 * certain: a stranger reaches it with probability PRESET_FAR.strict (1e-5) over the whole
 * index (open-set, per search); confident: PRESET_FAR.medium (1e-3) per search; uncertain:
 * PRESET_FAR.low (0.1) per search; weak: the per-comparison `low` cosine (1 in 10 stranger
 * pairs), below which nothing is returned. Each anchor is at least the one below it plus a
 * little, so the bands never collapse on a tiny index.
 */
export function scoreAnchors(cal: SimilarityCalibration, candidates: number): ScoreAnchors {
  const n = Math.max(1, candidates);
  const weak = cal.cosineAt.low;
  const uncertain = Math.max(weak + 0.01, searchCosine('low', cal, n));
  const confident = Math.max(uncertain + 0.01, searchCosine('medium', cal, n));
  const certain = Math.max(confident + 0.01, searchCosine('strict', cal, n));
  return { weak, uncertain, confident, certain, top: Math.min(1, certain + 0.25) };
}

/** The integer score 0–100 of a cosine: linear within each band, 0 below `weak`. */
export function faceSearchScore(cos: number, a: ScoreAnchors): number {
  const seg = (lo: number, hi: number, from: number, to: number) => from + ((Math.min(cos, hi) - lo) / (hi - lo)) * (to - from);
  let s: number;
  if (cos < a.weak) s = Math.max(0, (cos / a.weak) * 49);
  else if (cos < a.uncertain) s = seg(a.weak, a.uncertain, 50, 69.999);
  else if (cos < a.confident) s = seg(a.uncertain, a.confident, 70, 82.999);
  else if (cos < a.certain) s = seg(a.confident, a.certain, 83, 89.999);
  else s = seg(a.certain, a.top, 90, 100);
  return Math.max(0, Math.min(100, Math.floor(s)));
}

export function scoreBand(score: number): ScoreBand | null {
  if (score >= BAND_FLOOR.certain) return 'certain';
  if (score >= BAND_FLOOR.confident) return 'confident';
  if (score >= BAND_FLOOR.uncertain) return 'uncertain';
  if (score >= BAND_FLOOR.weak) return 'weak';
  return null;
}

/**
 * Several photos of one person as one probe: the mean of their unit templates, normalised
 * again. Averaging cancels what differs between photos (pose, light, expression) and keeps
 * what they share, the usual template fusion of face recognition; one photo is itself.
 */
export function fuseProbes(vectors: Float32Array[]): Float32Array {
  if (vectors.length === 0) throw new RangeError('no probe vectors');
  const sum = new Float32Array(vectors[0]!.length);
  for (const v of vectors) {
    const u = l2normalize(v);
    for (let i = 0; i < u.length; i++) sum[i] = sum[i]! + u[i]!;
  }
  return l2normalize(sum);
}

export { PRESET_FAR };
