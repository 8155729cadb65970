/**
 * Calibration of fr_feature (ArcFace-style, BGR, (x − 127)/128) as aligned by ArcFaceEmbedder
 * after Landmark68Locator, measured by `npx tsx bench/lfw-eval.ts` (src/cli/eval/lfw.eval.ts) on
 * all of ../shared/eval/lfw with the RFB detector: each preset's cosine is the impostor-score
 * quantile at its FAR over 11,966,504 cross-identity gallery × probe pairs (3,554 identities,
 * 3,368 probes). Re-measure (and bump the embedder's version) whenever alignment changes.
 */
import type { SimilarityCalibration } from '../../domain/similarity.rules.js';

/** Cosines at FAR 1e-5, 1e-3 and 1e-1 per comparison. */
const COSINE_AT = { strict: 0.4745, medium: 0.3345, low: 0.1304 };

/**
 * similarity = (tanh((cos − c0)·c1) + 1) / 2. c0 = the medium cosine, so the default threshold
 * reads 0.5. c1 = atanh(0.8) / (medium − low) puts `low` at similarity 0.1 (and `strict` at about
 * 0.8): the whole impostor-to-genuine transition spreads over 0.1–0.85, and a typical genuine
 * pair (cos ≈ 0.7) reads about 0.98 rather than saturating at 1, so scores above the thresholds
 * still rank.
 */
export const ARCFACE_CALIBRATION: SimilarityCalibration = {
  c0: COSINE_AT.medium,
  c1: Math.atanh(0.8) / (COSINE_AT.medium - COSINE_AT.low),
  cosineAt: COSINE_AT,
  // ln FAR(cos) ≈ a − b·cos, fitted by lfw.eval.ts on the same impostor scores between FAR 1e-3
  // and 1e-5 (the far end is flattened by LFW's near-duplicate impostors, and fitting it made the
  // search thresholds too strict). At 3,554 identities this gives search cosines 0.586 (medium:
  // open-set FPIR 0.65%, 81% of enrolled probes matched) and 0.727 (strict: FPIR 0.33%).
  impostorTail: { a: 4.131, b: 32.7625 },
};
