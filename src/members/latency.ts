// The latencies of a member's last commands: the p50/p99 that stats() reports, and the p50/p95
// that hedged reads rank members by and wait for. Those two are recomputed as answers come in,
// at most once per REFRESH answers and REFRESH_MS: sorting the window is tens of microseconds,
// and doing it every 32 answers was a tenth of a small hedged get+set pair's main-thread time.
// A median over 1024 answers moves slowly anyway; a member that stops answering is caught by
// Member.silentMs instead.

const SIZE = 1024;
/** Answers between two refreshes of the cached quantiles (every answer while fewer than this). */
const REFRESH = 32;
/** And at least this long between two refreshes (ms). */
const REFRESH_MS = 100;

export class LatencyWindow {
  readonly #samples = new Float64Array(SIZE);
  #count = 0;
  #cachedAt = 0;
  #refreshedAt = -Infinity;
  #p50 = 0;
  #p95 = 0;
  #version = 0;

  /** @param ms the answer's latency; @param now performance.now() when it came */
  add(ms: number, now: number): void {
    this.#samples[this.#count++ % SIZE] = ms;
    if (this.#count <= REFRESH || (this.#count - this.#cachedAt >= REFRESH && now - this.#refreshedAt >= REFRESH_MS)) this.#refresh(now);
  }

  /** Answers seen so far (all time). */
  get count(): number {
    return this.#count;
  }

  /** Bumped whenever p50 or p95 was recomputed. */
  get version(): number {
    return this.#version;
  }

  percentiles(): { p50: number; p99: number } {
    const n = Math.min(this.#count, SIZE);
    if (n === 0) return { p50: 0, p99: 0 };
    const sorted = this.#samples.slice(0, n).sort();
    const at = (q: number) => Math.round(sorted[Math.min(n - 1, Math.floor(q * n))]! * 1000) / 1000;
    return { p50: at(0.5), p99: at(0.99) };
  }

  /** Recent median in ms (0 before any answer). */
  get p50(): number {
    return this.#p50;
  }

  /** Recent 95th percentile in ms (0 before any answer). */
  get p95(): number {
    return this.#p95;
  }

  #refresh(now: number): void {
    this.#cachedAt = this.#count;
    this.#refreshedAt = now;
    const n = Math.min(this.#count, SIZE);
    const sorted = this.#samples.slice(0, n).sort();
    this.#p50 = sorted[Math.floor(0.5 * n)]!;
    this.#p95 = sorted[Math.min(n - 1, Math.floor(0.95 * n))]!;
    this.#version++;
  }
}
