// `npm run bench [-- options]`: the benchmark suite (the store-level codec grid, end to end, the worker round trip).
//
//   --quick               whole run under 2 minutes (fewer runs, shorter windows)
//   --only <parts>        comma list of: pool, codec, e2e (a bare part name works too)
//   --points <list>       codec grid: only points whose id contains one of these (e.g. cart,small)
//   --runs <n>            runs per figure (default 5 full, 3 quick)
//   --redis-urls <a,b>    use these two servers instead of starting our own (never started or
//                         stopped by the bench, never flushed: only its own keys are deleted)
//   --out <dir>           where results go (default bench/results)
//   --name <name>         results file name (default latest for a full run of every part,
//                         quick for --quick, partial otherwise)
//
// Without --redis-urls it starts its own redis-server processes on free loopback ports
// (--save "" --appendonly no) and refuses any server it cannot prove it started; every child
// it started is stopped on exit, failure, Ctrl-C or SIGTERM.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderSvg } from './chart.js';
import { runCodecGrid } from './codec.js';
import { runE2e } from './e2e.js';
import { installCleanupHandlers, killEverything } from './lifecycle.js';
import { collectMeta, loadAverage, ROOT } from './meta.js';
import { foreignRedis, startRedis, type RedisTarget } from './redis.js';
import { autoChecks, evaluateTargets, renderMarkdown, sealedTargets } from './report.js';
import { SCHEMA, type BenchResults } from './results.js';
import { runPool } from './roundtrip.js';

const PARTS = ['pool', 'codec', 'e2e'] as const;
type Part = (typeof PARTS)[number];

const USAGE = `usage: npm run bench -- [--quick] [--only pool,codec,e2e] [--points cart,small] [--runs n]
                      [--redis-urls redis://host:port,redis://host:port] [--out dir] [--name name]`;

function print(line: string): void {
  process.stdout.write(line + '\n');
}

const t0 = performance.now();
function log(line: string): void {
  const t = `[${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s] `;
  process.stdout.write(line.startsWith('\n') ? '\n' + t + line.slice(1) + '\n' : t + line + '\n');
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      points: { type: 'string' },
      runs: { type: 'string' },
      'redis-urls': { type: 'string' },
      out: { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    print(USAGE);
    return 0;
  }
  const requested = [...(values.only ?? []), ...positionals].flatMap(v => v.split(',')).map(v => v.trim()).filter(Boolean);
  for (const p of requested) {
    if (!(PARTS as readonly string[]).includes(p)) {
      process.stderr.write(`bench: unknown part '${p}' (parts: ${PARTS.join(', ')})\n${USAGE}\n`);
      return 2;
    }
  }
  const parts: Part[] = requested.length ? PARTS.filter(p => requested.includes(p)) : [...PARTS];
  const quick = values.quick ?? false;
  const runs = values.runs ? Number(values.runs) : quick ? 3 : 5;
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write(`bench: --runs must be an integer ≥ 1\n`);
    return 2;
  }
  const name = values.name ?? (quick ? 'quick' : parts.length === PARTS.length && !values.points && !values.runs ? 'latest' : 'partial');
  if (!/^[\w.-]+$/.test(name)) {
    process.stderr.write(`bench: --name must be a plain file name\n`);
    return 2;
  }
  const outDir = values.out ? resolve(values.out) : join(ROOT, 'bench', 'results');
  const command = ['npm run bench', ...(argv.length ? ['--', ...argv.map((a, i) => (argv[i - 1] === '--redis-urls' ? '<urls>' : a.startsWith('--redis-urls=') ? '--redis-urls=<urls>' : a))] : [])].join(' ');

  installCleanupHandlers();
  const started = performance.now();
  const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`;

  // The servers: our own, or the ones explicitly named.
  let targets: RedisTarget[];
  if (values['redis-urls'] !== undefined) {
    const urls = values['redis-urls'].split(',').map(u => u.trim()).filter(Boolean);
    if (urls.length < 2 || new Set(urls).size !== urls.length) {
      process.stderr.write('bench: --redis-urls needs two different servers (expredis runs on two members)\n');
      return 2;
    }
    log(`bench: using servers it did not start, as asked (--redis-urls): only keys under bench:${runId}: are written and then deleted`);
    targets = await Promise.all(urls.slice(0, 2).map(foreignRedis));
  } else {
    targets = await Promise.all([startRedis(), startRedis()]);
    log(`bench: started redis-server ${targets[0]!.version} on ${targets.map(t => t.label).join(' and ')}`);
  }

  const meta = collectMeta(targets[0]!.version, !targets[0]!.owned);
  log(
    `bench: ${quick ? 'quick' : 'full'} run of ${parts.join(', ')}; ${runs} runs per figure; commit ${meta.commit.slice(0, 12)}${meta.clean ? '' : ' (uncommitted changes: ' + meta.dirty.slice(0, 5).join(', ') + (meta.dirty.length > 5 ? ', …' : '') + ')'}; ${meta.cpu} × ${meta.cores}; Node ${meta.node}`,
  );
  if (meta.loadStart[0]! > meta.cores / 2) {
    log(
      `bench: WARNING: load average ${meta.loadStart.join(', ')} on ${meta.cores} cores: other processes compete for the CPU, so main-thread (event-loop) figures include preemption and ratios are noisy. Run the reference on a quiet machine.`,
    );
  }
  const results: BenchResults = { schema: SCHEMA, name, mode: quick ? 'quick' : 'full', command, parts, meta };

  try {
    if (parts.includes('pool')) {
      log('\n== worker round trip (warm idle pool)');
      results.pool = await runPool({
        runs,
        tasks: quick ? 400 : 2000,
        idleTasks: quick ? 150 : 500,
        idleGapMs: 2,
        log,
      });
    }
    if (parts.includes('codec')) {
      log(`\n== store level grid: main-thread per set+get, ratio to connect-redis (median of ${runs} runs)`);
      results.codec = await runCodecGrid({
        targets,
        runs,
        warmMs: quick ? 25 : 120,
        runMs: quick ? 40 : 200,
        minPairs: quick ? 2 : 5,
        runId,
        points: values.points?.split(',').map(s => s.trim()),
        log,
      });
    }
    if (parts.includes('e2e')) {
      log('\n== end to end: Express + express-session under autocannon');
      results.e2e = await runE2e({
        targets,
        runs,
        seconds: quick ? 1.5 : 4,
        warmSeconds: quick ? 0.25 : 1,
        firstWarmSeconds: quick ? 0.75 : 2,
        connections: 8,
        users: 32,
        runId,
        log,
      });
    }
  } finally {
    await Promise.all(targets.map(t => t.stop()));
  }

  results.meta.seconds = Math.round((performance.now() - started) / 1000);
  results.meta.loadEnd = loadAverage();
  mkdirSync(outDir, { recursive: true });
  const base = join(outDir, name);
  writeFileSync(base + '.json', JSON.stringify(results, null, 2) + '\n');
  const markdown = renderMarkdown(results);
  writeFileSync(base + '.md', markdown + '\n');
  writeFileSync(base + '.svg', renderSvg(results));

  print('\n' + markdown);
  print('\n== summary');
  for (const t of [...evaluateTargets(results), ...sealedTargets(results)]) {
    const value = t.measured === null ? 'not measured' : t.unit === '×' ? `${t.measured.toFixed(2)}×` : `${t.measured.toFixed(1)} µs`;
    print(`  ${t.verdict.padEnd(12)} ${t.kind === 'must' ? 'MUST' : 'aim '}  ${t.label}: ${value} (${t.direction === '<=' ? '≤' : '≥'} ${t.limit}${t.unit === '×' ? '×' : ' µs'})`);
  }
  const checks = autoChecks(results);
  if (checks.length) {
    const failed = checks.filter(c => !c.pass);
    print(
      `  auto picks the cheaper side (within 10%): ${checks.length - failed.length} PASS, ${failed.length} FAIL` +
        (failed.length ? ': ' + failed.map(c => `${c.point}/${c.serializer} ${c.excess.toFixed(2)}×${c.path === c.cheaper ? ' (same path: noise)' : c.path !== 'mixed' ? ` (took ${c.path}, cheaper ${c.cheaper})` : ' (mixed)'}`).join(', ') : ''),
    );
  }
  log(`\nbench: wrote ${base}.json, .md and .svg in ${results.meta.seconds} s`);
  return 0;
}

main().then(
  code => {
    killEverything();
    process.exit(code);
  },
  error => {
    process.stderr.write(`bench: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    const n = killEverything();
    if (n) process.stderr.write(`bench: stopped ${n} child process(es) it had started\n`);
    process.exit(1);
  },
);
