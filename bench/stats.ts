// Small statistics helpers shared by every part of the bench.
import { readFileSync } from 'node:fs';

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `value` to `digits` decimals, for the figures written to a results file. */
export const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** Nearest-rank percentile, p in [0, 100]. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** A figure measured in several runs: the median, and every run's value (for the spread). */
export interface Stat {
  median: number;
  runs: number[];
}

export function stat(runs: number[]): Stat {
  return { median: median(runs), runs };
}

/**
 * a ÷ b as the median of the per-run ratios: each run measures every pipeline back to back, so a
 * ratio within one run is spared the drift of a shared machine between runs (which moved single
 * figures by half their median). Figures without matching runs fall back to a ratio of medians.
 */
export function pairedRatio(a: Stat | null | undefined, b: Stat | null | undefined): number | null {
  if (!a || !b || !(b.median > 0)) return null;
  if (a.runs.length === 0 || a.runs.length !== b.runs.length) return a.median / b.median;
  return median(a.runs.map((value, i) => value / b.runs[i]!));
}

/** Relative spread of the runs, (max - min) / median. */
export function spread(s: Stat): number {
  if (s.runs.length === 0 || !(s.median > 0)) return NaN;
  return (Math.max(...s.runs) - Math.min(...s.runs)) / s.median;
}

/** Deterministic PRNG (mulberry32), so every run builds the same sessions. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms));

const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
let schedstatWorks: boolean | undefined;

/**
 * CPU time the main thread itself has run, in ms (Linux: the first field of its schedstat, in
 * ns). Unlike event-loop utilisation it does not count time the thread was runnable but
 * preempted, so it stays honest on a loaded machine. undefined where unavailable.
 */
export function mainThreadCpuMs(): number | undefined {
  if (schedstatWorks === false) return undefined;
  try {
    const ns = Number(readFileSync(SCHEDSTAT, 'latin1').split(' ', 1)[0]);
    schedstatWorks = Number.isFinite(ns);
    return schedstatWorks ? ns / 1e6 : undefined;
  } catch {
    schedstatWorks = false;
    return undefined;
  }
}
