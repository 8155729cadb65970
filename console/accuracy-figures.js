// The eval's LFW figures (docs/accuracy.md, "Recognition: LFW"): the impostor tail measured on
// 11,966,504 different-person pairs and the genuine acceptance at FAR 1e-3 on 3,000 LFW pairs.
// Update these with the doc when the model or the eval changes.
export const LFW = {
  impostorPairs: 11966504,
  // Cosine at which this fraction of impostor pairs score at or above (per comparison).
  impostorAt: [
    { far: 1e-1, cosine: 0.1304 },
    { far: 1e-3, cosine: 0.3346 },
    { far: 1e-5, cosine: 0.4745 },
  ],
  // ln FAR(cos) ≈ a − b·cos, fitted on the tail from FAR 1e-3 to 1e-5.
  impostorTail: { a: 4.1203, b: 32.7026 },
  // Same-person pairs at or above the medium cosine (TAR at FAR 1e-3).
  genuineAt: [{ tar: 0.9847, cosine: 0.3346 }],
  pairAccuracy: 0.995,
};

/** Fraction of impostor pairs scoring at least `s` (the fitted tail past FAR 1e-1, clamped to 1). */
export function impostorFraction(s) {
  const { a, b } = LFW.impostorTail;
  if (s <= LFW.impostorAt[0].cosine) {
    // Below the first measured point, interpolate ln FAR linearly to FAR 1 at cosine 0.
    const c0 = LFW.impostorAt[0].cosine;
    return Math.min(1, Math.exp((Math.log(LFW.impostorAt[0].far) * Math.max(0, s)) / c0));
  }
  if (s <= LFW.impostorAt[1].cosine) {
    const [p, q] = LFW.impostorAt;
    const t = (s - p.cosine) / (q.cosine - p.cosine);
    return Math.exp(Math.log(p.far) + t * (Math.log(q.far) - Math.log(p.far)));
  }
  return Math.exp(a - b * s);
}
