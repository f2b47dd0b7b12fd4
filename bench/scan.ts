// The 100,000-session scan: time and peak memory of length(), ids() and clear() for expredis on
// two members (100,000 sessions on each) and connect-redis 9 on one member (100,000 sessions),
// in the same run, several runs, medians and ratios. Memory is the high-water of heapUsed above
// its value just before the operation (after a gc when node runs with --expose-gc, as
// `npm run bench:scan` does), sampled every few ms while the operation runs; a sample cannot land
// inside a synchronous stretch, so it is a lower bound.
//
// No RSS figure: it read 0 in most runs. Populating 100,000 keys and the operations before grow
// V8's heap to 50-65 MiB committed; the gc before each operation frees the objects (heapUsed back
// to ~12 MiB) but V8 keeps those pages resident for reuse, so an operation needing 20-50 MiB of
// heap fits in memory the process already holds and RSS does not move (or moves by whatever the
// allocator happened to return meanwhile). Only a fresh process per operation would show it; the
// heap high-water is what the operation itself holds.
//
//   npm run bench:scan [-- --runs 5 --sessions 100000 --out bench/results]
import { RedisStore as ConnectRedisStore } from 'connect-redis';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createClient, type RedisClientType } from 'redis';
import { RedisStore } from '../src/index.js';
import { installCleanupHandlers, runBench } from './lifecycle.js';
import { collectMeta, loadAverage, ROOT } from './meta.js';
import { startRedis, type RedisTarget } from './redis.js';
import type { ScanFigures, ScanOperation as Operation, ScanResults } from './results.js';
import { median, round } from './stats.js';

const OPERATIONS: readonly Operation[] = ['length', 'ids', 'clear'];
const SAMPLE_MS = 2;

interface Measure {
  ms: number;
  /** High-water of heapUsed above its value before the operation, MiB. */
  heapMiB: number;
  /** What the operation answered (a count, or the number of ids), to check both stores agree. */
  answer: number;
}

interface Subject {
  readonly id: 'expredis' | 'connect-redis';
  readonly label: string;
  readonly members: number;
  run(operation: Operation): Promise<number>;
  close(): Promise<void>;
}

const gc = (globalThis as { gc?: () => void }).gc;
const MiB = 2 ** 20;

async function measure(call: () => Promise<number>): Promise<Measure> {
  gc?.();
  const before = process.memoryUsage().heapUsed;
  let heap = before;
  const sample = () => {
    heap = Math.max(heap, process.memoryUsage().heapUsed);
  };
  const timer = setInterval(sample, SAMPLE_MS);
  const started = performance.now();
  const answer = await call();
  const ms = performance.now() - started;
  clearInterval(timer);
  sample();
  return { ms, heapMiB: (heap - before) / MiB, answer };
}

/** `count` session-shaped JSON values under `prefix`, SET in pipelined batches on each client. */
async function populate(clients: RedisClientType[], prefix: string, count: number): Promise<void> {
  const value = JSON.stringify({
    cookie: { originalMaxAge: 3_600_000, expires: new Date(Date.now() + 3_600_000).toISOString(), httpOnly: true, path: '/' },
    user: 'someone',
  });
  for (const client of clients) {
    for (let i = 0; i < count; i += 10_000) {
      const batch = client.multi();
      for (let j = i; j < Math.min(count, i + 10_000); j++) batch.set(prefix + j, value, { PX: 3_600_000 });
      await batch.execAsPipeline();
    }
  }
}

async function openExpredis(targets: readonly RedisTarget[], prefix: string): Promise<Subject> {
  const store = new RedisStore({ clients: targets.map(t => ({ url: t.url })), prefix, writeQuorum: 'all', commandTimeout: 10_000 });
  store.on('error', (error: Error) => process.stderr.write(`bench: expredis error: ${error.message}\n`));
  await store.ready();
  return {
    id: 'expredis',
    label: `expredis (${targets.length} members)`,
    members: targets.length,
    run: async operation => {
      if (operation === 'length') return store.length();
      if (operation === 'ids') return (await store.ids()).length;
      await store.clear();
      return 0;
    },
    close: () => store.close(),
  };
}

async function openConnectRedis(target: RedisTarget, prefix: string): Promise<Subject> {
  const client = createClient({ url: target.url });
  client.on('error', (error: Error) => process.stderr.write(`bench: connect-redis client error: ${error.message}\n`));
  await client.connect();
  const store = new ConnectRedisStore({ client, prefix });
  return {
    id: 'connect-redis',
    label: 'connect-redis (1 member)',
    members: 1,
    run: async operation => {
      if (operation === 'length') return (await store.length()) as number;
      if (operation === 'ids') return ((await store.ids()) as string[]).length;
      await store.clear();
      return 0;
    },
    close: async () => {
      await client.close();
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '5' }, sessions: { type: 'string', default: '100000' }, out: { type: 'string' } },
  });
  const runs = Number(values.runs);
  const sessions = Number(values.sessions);
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(sessions) || sessions < 1) throw new TypeError('--runs and --sessions are integers ≥ 1');
  if (!gc) process.stderr.write('bench: run node with --expose-gc for steadier memory figures\n');
  installCleanupHandlers();
  const started = Date.now();
  const loadStart = loadAverage();
  const targets = await Promise.all([startRedis(), startRedis()]);
  const direct = await Promise.all(
    targets.map(async t => {
      const client = createClient({ url: t.url }) as RedisClientType;
      await client.connect();
      return client;
    }),
  );
  const samples: Record<string, Record<Operation, Measure[]>> = {};
  try {
    for (let run = 0; run < runs; run++) {
      // Alternate which store goes first, so that neither always meets a warmer machine.
      const order = run % 2 === 0 ? (['expredis', 'connect-redis'] as const) : (['connect-redis', 'expredis'] as const);
      for (const id of order) {
        const prefix = `scanbench:${id}:${run}:`;
        const members = id === 'expredis' ? targets : targets.slice(0, 1);
        await populate(direct.slice(0, members.length), prefix, sessions);
        const subject = id === 'expredis' ? await openExpredis(members, prefix) : await openConnectRedis(members[0]!, prefix);
        for (const operation of OPERATIONS) {
          const m = await measure(() => subject.run(operation));
          if (operation !== 'clear' && m.answer !== sessions) throw new Error(`${subject.label} ${operation} answered ${m.answer}, expected ${sessions}`);
          ((samples[subject.label] ??= { length: [], ids: [], clear: [] })[operation]).push(m);
          process.stderr.write(`run ${run + 1}/${runs} ${subject.label} ${operation}: ${m.ms.toFixed(0)} ms, +${m.heapMiB.toFixed(1)} MiB heap\n`);
        }
        await subject.close();
        const left = await Promise.all(direct.slice(0, members.length).map(c => c.dbSize()));
        if (left.some(n => n !== 0)) throw new Error(`${subject.label} clear() left keys: ${left.join(', ')}`);
      }
    }
  } finally {
    await Promise.all(direct.map(c => c.close()));
    await Promise.all(targets.map(t => t.stop()));
  }

  const results = Object.entries(samples).map(([label, byOperation]) => ({
    label,
    operations: Object.fromEntries(
      OPERATIONS.map(op => {
        const list = byOperation[op];
        return [op, { ms: round(median(list.map(m => m.ms))), heapMiB: round(median(list.map(m => m.heapMiB))), runs: list.map(m => round(m.ms)) }];
      }),
    ) as Record<Operation, ScanFigures>,
  }));
  const ours = results.find(r => r.label.startsWith('expredis'))!;
  const theirs = results.find(r => r.label.startsWith('connect-redis'))!;
  const ratios = Object.fromEntries(
    OPERATIONS.map(op => [op, { time: round(ours.operations[op].ms / theirs.operations[op].ms, 2), heap: round(ours.operations[op].heapMiB / Math.max(theirs.operations[op].heapMiB, 0.1), 2) }]),
  ) as ScanResults['ratios'];
  const meta = { ...collectMeta(targets[0]!.version, false), seconds: Math.round((Date.now() - started) / 1000), loadStart, loadEnd: loadAverage() };
  const command = ['npm run bench:scan', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  const report: ScanResults = { meta, command, sessionsPerMember: sessions, runs, sampleMs: SAMPLE_MS, gc: Boolean(gc), results, ratios };
  const outDir = values.out ? resolve(values.out) : join(ROOT, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'scan.json'), JSON.stringify(report, null, 2) + '\n');

  const rows = [['store', 'operation', 'median ms', 'peak heap +MiB', 'time vs connect-redis']];
  for (const r of results) {
    for (const op of OPERATIONS) {
      const o = r.operations[op];
      rows.push([r.label, op, String(o.ms), String(o.heapMiB), r === ours ? `${ratios[op]!.time}x` : '']);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map(row => row[c]!.length)));
  process.stdout.write(`${sessions} sessions per member, median of ${runs} runs (expredis holds them on 2 members, connect-redis on 1)\n`);
  for (const row of rows) process.stdout.write(row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ') + '\n');
  process.stdout.write(`written to ${join(outDir, 'scan.json')}\n`);
}

runBench(main);
