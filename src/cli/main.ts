#!/usr/bin/env node
// The `expredis` command: status, diff and sync over the members of a store. Every failure is one
// line on stderr (`expredis: …`) and a non-zero exit; credentials and session ids are never printed.
import { readFileSync } from 'node:fs';
import { parse, type Args } from './args.js';
import { configuredMember, resolveMembers, type ConfiguredMember } from './config.js';
import { diff, renderDiff } from './diff.js';
import { CliError, EXIT } from './fail.js';
import { HELP, MAIN_HELP } from './help.js';
import { closeMembers, oneLine, openMembers, type Opened } from './open.js';
import { Progress } from './progress.js';
import { checkAddresses, checkIdentity } from './same-member.js';
import { renderStatus, status, statusExitCode } from './status.js';
import { countSourceKeys, renderSync, sync } from './sync.js';

export interface Io {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: NodeJS.ProcessEnv;
}

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

/** Connect timeout: a member's first attempt is bounded by max(2 × commandTimeout, 2 s) in Member. */
function openOptions(args: Args) {
  return { commandTimeout: args.timeout, connectTimeout: Math.max(args.timeout * 2, 2000) + 500 };
}

function requireReachable(opened: readonly Opened[]): void {
  const down = opened.find(o => o.problem !== undefined);
  if (down) throw new CliError(`member ${down.member.label} is unreachable: ${down.problem}`);
}

export async function run(argv: readonly string[], io: Io): Promise<number> {
  const args = parse(argv);
  if (args.command === 'help') {
    io.stdout.write(MAIN_HELP + '\n');
    return EXIT.ok;
  }
  if (args.command === 'version') {
    io.stdout.write(version() + '\n');
    return EXIT.ok;
  }
  if (args.help) {
    io.stdout.write(HELP[args.command] + '\n');
    return EXIT.ok;
  }
  const { members, prefix } = resolveMembers({ members: args.members, config: args.config, prefix: args.prefix, env: io.env });
  const json = (value: unknown) => io.stdout.write(JSON.stringify(value, null, 2) + '\n');

  if (args.command === 'sync') {
    if (args.to === undefined) throw new CliError('sync needs --to URL: the member to copy the sessions onto');
    const target = configuredMember(args.to, '--to');
    checkAddresses(target, members);
    return withMembers([...members, target], args, async opened => {
      requireReachable(opened);
      const sources = opened.slice(0, -1);
      const goal = opened[opened.length - 1]!;
      await checkIdentity(goal, sources);
      const stop = new AbortController();
      const onSigint = () => {
        if (stop.signal.aborted) process.exit(EXIT.interrupted);
        io.stderr.write('\nexpredis: stopping after the writes in flight (Ctrl-C again to quit at once)\n');
        stop.abort();
      };
      process.on('SIGINT', onSigint);
      try {
        const total = await countSourceKeys(sources.map(o => o.member), prefix, args.count);
        const progress = new Progress(io.stderr, total, args.dryRun ? 'to copy' : 'copied');
        try {
          const report = await sync(sources.map(o => o.member), goal.member, { prefix, count: args.count, dryRun: args.dryRun, rate: args.rate, sample: 5, stop: stop.signal }, progress);
          progress.finish(!report.interrupted);
          if (args.json) json(report);
          else io.stdout.write(renderSync(report) + '\n');
          return report.interrupted ? EXIT.interrupted : EXIT.ok;
        } finally {
          progress.finish(false); // a failure: the line as far as it got
        }
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
  }

  return withMembers(members, args, async opened => {
    if (args.command === 'status') {
      const report = await status(opened, { prefix, count: args.count });
      if (args.json) json(report);
      else io.stdout.write(renderStatus(report) + '\n');
      return statusExitCode(report);
    }
    requireReachable(opened);
    const report = await diff(opened, { prefix, count: args.count, sample: args.sample });
    if (args.json) json(report);
    else io.stdout.write(renderDiff(report) + '\n');
    return report.agree ? EXIT.ok : EXIT.found;
  });
}

async function withMembers(members: readonly ConfiguredMember[], args: Args, work: (opened: Opened[]) => Promise<number>): Promise<number> {
  const opened = await openMembers(members, openOptions(args));
  try {
    return await work(opened);
  } finally {
    await closeMembers(opened);
  }
}

/** The one line an error ends the command with. */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `expredis: ${oneLine(message)}`;
}

async function main(): Promise<void> {
  const io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env };
  try {
    process.exitCode = await run(process.argv.slice(2), io);
  } catch (error) {
    io.stderr.write(errorLine(error) + '\n');
    process.exitCode = error instanceof CliError ? error.exitCode : EXIT.cannot;
  }
  if (process.env.EXPREDIS_REPORT_RESOURCES) reportResources();
}

// Hidden, for bench/sync.ts: peak RSS and heap of this process, as one JSON line on stderr.
let heapPeak = 0;
if (process.env.EXPREDIS_REPORT_RESOURCES) {
  const sample = () => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed));
  setInterval(sample, 20).unref();
}
function reportResources(): void {
  heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  process.stderr.write(`resources ${JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, heapPeakBytes: heapPeak })}\n`);
}

void main();
