/**
 * Runs async sections one at a time per key (a gallery's writes), in arrival order, while
 * sections under other keys proceed. Not re-entrant: never take the same key inside a section.
 */
export class KeyedMutex<K> {
  private readonly tails = new Map<K, Promise<unknown>>();

  async run<T>(key: K, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    // Tails never reject, so each section starts once the previous one settled.
    const result = prev.then(() => fn());
    // The queue continues whether this section succeeds or fails.
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
