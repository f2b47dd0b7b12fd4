// The store-level grid (bench/codec): for each session shape and
// size, and each pipeline, sequential set+get pairs of the same few session ids, measuring
//  - main-thread busy time per pair: performance.eventLoopUtilization() deltas (active ms),
//    i.e. what the request path pays, not the time spent waiting for Redis or a worker;
//  - whole-process CPU per pair: process.cpuUsage() deltas, every thread (work moved into the
//    pool stays visible);
//  - wall time per pair;
//  - Redis bytes per session on each member (STRLEN) and MEMORY USAGE on the first.
// Every figure is the median of `runs` runs (the named cart and small sessions: more and longer
// runs); the pipelines are interleaved run by run (in a shuffled order) so that drift on a shared
// machine hits every pipeline alike, and every ratio is the median of the ratios to connect-redis
// measured in the same run.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createClient, type RedisClientType } from 'redis';
import { BASELINE, PIPELINES, openPipeline, type CodecCounts, type Pipeline } from './pipelines.js';
import type { RedisTarget } from './redis.js';
import type { CodecCell, CodecPoint, CodecResults } from './results.js';
import { expressSession, jsonBytes, KB, sessionData, SHAPE_LABEL, type SessionKind } from './sessions.js';
import { mainThreadCpuMs, pairedRatio, prng, stat } from './stats.js';

export interface GridPointSpec {
  id: string;
  kind: SessionKind;
  targetBytes: number;
}

export const GRID_SIZES = [1 * KB, 16 * KB, 64 * KB, 256 * KB, 1024 * KB];

function sizeLabel(bytes: number): string {
  return bytes >= 1024 * KB ? `${bytes / (1024 * KB)}MB` : `${Math.round(bytes / KB)}KB`;
}

/** The fixed grid: 3 shapes × 5 sizes, plus the named cart and small sessions and string-heavy 300 KB. */
export const GRID: readonly GridPointSpec[] = [
  { id: 'small', kind: 'small', targetBytes: 1 * KB },
  { id: 'cart', kind: 'cart', targetBytes: 170 * KB },
  ...(['object', 'string', 'binary'] as const).flatMap(kind => {
    const sizes = kind === 'string' ? [...GRID_SIZES.slice(0, 4), 300 * KB, GRID_SIZES[4]!] : GRID_SIZES;
    return sizes.map(targetBytes => ({ id: `${kind}-${sizeLabel(targetBytes)}`, kind, targetBytes }));
  }),
];

export interface GridOptions {
  targets: readonly RedisTarget[];
  runs: number;
  /** ms of pairs per pipeline before measuring (also calibrates the pair count). */
  warmMs: number;
  /** ms of pairs one measured run aims at. */
  runMs: number;
  minPairs: number;
  runId: string;
  /** Only the points whose id contains one of these. */
  points?: string[];
  log: (line: string) => void;
}

/** The sessions the targets are about: measured in more and longer runs than the rest of the
 * grid, because single runs of 200 ms on this shared VM moved by half their median, and after a
 * longer warm-up: the cart comes second in the grid, and with 120 ms of warm-up per pipeline
 * four identical stores measured up to 25% apart (and 40% above their steady state), while
 * after ~800 ms each they agreed within 1%. */
const NAMED = new Set(['small', 'cart']);
const NAMED_RUNS = (runs: number): number => 2 * runs - 1;
const NAMED_WINDOW = 3;
const NAMED_WARM = 8;

function named(options: GridOptions): GridOptions {
  return { ...options, runs: NAMED_RUNS(options.runs), runMs: options.runMs * NAMED_WINDOW, warmMs: options.warmMs * NAMED_WARM };
}

const SIDS = 2;

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
const MAX_PAIRS = 5000;

let gcFn: (() => void) | undefined;
function collectGarbage(): void {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
}

interface Sample {
  main: number;
  mainCpu: number | undefined;
  cpu: number;
  wall: number;
}

type BenchSession = Record<string, unknown> & { seq: number };

async function pairs(p: Pipeline, sids: readonly string[], sessions: readonly BenchSession[], n: number): Promise<Sample> {
  const thread0 = mainThreadCpuMs();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const k = i % sids.length;
    const session = sessions[k]!;
    session.seq++;
    await p.set(sids[k]!, session);
    const got = await p.get(sids[k]!);
    if (got === null || got === undefined) throw new Error(`${p.info.id}: get after set returned nothing`);
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  const thread1 = mainThreadCpuMs();
  const mainCpu = thread0 === undefined || thread1 === undefined ? undefined : (thread1 - thread0) / n;
  return { main: elu.active / n, mainCpu, cpu: (cpu.user + cpu.system) / 1000 / n, wall: wall / n };
}

const COUNTS = ['encodeInline', 'encodeOffloaded', 'decodeInline', 'decodeOffloaded', 'sealInline', 'sealOffloaded', 'openInline', 'openOffloaded'] as const;

/** sum + (b - a), counter by counter. */
function addCounts(sum: CodecCounts | undefined, a: CodecCounts | undefined, b: CodecCounts | undefined): CodecCounts | undefined {
  if (!a || !b) return sum;
  const out: CodecCounts = { encodeInline: 0, encodeOffloaded: 0, decodeInline: 0, decodeOffloaded: 0 };
  for (const k of COUNTS) out[k] = (sum?.[k] ?? 0) + (b[k] ?? 0) - (a[k] ?? 0);
  return out;
}

export async function runCodecGrid(options: GridOptions): Promise<CodecResults> {
  const { targets, log } = options;
  const inspect: RedisClientType[] = [];
  const pipelines: Pipeline[] = [];
  try {
    for (const t of targets.slice(0, 2)) {
      const c = createClient({ url: t.url }) as RedisClientType;
      c.on('error', () => undefined);
      await c.connect();
      inspect.push(c);
    }
    for (const info of PIPELINES) pipelines.push(await openPipeline(info, targets, `bench:${options.runId}:${info.id}:`));

    const specs = GRID.filter(s => !options.points || options.points.some(f => s.id.includes(f)));
    const points: CodecPoint[] = [];
    for (const [index, spec] of specs.entries()) {
      const started = performance.now();
      const here = pipelines.filter(p => !p.info.points || p.info.points.includes(spec.id));
      const point = await measurePoint(spec, index, here, inspect, NAMED.has(spec.id) ? named(options) : options);
      points.push(point);
      const base = point.cells[BASELINE]!.main.median;
      const line = here
        .map(p => p.info)
        .filter(p => p.id !== BASELINE)
        .map(p => `${p.id} ${pairedRatio(point.cells[p.id]!.main, point.cells[BASELINE]!.main)!.toFixed(2)}×`)
        .join('  ');
      log(
        `  ${point.id.padEnd(12)} ${String(point.jsonBytes).padStart(8)} B  connect-redis ${base.toFixed(3)} ms  ${line}  (${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
    }
    return { runs: options.runs, pipelines: PIPELINES.map(p => ({ ...p })), points };
  } finally {
    for (const p of pipelines) await p.close().catch(() => undefined);
    for (const c of inspect) if (c.isOpen) c.destroy();
  }
}

async function measurePoint(
  spec: GridPointSpec,
  index: number,
  pipelines: readonly Pipeline[],
  inspect: readonly RedisClientType[],
  options: GridOptions,
): Promise<CodecPoint> {
  const data = sessionData(spec.kind, spec.targetBytes);
  const sids = Array.from({ length: SIDS }, (_, i) => `${spec.id}-${i}`);
  const sessionsFor = () => sids.map(sid => Object.assign(expressSession(sid, data), { seq: 0 }) as BenchSession);
  const size = jsonBytes(sessionsFor()[0]);

  // Warm-up, calibration and a fidelity check, pipeline by pipeline.
  const state = new Map<string, { sessions: BenchSession[]; n: number; fidelity: boolean; samples: Sample[]; before?: CodecCounts }>();
  for (const p of pipelines) {
    const sessions = sessionsFor();
    let fidelity = true;
    const t0 = performance.now();
    for (const [k, sid] of sids.entries()) {
      await p.set(sid, sessions[k]);
      const got = await p.get(sid);
      if (JSON.stringify(got) !== JSON.stringify(sessions[k])) fidelity = false;
    }
    if (!fidelity) options.log(`  WARNING: ${p.info.id} on ${spec.id}: get did not return the JSON round trip of the session`);
    // The seeding pairs above count as warm-up; go on until warmMs and minPairs are both reached.
    let done = sids.length;
    let warm = 0;
    const t1 = performance.now();
    while (warm === 0 || performance.now() - t0 < options.warmMs || done < options.minPairs) {
      await pairs(p, sids, sessions, 1);
      done++;
      warm++;
    }
    const perPair = (performance.now() - t1) / warm;
    const n = Math.max(options.minPairs, Math.min(MAX_PAIRS, Math.ceil(options.runMs / perPair)));
    state.set(p.info.id, { sessions, n, fidelity, samples: [] });
  }

  for (let run = 0; run < options.runs; run++) {
    // A shuffled order each run, so that no pipeline always follows the same one (a rotation
    // nearly did). The gap two identical configurations once showed came not from the order but
    // from too short a warm-up (see NAMED).
    const order = shuffled(pipelines, prng(1000 * index + run));
    for (const p of order) {
      const s = state.get(p.info.id)!;
      collectGarbage();
      const before = p.counts();
      s.samples.push(await pairs(p, sids, s.sessions, s.n));
      s.before = addCounts(s.before, before, p.counts());
    }
  }

  const cells: Record<string, CodecCell> = {};
  for (const p of pipelines) {
    const s = state.get(p.info.id)!;
    const key = p.prefix + sids[0]!;
    const bytes: number[] = [];
    for (const [i] of p.targets.entries()) bytes.push(await inspect[i]!.strLen(key));
    const memory = (await inspect[0]!.sendCommand(['MEMORY', 'USAGE', key])) as number | null;
    cells[p.info.id] = {
      pairs: s.n,
      main: stat(s.samples.map(x => x.main)),
      mainCpu: s.samples.every(x => x.mainCpu !== undefined) ? stat(s.samples.map(x => x.mainCpu!)) : null,
      cpu: stat(s.samples.map(x => x.cpu)),
      wall: stat(s.samples.map(x => x.wall)),
      bytes,
      memory,
      fidelity: s.fidelity,
      codec: s.before ?? null,
    };
    // Leave nothing behind (the servers may not be ours).
    const keys = sids.map(sid => p.prefix + sid);
    for (const [i] of p.targets.entries()) await inspect[i]!.del(keys);
  }
  return { id: spec.id, kind: spec.kind, label: `${SHAPE_LABEL[spec.kind]} ${spec.kind === 'cart' || spec.kind === 'small' ? `${Math.round(size / KB)}KB` : sizeLabel(spec.targetBytes)}`, targetBytes: spec.targetBytes, jsonBytes: size, cells };
}

