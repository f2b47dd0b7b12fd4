// Paired A/B of compression and encryption: the store's set+get pair on two local redis-servers
// (reads 'all'), every named configuration in this one process, round by round in alternating
// order. Each figure is the median over rounds of main-thread CPU per pair (bench/stats.ts
// mainThreadCpuMs), and the ratio to the same serializer without compression or encryption
// (json-auto / msgpack-auto) the median of the per-round ratios.
//   node dist/bench/ab-seal.js [--point cart|string] [--rounds 9] [--pairs 150] [--only ids]
//                              [--concurrency 1]
// With --concurrency N, N sessions run their set+get pairs at once (PAIRS in all per loop): the
// main thread then has other work while a worker seals or opens, as in a loaded server.
// An id is <serializer>-<algorithm[:level]|plain>[-aes][@never|always|auto][~seal=N,open=N],
// e.g. msgpack-brotli-aes, json-gzip:1-aes@never, msgpack-brotli-aes~open=Infinity (the byte
// work's crossover for 'auto', bench-only: useByteCrossover); json-auto and msgpack-auto are the
// plain pipelines. Also per pair: the main thread's GCs, minor page faults and context switches.
// With --old DIR (tsc output of an earlier commit): every id is measured with that build too,
// as old:<id>.
// With --profile ID: only that configuration, warmed up, then PAIRS pairs under an
// inspector-driven CPU profile (ID.cpuprofile in the cwd).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import type { RedisStore } from '../src/index.js';
import { useByteCrossover } from '../src/codec/policy.js';
import { startRedis, type RedisTarget } from './redis.js';
import { cartData, expressSession, sessionData, KB } from './sessions.js';
import { profiled } from './profile.js';
import { mainThreadCpuMs, median } from './stats.js';

interface Subject {
  readonly id: string;
  /** Where 'auto' seals and opens from (useByteCrossover), set before each of its loops. */
  readonly crossover: { seal?: number; open?: number };
  readonly plain: string;
  set(sid: string, session: unknown): Promise<void>;
  get(sid: string): Promise<unknown>;
  counts(): Record<string, number>;
  close(): Promise<unknown>;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function open(id: string, targets: readonly RedisTarget[], dir: string | undefined): Promise<Subject> {
  const [full, knobs = ''] = id.split('~') as [string, string];
  const bare = full.replace(/^old:/, '');
  const [spec, offload = 'auto'] = bare.split('@') as [string, string];
  const [serializer, ...rest] = spec.split('-');
  const encrypted = rest.includes('aes');
  const algo = rest.find(r => r !== 'aes' && r !== 'auto' && r !== 'plain');
  const [algorithm, level] = (algo ?? '').split(':');
  const { RedisStore: Store } = (await import(dir ? `${dir}/src/index.js` : '../src/index.js')) as { RedisStore: typeof RedisStore };
  const prefix = `abseal:${id}:`;
  const store = new Store({
    clients: targets.map(t => ({ url: t.url })),
    prefix,
    serializer: serializer as 'json' | 'msgpack',
    offload: offload as 'auto',
    ...(algorithm ? { compression: level ? { algorithm: algorithm as 'brotli', level: Number(level) } : (algorithm as 'brotli') } : {}),
    ...(encrypted ? { encryption: { keys: [randomBytes(32)] } } : {}),
  });
  store.on('error', (error: Error) => process.stderr.write(`ab-seal: ${id}: ${error.name}: ${error.message}\n`));
  await store.ready({ timeout: 10_000 });
  return {
    id,
    crossover: Object.fromEntries(knobs.split(',').filter(Boolean).map(k => k.split('=')).map(([k, v]) => [k, Number(v)])) as Subject['crossover'],
    plain: `${serializer}-auto`,
    set: (sid, session) => store.set(sid, session as never),
    get: sid => store.get(sid),
    counts: () => {
      const c = store.stats().codec as unknown as Record<string, number>;
      return { sealInline: c.sealInline ?? 0, sealPool: c.sealOffloaded ?? 0, openInline: c.openInline ?? 0, openPool: c.openOffloaded ?? 0 };
    },
    close: () => store.close(),
  };
}

let gcs = 0;
let gcMs = 0;
new PerformanceObserver(list => {
  for (const e of list.getEntries()) {
    gcs++;
    gcMs += e.duration;
  }
}).observe({ entryTypes: ['gc'] });

/** The main thread's minor page faults and context switches (voluntary + not) so far (Linux). */
function threadCounters(): { faults: number; switches: number } {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = readFileSync(`/proc/self/task/${process.pid}/status`, 'latin1');
    const switches = [...status.matchAll(/ctxt_switches:\s+(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    return { faults: Number(fields[7]), switches };
  } catch {
    return { faults: NaN, switches: NaN };
  }
}

async function loop(s: Subject, session: Record<string, unknown> & { seq: number }, n: number): Promise<{ ms: number; gcs: number; gcMs: number; faults: number; switches: number }> {
  useByteCrossover(s.crossover.seal, s.crossover.open);
  const c0 = threadCounters();
  const g0 = gcs;
  const gm0 = gcMs;
  const t0 = mainThreadCpuMs()!;
  // `concurrency` sessions at once, each its own sequence of set+get pairs.
  const each = Math.ceil(n / concurrency);
  await Promise.all(
    Array.from({ length: concurrency }, async (_, c) => {
      const sid = `s${c}`;
      for (let i = 0; i < each; i++) {
        session.seq++;
        await s.set(sid, session);
        if ((await s.get(sid)) == null) throw new Error(`${s.id}: get after set returned nothing`);
      }
    }),
  );
  n = each * concurrency;
  const ms = (mainThreadCpuMs()! - t0) / n;
  await new Promise(resolve => setImmediate(resolve)); // let the observer report
  const c1 = threadCounters();
  return { ms, gcs: (gcs - g0) / n, gcMs: (gcMs - gm0) / n, faults: (c1.faults - c0.faults) / n, switches: (c1.switches - c0.switches) / n };
}

const concurrency = Number(arg('concurrency') ?? 1);

async function main(): Promise<void> {
  const point = arg('point') ?? 'cart';
  const rounds = Number(arg('rounds') ?? 9);
  const pairs = Number(arg('pairs') ?? 150);
  const profile = arg('profile');
  const old = arg('old');
  const base = profile ? [profile] : (arg('only')?.split(',') ?? ['json-auto', 'json-brotli-aes', 'msgpack-auto', 'msgpack-brotli-aes']);
  const ids = old ? [...base, ...base.map(id => `old:${id}`)] : base;
  const targets: RedisTarget[] = [await startRedis(), await startRedis()];
  const data = point === 'cart' ? cartData() : sessionData('string', 300 * KB);
  const subjects: { s: Subject; session: Record<string, unknown> & { seq: number }; ms: number[]; gcs: number[]; gcMs: number[]; faults: number[]; switches: number[] }[] = [];
  try {
    for (const id of ids) {
      const s = await open(id, targets, id.startsWith('old:') ? old : undefined);
      const session = Object.assign(expressSession('s', data), { seq: 0 });
      await loop(s, session, pairs * 2); // warm-up
      subjects.push({ s, session, ms: [], gcs: [], gcMs: [], faults: [], switches: [] });
    }
    if (profile) {
      const { s, session } = subjects[0]!;
      const r = await profiled(profile, () => loop(s, session, pairs));
      console.log(`${profile}: ${r.ms.toFixed(4)} ms main-thread CPU per pair (profiled), ${r.gcs.toFixed(2)} GCs/pair, ${r.faults.toFixed(1)} faults/pair`);
      return;
    }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? [...subjects].reverse() : subjects;
      for (const x of order) {
        const r = await loop(x.s, x.session, pairs);
        x.ms.push(r.ms);
        x.gcs.push(r.gcs);
        x.gcMs.push(r.gcMs);
        x.faults.push(r.faults);
        x.switches.push(r.switches);
      }
    }
    for (const x of subjects) {
      const prefix = x.s.id.startsWith('old:') ? 'old:' : '';
      const plain = subjects.find(y => y.s.id === prefix + x.s.plain) ?? subjects.find(y => y.s.id === x.s.plain);
      const ratio = plain && plain !== x ? median(x.ms.map((v, i) => v / plain.ms[i]!)).toFixed(3) + '× plain' : '';
      const before = subjects.find(y => y.s.id === `old:${x.s.id}`);
      const vsOld = before ? `  ${median(x.ms.map((v, i) => v / before.ms[i]!)).toFixed(3)}× old` : '';
      const c = x.s.counts();
      const did = `seal ${c.sealInline}/${c.sealPool} open ${c.openInline}/${c.openPool} (inline/pool)`;
      console.log(`${x.s.id.padEnd(28)} ${median(x.ms).toFixed(4)} ms/pair  ${ratio.padEnd(14)} gc ${median(x.gcs).toFixed(2)}/pair ${median(x.gcMs).toFixed(3)} ms/pair  faults ${median(x.faults).toFixed(1)} switches ${median(x.switches).toFixed(1)}  ${did}${vsOld}`);
    }
  } finally {
    for (const x of subjects) await x.s.close();
    for (const t of targets) await t.stop();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
