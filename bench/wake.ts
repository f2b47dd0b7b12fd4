// What one hand-off to a worker costs the main thread on this machine, apart from any codec work:
// `npm run build && node dist/bench/wake.js [--rounds 7] [--n 400]`. Every step starts after a
// 1 ms sleep (so the worker is parked, as between requests), and each figure is the median over
// rounds of main-thread CPU (bench/stats.ts mainThreadCpuMs) per step, less that of the sleep alone:
//   notify    Atomics.notify waking a thread parked in Atomics.wait (what piscina's run() does
//             with atomics 'sync'), and its wall time
//   tiny      the store's pool (CodecPool, piscina with atomics 'sync') sealing 16 bytes with
//             neither compression nor a key: its round trip with next to no work
//   tiny, back to back   the same without the sleep before each (the worker seldom parks)
import { Worker } from 'node:worker_threads';
import { enveloped } from '../src/codec/pack.js';
import { Format } from '../src/codec/envelope.js';
import { CodecPool } from '../src/pool.js';
import { mainThreadCpuMs, median } from './stats.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
if (workerData && workerData.flag) {
  const flag = new Int32Array(workerData.flag);
  for (;;) { Atomics.wait(flag, 0, 0); Atomics.store(flag, 0, 0); }
}
`;
const NOTHING = { compression: undefined, key: undefined, aad: '' };
const VERSION = { ms: 0, counter: 0 };
const sleep = () => new Promise(resolve => setTimeout(resolve, 1));

async function main(): Promise<void> {
  const rounds = arg('rounds', 7);
  const n = arg('n', 400);
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const parked = new Worker(WORKER, { eval: true, workerData: { flag: flag.buffer } });
  const pool = new CodecPool({ minThreads: 1, maxThreads: 1, idleTimeout: 30_000 }, () => undefined);
  const tiny = new Uint8Array(16);
  let notifyWall = 0;
  const steps: Record<string, () => unknown> = {
    sleep: () => undefined,
    notify: () => {
      const t0 = process.hrtime.bigint();
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0, 1);
      notifyWall += Number(process.hrtime.bigint() - t0) / 1e6;
    },
    tiny: () => pool.seal(enveloped(Format.msgpack, 0, VERSION, tiny), NOTHING),
  };
  const ms: Record<string, number[]> = {};
  const walls: number[] = [];
  for (let round = -1; round < rounds; round++) {
    for (const [name, step] of Object.entries(steps)) {
      notifyWall = 0;
      const t0 = mainThreadCpuMs()!;
      for (let i = 0; i < n; i++) {
        await sleep();
        await step();
      }
      if (round >= 0) (ms[name] ??= []).push((mainThreadCpuMs()! - t0) / n);
      if (round >= 0 && name === 'notify') walls.push(notifyWall / n);
    }
  }
  const hot: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const t0 = mainThreadCpuMs()!;
    for (let i = 0; i < n; i++) await steps.tiny!();
    hot.push((mainThreadCpuMs()! - t0) / n);
  }
  const base = ms.sleep!;
  console.log(`a 1 ms sleep and wake-up: ${(median(base) * 1000).toFixed(1)} µs of main-thread CPU`);
  for (const name of ['notify', 'tiny']) {
    const extra = median(ms[name]!.map((v, i) => v - base[i]!));
    console.log(`${name.padEnd(9)} ${(extra * 1000).toFixed(1)} µs of main-thread CPU${name === 'notify' ? ` (wall ${(median(walls) * 1000).toFixed(1)} µs)` : ''}`);
  }
  console.log(`tiny, back to back: ${(median(hot) * 1000).toFixed(1)} µs of main-thread CPU`);
  await parked.terminate();
  await pool.close();
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
