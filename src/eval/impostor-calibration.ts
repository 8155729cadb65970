/**
 * LFW's threshold calibration and open-set figures from the identification run's impostor
 * scores (every probe against every other identity's gallery photo). A figure at a false-accept
 * rate f needs at least 1/f scores, so that one lies above its threshold; with fewer (a small
 * eval folder, a quick --limit run) the calibration is reported as skipped, with the reason.
 */
import { PRESET_FAR, searchCosine } from '../domain/similarity.rules.js';
import { skip, type Skipped } from './eval-data.js';
import type { LfwEvalResult } from './lfw.eval.js';
import { descending, quantileAbove, quantileAboveSorted } from './verification.metrics.js';

/** Whether `n` scores resolve a false-accept rate `far`: at least one of them lies above its threshold. */
export const resolves = (far: number, n: number) => Math.floor(far * n) >= 1;

/** A figure for a log line. */
export const fmt = (x: number | Skipped, digits: number) => (typeof x === 'number' ? x.toFixed(digits) : 'skipped');

/**
 * The threshold calibration and the open-set figures from every impostor score, the best impostor
 * of each probe (its identity left out of the gallery) and the probe's rank-1 score when right
 * (else −∞). Skipped, with the reason, when the impostors cannot resolve the strictest FAR.
 */
export function calibrate(
  impostors: Float32Array,
  bestImpostor: Float32Array,
  bestGenuine: Float32Array,
  galleryLength: number,
  log: (msg: string) => void,
): Pick<LfwEvalResult, 'false_match_rate_medium' | 'false_match_rate_strict' | 'calibration' | 'open_set'> {
  const n = impostors.length;
  const probes = bestImpostor.length;
  const farsNeeded = [PRESET_FAR.strict, PRESET_FAR.medium, PRESET_FAR.low, ...TAIL_FARS];
  if (!farsNeeded.every((f) => resolves(f, n))) {
    const minFar = Math.min(...farsNeeded);
    const reason = `needs ≥ 1/FAR impostor scores down to FAR ${minFar.toExponential(0)} (${Math.round(1 / minFar).toLocaleString('en')}), has ${n.toLocaleString('en')} from ${probes} probes × ${galleryLength - 1} other identities`;
    const calibration = skip(log, 'lfw/calibration', reason);
    return { false_match_rate_medium: calibration, false_match_rate_strict: calibration, calibration, open_set: skip(log, 'lfw/open_set', reason) };
  }
  // Millions of scores: sorted once for every quantile and the tail fit.
  const imp = descending(impostors);
  const cosineAt = {
    strict: quantileAboveSorted(imp, PRESET_FAR.strict),
    medium: quantileAboveSorted(imp, PRESET_FAR.medium),
    low: quantileAboveSorted(imp, PRESET_FAR.low),
  };
  let falseMatches = 0;
  let falseStrict = 0;
  for (const s of bestImpostor) {
    if (s >= cosineAt.medium) falseMatches++;
    if (s >= cosineAt.strict) falseStrict++;
  }
  const openSet1pct = resolves(0.01, probes)
    ? quantileAbove(bestImpostor, 0.01)
    : skip(log, 'lfw/calibration.open_set_cosine_1pct', `needs ≥ 100 probes, has ${probes}`);
  const impostorTail = fitImpostorTail(imp);
  // The open-set rule the gallery search applies (similarity.rules.ts searchThreshold): a preset
  // is a false-positive identification rate over the whole gallery, checked here in-sample.
  const cal = { c0: 0, c1: 1, cosineAt, impostorTail };
  const searchCos = (p: 'strict' | 'medium') => searchCosine(p, cal, galleryLength);
  const fpir = (p: 'strict' | 'medium') => {
    const t = searchCos(p);
    return probes ? bestImpostor.filter((s) => s >= t).length / probes : 0;
  };
  const rank1Above = (t: number) => (probes ? bestGenuine.filter((s) => s >= t).length / probes : 0);
  const fmr = probes ? falseMatches / probes : 0;
  const fmrStrict = probes ? falseStrict / probes : 0;
  log(
    `lfw: cosine at strict/medium/low ${cosineAt.strict.toFixed(4)}/${cosineAt.medium.toFixed(4)}/${cosineAt.low.toFixed(4)} ` +
      `from ${n} impostor pairs; open-set false match at medium ${fmr.toFixed(4)}, strict ${fmrStrict.toFixed(4)}, ` +
      `1% at cosine ${fmt(openSet1pct, 4)}`,
  );
  return {
    false_match_rate_medium: fmr,
    false_match_rate_strict: fmrStrict,
    calibration: { cosineAt, impostor_pairs: n, open_set_cosine_1pct: openSet1pct, impostorTail },
    open_set: {
      gallery: galleryLength,
      search_cosine: { strict: searchCos('strict'), medium: searchCos('medium') },
      fpir: { strict: fpir('strict'), medium: fpir('medium') },
      rank1_above_threshold: { strict: rank1Above(searchCos('strict')), medium: rank1Above(searchCos('medium')) },
    },
  };
}

/** The impostor-tail fit's points: FAR 1e-3 to 1e-5 in half-decade steps. */
const TAIL_FARS = [0, 1, 2, 3, 4].map((k) => 1e-3 / Math.sqrt(10) ** k);

/**
 * Fits ln FAR(cos) ≈ a − b·cos to the impostor quantiles (`desc`: scores sorted highest first)
 * at FAR 1e-3 … 1e-5 (5 points, each resolved by ≥ 100 scores out of millions). Above that
 * (FAR < 1e-5) LFW's impostors hold a few near-identical pairs (label noise, look-alikes) whose
 * flat tail would push open-set thresholds past every genuine match (measured: fitting
 * 1e-4 … 1e-6 gave b = 12 and a medium search cosine of 0.81 at 3,554 faces); below 1e-3 the
 * body of the distribution is shallower.
 */
function fitImpostorTail(desc: Float32Array): { a: number; b: number } {
  const pts: [number, number][] = [];
  for (const far of TAIL_FARS) {
    const i = Math.floor(far * desc.length) - 1;
    if (i >= 0) pts.push([desc[i]!, Math.log(far)]);
  }
  if (pts.length < 2) throw new Error(`too few impostor pairs (${desc.length}) to fit the tail at FAR 1e-3 … 1e-5`);
  const mx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
  const my = pts.reduce((s, p) => s + p[1], 0) / pts.length;
  const sxy = pts.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
  const sxx = pts.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  const b = -sxy / sxx;
  return { a: my + b * mx, b };
}
