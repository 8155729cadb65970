/** Maps items with at most `concurrency` in flight, keeping each item's outcome (never rejects). */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export async function pMapSettled<I, O>(items: readonly I[], concurrency: number, fn: (item: I, index: number) => Promise<O>): Promise<Settled<O>[]> {
  const out = new Array<Settled<O>>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = { ok: true, value: await fn(items[i]!, i) };
      } catch (error) {
        out[i] = { ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}
