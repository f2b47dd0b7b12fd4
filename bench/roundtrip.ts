// The worker round trip on a warm idle pool: the store's own CodecPool (dist/src/pool.js, the
// real worker dist/worker/codec.js) encoding a tiny session, one task at a time. Measured as
// wall µs from run() to the result on the main thread, two ways:
//  - back to back: the next task is posted as soon as the previous result arrives;
//  - after idle: the pool sits idle for a few ms before each task (the worker is asleep),
//    which is what a request arriving at a quiet server meets.
// Also the main-thread busy µs per round trip (event-loop utilisation).
import { CodecPool } from '../src/pool.js';
import type { EncodeTask } from '../worker/messages.js';
import type { PoolFigures, PoolResults } from './results.js';
import { mainThreadCpuMs, percentile, sleep, stat } from './stats.js';

export interface PoolOptions {
  runs: number;
  tasks: number;
  idleTasks: number;
  idleGapMs: number;
  log: (line: string) => void;
}

// Only the fields the worker's JSON path reads (the task type is the store's internal business).
const TASK = { format: 'json', tree: { user: 'u-1', n: 1 }, version: { ms: 1, counter: 0 } } as EncodeTask;

interface Sample {
  p50: number;
  p99: number;
  mainUs: number;
  mainCpuUs: number | undefined;
}

async function once(pool: CodecPool, n: number, gapMs: number): Promise<Sample> {
  const times: number[] = [];
  let active = 0;
  const thread0 = mainThreadCpuMs();
  for (let i = 0; i < n; i++) {
    if (gapMs > 0) await sleep(gapMs);
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    await pool.encode(TASK);
    times.push((performance.now() - t0) * 1000);
    active += performance.eventLoopUtilization(elu0).active;
  }
  const thread1 = mainThreadCpuMs();
  // The thread's CPU includes the loop's own work around the idle gaps (timers): an upper bound.
  const mainCpuUs = thread0 === undefined || thread1 === undefined ? undefined : ((thread1 - thread0) * 1000) / n;
  return { p50: percentile(times, 50), p99: percentile(times, 99), mainUs: (active * 1000) / n, mainCpuUs };
}

function figures(samples: Sample[], tasks: number): PoolFigures {
  return {
    p50: stat(samples.map(s => s.p50)),
    p99: stat(samples.map(s => s.p99)),
    mainUs: stat(samples.map(s => s.mainUs)),
    mainCpuUs: samples.every(s => s.mainCpuUs !== undefined) ? stat(samples.map(s => s.mainCpuUs!)) : null,
    tasks,
  };
}

export async function runPool(options: PoolOptions): Promise<PoolResults> {
  const pool = new CodecPool({ minThreads: 1, maxThreads: 1, idleTimeout: 60_000 }, error => options.log(`  pool error: ${error.message}`));
  try {
    // Warm: start the thread, load the worker module, let both sides' JIT settle.
    for (let i = 0; i < 500; i++) await pool.encode(TASK);
    const backToBack: Sample[] = [];
    const afterIdle: Sample[] = [];
    for (let run = 0; run < options.runs; run++) {
      backToBack.push(await once(pool, options.tasks, 0));
      afterIdle.push(await once(pool, options.idleTasks, options.idleGapMs));
    }
    const result: PoolResults = {
      runs: options.runs,
      backToBack: figures(backToBack, options.tasks),
      afterIdle: figures(afterIdle, options.idleTasks),
      idleGapMs: options.idleGapMs,
    };
    options.log(
      `  back to back p50 ${result.backToBack.p50.median.toFixed(1)} µs, p99 ${result.backToBack.p99.median.toFixed(1)} µs; ` +
        `after ${options.idleGapMs} ms idle p50 ${result.afterIdle.p50.median.toFixed(1)} µs, p99 ${result.afterIdle.p99.median.toFixed(1)} µs`,
    );
    return result;
  } finally {
    await pool.close();
  }
}
