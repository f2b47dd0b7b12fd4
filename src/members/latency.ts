// The latencies of a member's last commands: the p50/p99 that stats() reports, and the p50/p95
// that hedged reads rank members by and wait for. Those two are read on every hedged get, so they
// are kept sorted-once-per-32-samples rather than sorted per read.

const SIZE = 1024;
/** Samples between two refreshes of the cached quantiles (every sample while fewer than this). */
const REFRESH = 32;

export class LatencyWindow {
  readonly #samples = new Float64Array(SIZE);
  #count = 0;
  #cachedAt = -1;
  #p50 = 0;
  #p95 = 0;

  add(ms: number): void {
    this.#samples[this.#count++ % SIZE] = ms;
  }

  /** Answers seen so far (all time). */
  get count(): number {
    return this.#count;
  }

  percentiles(): { p50: number; p99: number } {
    const n = Math.min(this.#count, SIZE);
    if (n === 0) return { p50: 0, p99: 0 };
    const sorted = this.#samples.slice(0, n).sort();
    const at = (q: number) => Math.round(sorted[Math.min(n - 1, Math.floor(q * n))]! * 1000) / 1000;
    return { p50: at(0.5), p99: at(0.99) };
  }

  /** Recent median in ms (0 before any answer); at most REFRESH samples stale. */
  get p50(): number {
    this.#refresh();
    return this.#p50;
  }

  /** Recent 95th percentile in ms (0 before any answer); at most REFRESH samples stale. */
  get p95(): number {
    this.#refresh();
    return this.#p95;
  }

  #refresh(): void {
    const count = this.#count;
    if (count === this.#cachedAt || (count >= REFRESH && count - this.#cachedAt < REFRESH)) return;
    this.#cachedAt = count;
    const n = Math.min(count, SIZE);
    if (n === 0) return;
    const sorted = this.#samples.slice(0, n).sort();
    this.#p50 = sorted[Math.floor(0.5 * n)]!;
    this.#p95 = sorted[Math.min(n - 1, Math.floor(0.95 * n))]!;
  }
}
