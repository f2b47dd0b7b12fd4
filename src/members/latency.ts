// The latencies of a member's last commands, for the p50/p99 that stats() reports.

const SIZE = 1024;

export class LatencyWindow {
  readonly #samples = new Float64Array(SIZE);
  #count = 0;

  add(ms: number): void {
    this.#samples[this.#count++ % SIZE] = ms;
  }

  percentiles(): { p50: number; p99: number } {
    const n = Math.min(this.#count, SIZE);
    if (n === 0) return { p50: 0, p99: 0 };
    const sorted = this.#samples.slice(0, n).sort();
    const at = (q: number) => Math.round(sorted[Math.min(n - 1, Math.floor(q * n))]! * 1000) / 1000;
    return { p50: at(0.5), p99: at(0.99) };
  }
}
