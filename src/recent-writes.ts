// When this process last wrote or touched each session, for `touchAfter`: a touch within that
// interval is skipped. Bounded: entries are kept in the order they were refreshed, so the oldest
// are at the front; those past the interval are dropped as new ones come in, and past the bound
// the oldest go first (a forgotten session's next touch simply goes out).

const LIMIT = 50_000;

export class RecentWrites {
  readonly #at = new Map<string, number>();
  readonly #interval: number;

  /** @param interval ms (touchAfter); 0 remembers nothing */
  constructor(interval: number) {
    this.#interval = interval;
  }

  /** Whether `id` was written or touched less than the interval ago. */
  fresh(id: string): boolean {
    const at = this.#at.get(id);
    return at !== undefined && performance.now() - at < this.#interval;
  }

  /** `id` was written or touched at `at` (performance.now() when the write was called). */
  wrote(id: string, at: number): void {
    if (this.#interval === 0) return;
    this.#at.delete(id);
    this.#at.set(id, at);
    const stale = performance.now() - this.#interval;
    for (const [first, when] of this.#at) {
      if (this.#at.size <= LIMIT && when > stale) break;
      this.#at.delete(first);
    }
  }

  forget(id: string): void {
    this.#at.delete(id);
  }
}
