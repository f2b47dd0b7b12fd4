// The garbage-collection storm under offload: Mark-Compact collections and scavenges on
// the main thread, and main-thread time, over N set+get pairs of a string-heavy 300 KB session on
// two members, inline ('never') and offloaded ('always', 'auto'), in one process, alternating.
// Offloaded runs go both with the bytes a worker encoded detached once every member answered the
// write (release: true, today) and left to the GC (release: false, before the fix), so that the
// two are compared in the same process.
// Run: npm run build && node dist/bench/gc.js [pairs] [json|msgpack] [rounds]
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import { RedisStore, type Offload } from '../src/index.js';
import { useRelease } from '../src/codec/codec.js';
import { startRedis } from './redis.js';
import { expressSession, sessionData, KB } from './sessions.js';

const PAIRS = Number(process.argv[2] ?? 700);
const SERIALIZER = (process.argv[3] ?? 'json') as 'json' | 'msgpack';
const ROUNDS = Number(process.argv[4] ?? 2);

let majors = 0;
let scavenges = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
    else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
  }
}).observe({ entryTypes: ['gc'] });

const targets = await Promise.all([startRedis(), startRedis()]);
const data = sessionData('string', 300 * KB);

interface Run {
  offload: Offload;
  release: boolean | '-';
  majors: number;
  scavenges: number;
  mainMsPerPair: number;
}

async function run(offload: Offload, release: boolean): Promise<Run> {
  useRelease(release);
  const store = new RedisStore({ clients: targets.map(t => ({ url: t.url })), prefix: `gc-${offload}:`, offload, serializer: SERIALIZER });
  await store.ready();
  const sessions = [expressSession('a', data), expressSession('b', data)];
  for (let i = 0; i < 50; i++) {
    await store.set(`s${i % 2}`, sessions[i % 2] as never);
    await store.get(`s${i % 2}`);
  }
  await new Promise(resolve => setTimeout(resolve, 50));
  const m0 = majors;
  const s0 = scavenges;
  const elu0 = performance.eventLoopUtilization();
  for (let i = 0; i < PAIRS; i++) {
    await store.set(`s${i % 2}`, sessions[i % 2] as never);
    await store.get(`s${i % 2}`);
  }
  const elu = performance.eventLoopUtilization(elu0);
  await new Promise(resolve => setTimeout(resolve, 50));
  const offloaded = offload === 'always' || (offload === 'auto' && SERIALIZER === 'json');
  const result: Run = {
    offload,
    release: offloaded ? release : '-',
    majors: majors - m0,
    scavenges: scavenges - s0,
    mainMsPerPair: Math.round((elu.active / PAIRS) * 1000) / 1000,
  };
  await store.close();
  return result;
}

const PLAN: ReadonlyArray<readonly [Offload, boolean]> = [
  ['never', true],
  ['always', false],
  ['always', true],
  ['auto', false],
  ['auto', true],
];
for (let round = 0; round < ROUNDS; round++) {
  for (const [offload, release] of PLAN) console.log(JSON.stringify(await run(offload, release)));
}
useRelease(true);
await Promise.all(targets.map(t => t.stop()));
