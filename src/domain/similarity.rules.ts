/**
 * Similarity and thresholds. Every recognition model ships its own calibration (the CompreFace
 * idea): raw cosine is mapped to a 0–1 similarity with the model's own coefficients, and the
 * threshold presets are that model's cosines at fixed false-accept rates, measured by our eval.
 */
import { badParam } from './error.registry.js';

export const THRESHOLD_PRESETS = ['strict', 'medium', 'low', 'none'] as const;
export type ThresholdPreset = (typeof THRESHOLD_PRESETS)[number];

/** The presets as false-accept rates, the convention commercial face APIs use. */
export const PRESET_FAR: Record<ThresholdPreset, number> = { strict: 1e-5, medium: 1e-3, low: 1e-1, none: 1 };

export interface SimilarityCalibration {
  /**
   * similarity = (tanh((cos − c0) · c1) + 1) / 2, so cos = c0 maps to 0.5 and c1 sets the slope.
   * Monotonic, so thresholds can be compared in either space.
   */
  c0: number;
  c1: number;
  /** Cosine thresholds at each preset's FAR, from `npm run eval` (docs/accuracy.md). */
  cosineAt: Record<Exclude<ThresholdPreset, 'none'>, number>;
  /**
   * The impostor cosine's upper tail, ln FAR(cos) ≈ a − b·cos, fitted on measured impostor
   * quantiles: it extrapolates to the per-comparison FARs open-set search needs, below what
   * millions of measured pairs can show. Without it search uses the per-comparison presets.
   */
  impostorTail?: { a: number; b: number };
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export function l2normalize(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  n = Math.sqrt(n) || 1;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / n;
  return out;
}

export function cosineToSimilarity(cos: number, cal: SimilarityCalibration): number {
  return (Math.tanh((cos - cal.c0) * cal.c1) + 1) / 2;
}

/** Similarity threshold for a preset; `none` accepts everything. */
export function presetThreshold(preset: ThresholdPreset, cal: SimilarityCalibration): number {
  if (preset === 'none') return 0;
  return cosineToSimilarity(cal.cosineAt[preset], cal);
}

/**
 * Reads a threshold parameter: a preset name or a number in [0, 1] (a similarity).
 * Undefined means the default, `medium`.
 */
export function resolveThreshold(
  value: string | number | undefined,
  cal: SimilarityCalibration,
  param = 'threshold',
): { threshold: number; preset?: ThresholdPreset } {
  if (value === undefined || value === '') return { threshold: presetThreshold('medium', cal), preset: 'medium' };
  if (typeof value === 'string' && (THRESHOLD_PRESETS as readonly string[]).includes(value)) {
    const preset = value as ThresholdPreset;
    return { threshold: presetThreshold(preset, cal), preset };
  }
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw badParam(param, `${param} must be one of ${THRESHOLD_PRESETS.join(', ')} or a number between 0 and 1`);
  }
  return { threshold: n };
}

/**
 * Threshold for open-set search over `candidates` enrolled faces. A stranger compared with N
 * faces gets N chances of a false match, so in search a preset's FAR is the chance that a
 * stranger gets any candidate (the false-positive identification rate): each comparison must
 * pass at FAR/N, i.e. cos = (a − ln(FAR/N)) / b, never below the per-comparison preset.
 */
export function searchThreshold(preset: ThresholdPreset, cal: SimilarityCalibration, candidates: number): number {
  return preset === 'none' ? 0 : cosineToSimilarity(searchCosine(preset, cal, candidates), cal);
}

/** The cosine behind searchThreshold (the eval reports it and checks it against unknown probes). */
export function searchCosine(preset: Exclude<ThresholdPreset, 'none'>, cal: SimilarityCalibration, candidates: number): number {
  const cos = cal.cosineAt[preset];
  if (!cal.impostorTail || candidates <= 1) return cos;
  const { a, b } = cal.impostorTail;
  return Math.max(cos, (a - Math.log(PRESET_FAR[preset] / candidates)) / b);
}
