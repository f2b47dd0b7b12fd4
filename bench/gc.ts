// The garbage-collection storm under offload (issue 11): Mark-Compact collections on the main
// thread, and main-thread time, over 700 set+get pairs of a string-heavy 300 KB session on two
// members, inline ('never') and offloaded ('always'), in one process, alternating.
// Run: npm run build && node dist/bench/gc.js [pairs]
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import { RedisStore, type Offload } from '../src/index.js';
import { startRedis } from './redis.js';
import { expressSession, sessionData, KB } from './sessions.js';

const PAIRS = Number(process.argv[2] ?? 700);
const SERIALIZER = (process.argv[3] ?? 'json') as 'json' | 'msgpack';

let majors = 0;
let minors = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
    else minors++;
  }
}).observe({ entryTypes: ['gc'] });

const targets = await Promise.all([startRedis(), startRedis()]);
const data = sessionData('string', 300 * KB);

async function run(offload: Offload): Promise<{ offload: Offload; majors: number; minors: number; mainMsPerPair: number }> {
  const store = new RedisStore({ clients: targets.map(t => ({ url: t.url })), prefix: `gc-${offload}:`, offload, serializer: SERIALIZER });
  await store.ready();
  const sessions = [expressSession('a', data), expressSession('b', data)];
  for (let i = 0; i < 50; i++) {
    await store.set(`s${i % 2}`, sessions[i % 2] as never);
    await store.get(`s${i % 2}`);
  }
  await new Promise(resolve => setTimeout(resolve, 50));
  const m0 = majors;
  const n0 = minors;
  const elu0 = performance.eventLoopUtilization();
  for (let i = 0; i < PAIRS; i++) {
    await store.set(`s${i % 2}`, sessions[i % 2] as never);
    await store.get(`s${i % 2}`);
  }
  const elu = performance.eventLoopUtilization(elu0);
  await new Promise(resolve => setTimeout(resolve, 50));
  const result = { offload, majors: majors - m0, minors: minors - n0, mainMsPerPair: Math.round((elu.active / PAIRS) * 1000) / 1000 };
  await store.close();
  return result;
}

for (const offload of ['never', 'always', 'never', 'always'] as const) console.log(JSON.stringify(await run(offload)));
await Promise.all(targets.map(t => t.stop()));
