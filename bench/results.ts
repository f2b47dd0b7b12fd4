// The shape of bench/results/<name>.json. Everything the markdown table and the SVG chart show
// is computed from this file alone (report.ts, chart.ts), so the committed table can be checked
// against the committed JSON.
import type { Stat } from './stats.js';
import type { CodecCounts, PipelineInfo } from './pipelines.js';
import type { SessionKind } from './sessions.js';

export const SCHEMA = 1;

export interface Meta {
  commit: string;
  /** `git status --porcelain` was empty, ignoring bench/results/, README.md and docs/performance.md (outputs of the bench). */
  clean: boolean;
  dirty: string[];
  node: string;
  v8: string;
  cpu: string;
  cores: number;
  platform: string;
  memoryGiB: number;
  redis: string;
  /** true when --redis-urls named servers the bench did not start. */
  foreignRedis: boolean;
  date: string;
  seconds: number;
  /** os.loadavg() (1, 5, 15 min) when the run started and when it ended: how quiet the machine was. */
  loadStart: number[];
  loadEnd: number[];
}

export interface CodecCell {
  pairs: number;
  /** main-thread busy ms per set+get pair (event-loop utilisation). */
  main: Stat;
  /** main-thread CPU ms per pair (Linux schedstat: excludes time preempted; null elsewhere). */
  mainCpu: Stat | null;
  /** whole-process CPU ms per pair (user + system, every thread). */
  cpu: Stat;
  /** wall ms per pair. */
  wall: Stat;
  /** STRLEN of the session's key on each member. */
  bytes: number[];
  /** MEMORY USAGE of the key on the first member. */
  memory: number | null;
  /** get returned what JSON.stringify/JSON.parse of the session gives. */
  fidelity: boolean;
  /** expredis: codec counters over the measured runs (what 'auto' chose). */
  codec: CodecCounts | null;
}

export interface CodecPoint {
  id: string;
  kind: SessionKind;
  label: string;
  targetBytes: number;
  jsonBytes: number;
  cells: Record<string, CodecCell>;
}

export interface CodecResults {
  runs: number;
  pipelines: PipelineInfo[];
  points: CodecPoint[];
}

export interface E2eRun {
  rps: number;
  p50: number;
  p99: number;
  /** event-loop delay p99 in the app process, ms (beyond the monitor's timer period). */
  eldP99: number;
  /** main-thread busy ms per request in the app process. */
  mainPerReq: number;
  /** main-thread CPU ms per request in the app process (Linux schedstat), null elsewhere. */
  mainCpuPerReq: number | null;
  /** whole app process CPU ms per request. */
  cpuPerReq: number;
  requests: number;
  errors: number;
  non2xx: number;
  /** store.set calls per request (1 when every request wrote its session). */
  setsPerReq: number;
  /** store.touch calls per request (express-session's, on requests that left the session as it was). */
  touchesPerReq?: number;
  /** requests that found their logged-in session, per request. */
  hitsPerReq: number;
}

export interface E2eApp {
  id: string;
  label: string;
  store: 'expredis' | 'connect-redis';
  members: number;
  serializer: string;
  shape: 'cart' | 'small';
  sessionBytes: number;
  runs: E2eRun[];
  rps: Stat;
  p50: Stat;
  p99: Stat;
  eldP99: Stat;
  mainPerReq: Stat;
  mainCpuPerReq: Stat | null;
  cpuPerReq: Stat;
}

export interface E2eCase {
  id: string;
  label: string;
  app: string;
  baseline: string;
}

export interface E2eResults {
  runs: number;
  seconds: number;
  connections: number;
  users: number;
  apps: E2eApp[];
  cases: E2eCase[];
}

export interface PoolFigures {
  p50: Stat;
  p99: Stat;
  /** main-thread busy µs per round trip (event-loop utilisation). */
  mainUs: Stat;
  /** main-thread CPU µs per round trip (Linux schedstat), null elsewhere. */
  mainCpuUs: Stat | null;
  tasks: number;
}

export interface PoolResults {
  runs: number;
  /** Each task posted as soon as the previous one came back. */
  backToBack: PoolFigures;
  /** Each task posted after the pool sat idle for `idleGapMs`. */
  afterIdle: PoolFigures;
  idleGapMs: number;
}

export interface BenchResults {
  schema: number;
  name: string;
  mode: 'quick' | 'full';
  command: string;
  parts: string[];
  meta: Meta;
  codec?: CodecResults;
  e2e?: E2eResults;
  pool?: PoolResults;
}

/** Per encoder, one figure each. */
export interface ByEncoder {
  fused: number;
  packr: number;
}

/** bench/results/encoder.json, written by `npm run bench:encoder` (bench/encoder.ts). */
export interface EncoderResults {
  meta: Meta;
  command: string;
  rounds: number;
  /** set+get pairs (and isolated encodes) per encoder per round. */
  ops: number;
  /** What the set+get figures count: the main thread's CPU (schedstat) or, where unavailable, wall time. */
  clock: 'main-thread CPU' | 'wall';
  session: { jsonBytes: number; storedBytes: ByEncoder };
  /** Keep the fused encoder only when its set+get is at least this fraction cheaper than Packr's. */
  keepFusedIfCheaperBy: number;
  perRound: { setGetMs: { fused: number[]; packr: number[] }; encodeUs: { fused: number[]; packr: number[] } };
  median: { setGetMs: ByEncoder; encodeUs: ByEncoder };
  /** fused ÷ packr of set+get, median of the per-round ratios. */
  ratio: number;
  /** fused ÷ packr of the isolated encode, median of the per-round ratios. */
  encodeRatio: number;
  decision: 'fused' | 'packr';
  /** µs per decode of the cart without and with the decode-side JSON check, median of 5 runs. */
  decodeCheck: {
    msgpack: { unpackUs: number; checkedUs: number };
    json: { parseUs: number; checkedUs: number };
  };
}

export type ScanOperation = 'length' | 'ids' | 'clear';

export interface ScanFigures {
  /** median ms. */
  ms: number;
  /** median high-water of heapUsed above its value before the operation, MiB. */
  heapMiB: number;
  /** ms of each run. */
  runs: number[];
}

/** bench/results/scan.json, written by `npm run bench:scan` (bench/scan.ts). */
export interface ScanResults {
  meta: Meta;
  command: string;
  sessionsPerMember: number;
  runs: number;
  sampleMs: number;
  gc: boolean;
  results: { label: string; operations: Record<ScanOperation, ScanFigures> }[];
  /** expredis ÷ connect-redis, per operation. */
  ratios: Record<ScanOperation, { time: number; heap: number }>;
}

/** One `expredis sync` measurement: what it took and the CLI process's peaks. */
export interface SyncFigures {
  /** wall ms of the whole command (process start to exit). */
  ms: number;
  /** keys copied (or checked, for the pass over a full target) per second of wall time. */
  keysPerSecond: number;
  /** the CLI process's peak RSS (getrusage maxrss), MiB. */
  peakRssMiB: number;
  /** the CLI process's peak heapUsed, sampled every 20 ms, MiB. */
  peakHeapMiB: number;
}

/** bench/results/sync.json, written by `npm run bench:sync` (bench/sync.ts). */
export interface SyncResults {
  meta: Meta;
  command: string;
  sessions: number;
  /** bytes of each stored session value. */
  valueBytes: number;
  runs: number;
  /** sync onto an empty target (copies every session): medians, and each run. */
  copy: SyncFigures & { runs: SyncFigures[] };
  /** sync again onto the full target (copies nothing, checks every key): medians, and each run. */
  recheck: SyncFigures & { runs: SyncFigures[] };
}
