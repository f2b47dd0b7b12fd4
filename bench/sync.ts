// `expredis sync` of 100,000 sessions from one member onto an empty one, as an operator runs it:
// the built command in its own process, timed from start to exit, its peak RSS (getrusage) and
// peak heap (sampled every 20 ms) reported by the command itself through a hidden environment
// variable. Then a second sync onto the now full target, which copies nothing and checks every
// key. Several runs, medians.
//
//   npm run bench:sync [-- --runs 3 --sessions 100000 --value-bytes 1500 --out bench/results]
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createClient, type RedisClientType } from 'redis';
import { installCleanupHandlers, runBench, trackChild } from './lifecycle.js';
import { collectMeta, loadAverage, ROOT } from './meta.js';
import { startRedis } from './redis.js';
import type { SyncFigures, SyncResults } from './results.js';
import { median, round } from './stats.js';

const PREFIX = 'syncbench:';
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const MiB = 2 ** 20;

/** A session-like JSON value of about `bytes` bytes. */
function sessionValue(bytes: number): string {
  const base = {
    cookie: { originalMaxAge: 3_600_000, expires: new Date(Date.now() + 3_600_000).toISOString(), httpOnly: true, secure: true, path: '/' },
    user: { id: 'u-1234567', name: 'Someone Example', roles: ['customer'] },
    cart: [] as { sku: string; qty: number; price: number }[],
  };
  while (JSON.stringify(base).length < bytes) base.cart.push({ sku: `SKU-${base.cart.length.toString().padStart(6, '0')}`, qty: 1 + (base.cart.length % 3), price: 1999 });
  return JSON.stringify(base);
}

async function populate(client: RedisClientType, count: number, value: string): Promise<void> {
  for (let i = 0; i < count; i += 10_000) {
    const batch = client.multi();
    // TTLs spread over one to two hours, as a live store's are.
    for (let j = i; j < Math.min(count, i + 10_000); j++) batch.set(`${PREFIX}${j}`, value, { PX: 3_600_000 + ((j * 7919) % 3_600_000) });
    await batch.execAsPipeline();
  }
}

interface Run {
  figures: SyncFigures;
  copied: number;
}

function runSync(source: string, target: string, expected: number): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, 'sync', '--json', '--prefix', PREFIX, '--member', source, '--to', target], {
      env: { ...process.env, EXPREDIS_REPORT_RESOURCES: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', code => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`expredis sync exited ${code}: ${stderr.trim().split('\n').at(-1)}`));
      const report = JSON.parse(stdout) as { copied: number; present: number };
      const line = /^resources (\{.*\})$/m.exec(stderr)?.[1];
      if (!line) return reject(new Error('expredis sync did not report its resources'));
      const resources = JSON.parse(line) as { maxRssKiB: number; heapPeakBytes: number };
      if (report.copied + report.present !== expected) return reject(new Error(`sync saw ${report.copied + report.present} keys, expected ${expected}`));
      resolvePromise({
        copied: report.copied,
        figures: {
          ms: round(ms),
          keysPerSecond: Math.round(expected / (ms / 1000)),
          peakRssMiB: round(resources.maxRssKiB / 1024),
          peakHeapMiB: round(resources.heapPeakBytes / MiB),
        },
      });
    });
  });
}

function medians(runs: SyncFigures[]): SyncFigures & { runs: SyncFigures[] } {
  const m = (pick: (f: SyncFigures) => number) => round(median(runs.map(pick)));
  return { ms: m(f => f.ms), keysPerSecond: Math.round(median(runs.map(f => f.keysPerSecond))), peakRssMiB: m(f => f.peakRssMiB), peakHeapMiB: m(f => f.peakHeapMiB), runs };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '3' }, sessions: { type: 'string', default: '100000' }, 'value-bytes': { type: 'string', default: '1500' }, out: { type: 'string' } },
  });
  const runs = Number(values.runs);
  const sessions = Number(values.sessions);
  const valueBytes = Number(values['value-bytes']);
  if (![runs, sessions, valueBytes].every(n => Number.isInteger(n) && n >= 1)) throw new TypeError('--runs, --sessions and --value-bytes are integers ≥ 1');
  installCleanupHandlers();
  const started = Date.now();
  const loadStart = loadAverage();
  const [source, target] = await Promise.all([startRedis(), startRedis()]);
  const clients = await Promise.all(
    [source!, target!].map(async t => {
      const client = createClient({ url: t.url }) as RedisClientType;
      await client.connect();
      return client;
    }),
  );
  const value = sessionValue(valueBytes);
  const copies: SyncFigures[] = [];
  const rechecks: SyncFigures[] = [];
  try {
    await populate(clients[0]!, sessions, value);
    for (let run = 0; run < runs; run++) {
      await clients[1]!.flushAll();
      const copy = await runSync(source!.url, target!.url, sessions);
      if (copy.copied !== sessions) throw new Error(`run ${run + 1}: copied ${copy.copied}, expected ${sessions}`);
      if ((await clients[1]!.dbSize()) !== sessions) throw new Error(`run ${run + 1}: the target holds ${await clients[1]!.dbSize()} keys`);
      const recheck = await runSync(source!.url, target!.url, sessions);
      if (recheck.copied !== 0) throw new Error(`run ${run + 1}: the second sync copied ${recheck.copied}`);
      copies.push(copy.figures);
      rechecks.push(recheck.figures);
      process.stderr.write(
        `run ${run + 1}/${runs}: copy ${copy.figures.ms.toFixed(0)} ms (${copy.figures.keysPerSecond} keys/s, peak RSS ${copy.figures.peakRssMiB} MiB, heap ${copy.figures.peakHeapMiB} MiB); ` +
          `recheck ${recheck.figures.ms.toFixed(0)} ms (${recheck.figures.keysPerSecond} keys/s)\n`,
      );
    }
  } finally {
    await Promise.all(clients.map(c => c.close()));
    await Promise.all([source!, target!].map(t => t.stop()));
  }
  const meta = { ...collectMeta(source!.version, false), seconds: Math.round((Date.now() - started) / 1000), loadStart, loadEnd: loadAverage() };
  const command = ['npm run bench:sync', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  const report: SyncResults = { meta, command, sessions, valueBytes: Buffer.byteLength(value), runs, copy: medians(copies), recheck: medians(rechecks) };
  const outDir = values.out ? resolve(values.out) : join(ROOT, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'sync.json'), JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(
    `${sessions} sessions of ${report.valueBytes} bytes, median of ${runs} runs:\n` +
      `  copy onto an empty target: ${report.copy.ms.toFixed(0)} ms, ${report.copy.keysPerSecond} keys/s, peak RSS ${report.copy.peakRssMiB} MiB, peak heap ${report.copy.peakHeapMiB} MiB\n` +
      `  recheck a full target:     ${report.recheck.ms.toFixed(0)} ms, ${report.recheck.keysPerSecond} keys/s, peak RSS ${report.recheck.peakRssMiB} MiB, peak heap ${report.recheck.peakHeapMiB} MiB\n` +
      `written to ${join(outDir, 'sync.json')}\n`,
  );
}

runBench(main);
