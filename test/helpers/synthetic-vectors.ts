/** Seeded synthetic unit vectors: "identities" whose samples sit near a centre (cosine ≈ 0.7–0.9). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

export function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n);
  return v.map((x) => x / n);
}

/** A random unit vector (Gaussian-ish components, so directions are uniform enough). */
export function randomUnit(dim: number, rand: () => number): Float32Array {
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) v[i] = rand() + rand() + rand() - 1.5;
  return unit(v);
}

/** A sample of an identity: its centre plus noise of the given strength. */
export function sampleOf(centre: Float32Array, noise: number, rand: () => number): Float32Array {
  const n = randomUnit(centre.length, rand);
  return unit(centre.map((x, i) => x + noise * n[i]!));
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
