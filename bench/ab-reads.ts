// Paired A/B of the store's set+get pair on two local redis-servers: every named
// configuration runs in this one process, round by round in alternating order, and each figure
// is the median over rounds of main-thread CPU per pair (bench/stats.ts mainThreadCpuMs), with
// the ratio to connect-redis on one member taken within each round.
//   node dist/bench/ab-reads.js [--point small|cart] [--rounds 9] [--pairs 2000] [--only a,b]
// With --old DIR (a build of an earlier commit's src/, e.g. tsc into DIR): its json and msgpack
// hedged stores are measured beside this one's, as old-json-hedged and old-msgpack-hedged.
// With --profile ID: only that configuration, warmed up, then PAIRS pairs between
// inspector-driven CPU-profile start/stop (written to ID.cpuprofile in the cwd).
import type { RedisStore } from '../src/index.js';
import { BASELINE, openFloor, openPipeline, type Pipeline, type PipelineInfo } from './pipelines.js';
import { startRedis, type RedisTarget } from './redis.js';
import { expressSession, sessionData, type SessionKind } from './sessions.js';
import { profiled } from './profile.js';
import { mainThreadCpuMs, median } from './stats.js';

const CONFIGS: readonly PipelineInfo[] = [
  { id: BASELINE, label: 'connect-redis', members: 1, serializer: 'json', offload: null },
  { id: 'json-all', label: "json, reads 'all'", members: 2, serializer: 'json', offload: 'auto' },
  { id: 'json-hedged', label: "json, reads 'hedged'", members: 2, serializer: 'json', offload: 'auto', reads: 'hedged' },
  { id: 'msgpack-all', label: "msgpack, reads 'all'", members: 2, serializer: 'msgpack', offload: 'auto' },
  { id: 'msgpack-hedged', label: "msgpack, reads 'hedged'", members: 2, serializer: 'msgpack', offload: 'auto', reads: 'hedged' },
  // No store: JSON and bare node-redis sendCommand, the SET to every client (first reply wins),
  // the GET to the first only: what a hedged pair costs at least on one and on two members.
  { id: 'bare-1', label: 'bare node-redis, 1 member', members: 1, serializer: 'json', offload: null },
  { id: 'bare-hedged', label: 'bare node-redis, SET on 2, GET on 1', members: 2, serializer: 'json', offload: null },
];

async function openOld(info: PipelineInfo, targets: readonly RedisTarget[], dir: string): Promise<Pipeline> {
  const { RedisStore: OldStore } = (await import(`${dir}/src/index.js`)) as { RedisStore: typeof RedisStore };
  const store = new OldStore({ clients: targets.map(t => ({ url: t.url })), prefix: `ab:${info.id}:`, serializer: info.serializer, reads: 'hedged' });
  await store.ready();
  return {
    info,
    prefix: `ab:${info.id}:`,
    targets,
    set: (sid, session) => store.set(sid, session as never),
    get: sid => store.get(sid),
    counts: () => undefined,
    close: () => store.close(),
  };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function loop(p: Pipeline, session: Record<string, unknown> & { seq: number }, n: number): Promise<number> {
  const t0 = mainThreadCpuMs()!;
  for (let i = 0; i < n; i++) {
    session.seq++;
    await p.set('ab', session);
    if ((await p.get('ab')) == null) throw new Error(`${p.info.id}: get after set returned nothing`);
  }
  return (mainThreadCpuMs()! - t0) / n;
}

async function main(): Promise<void> {
  const kind = (arg('point') ?? 'small') as SessionKind;
  const rounds = Number(arg('rounds') ?? 9);
  const pairs = Number(arg('pairs') ?? (kind === 'small' ? 2000 : 150));
  const profile = arg('profile');
  const old = arg('old');
  const configs: PipelineInfo[] = [...CONFIGS];
  if (old) for (const serializer of ['json', 'msgpack'] as const) configs.push({ id: `old-${serializer}-hedged`, label: `${old}: ${serializer} hedged`, members: 2, serializer, offload: 'auto', reads: 'hedged' });
  const only = profile ? [profile] : (arg('only')?.split(',') ?? configs.map(c => c.id));
  const targets: RedisTarget[] = [await startRedis(), await startRedis()];
  const data = sessionData(kind, kind === 'cart' ? 170 * 1024 : 1024);
  const pipelines: { p: Pipeline; session: Record<string, unknown> & { seq: number }; ms: number[] }[] = [];
  try {
    for (const info of configs.filter(c => only.includes(c.id))) {
      const p = info.id.startsWith('bare-')
        ? await openFloor(info, targets.slice(0, info.members), `ab:${info.id}:`, info.id === 'bare-hedged' ? 'hedged' : 'all')
        : info.id.startsWith('old-')
          ? await openOld(info, targets, old!)
          : await openPipeline(info, targets, `ab:${info.id}:`);
      const session = Object.assign(expressSession('ab', data), { seq: 0 });
      await loop(p, session, pairs * 2); // warm-up
      pipelines.push({ p, session, ms: [] });
    }
    if (profile) {
      const { p, session } = pipelines[0]!;
      const ms = await profiled(profile, () => loop(p, session, pairs));
      console.log(`${profile}: ${ms.toFixed(4)} ms main-thread CPU per pair (profiled)`);
      return;
    }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? [...pipelines].reverse() : pipelines;
      for (const x of order) x.ms.push(await loop(x.p, x.session, pairs));
    }
    const base = pipelines.find(x => x.p.info.id === BASELINE);
    for (const x of pipelines) {
      const ratio = base ? median(x.ms.map((v, i) => v / base.ms[i]!)).toFixed(3) + '×' : '';
      console.log(`${x.p.info.id.padEnd(16)} ${median(x.ms).toFixed(4)} ms/pair  ${ratio}`);
    }
  } finally {
    for (const x of pipelines) await x.p.close();
    for (const t of targets) await t.stop();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
