// A rate limit for sync's writes: at most `perSecond` keys a second on average, with bursts of a
// tenth of a second's worth (at least one). A generic cell rate algorithm: each take() reserves
// the next slot synchronously, then waits for it. When `stop` aborts, every wait ends at once.

export class RateLimit {
  readonly #interval: number;
  readonly #burst: number;
  readonly #stop: AbortSignal | undefined;
  readonly #waiting = new Set<() => void>();
  /** When the next key may go, ms on the performance clock (the "theoretical arrival time"). */
  #next = 0;

  constructor(perSecond: number, stop?: AbortSignal) {
    this.#interval = Number.isFinite(perSecond) ? 1000 / perSecond : 0;
    this.#burst = this.#interval === 0 ? 0 : Math.max(0, perSecond / 10 - 1) * this.#interval;
    this.#stop = stop;
    stop?.addEventListener('abort', () => {
      for (const done of [...this.#waiting]) done();
    }, { once: true });
  }

  /** Resolves when one more key may be written; undefined when it may go at once. */
  take(): Promise<void> | undefined {
    if (this.#interval === 0 || this.#stop?.aborted) return undefined;
    const now = performance.now();
    const slot = Math.max(this.#next, now);
    this.#next = slot + this.#interval;
    const wait = slot - this.#burst - now;
    if (wait <= 0) return undefined;
    return new Promise(resolve => {
      const done = () => {
        clearTimeout(timer);
        this.#waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, wait);
      this.#waiting.add(done);
    });
  }
}
