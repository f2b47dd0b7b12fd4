// Running the built `expredis` command (dist/src/cli/main.js) as a user does: its own process,
// REDIS_URLS taken from the test only, killed after a bound.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import type { ChildResult } from './child.js';

/** The compiled command, from dist/test/helpers/. */
export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export interface CliRun extends ChildResult {
  readonly child: ChildProcess;
}

export interface CliOptions {
  /** Extra environment (REDIS_URLS is never inherited). */
  readonly env?: Record<string, string>;
  /** SIGKILL after this long. @default 30_000 */
  readonly timeoutMs?: number;
}

const COMMANDS = new Set(['status', 'diff', 'sync']);

/** Starts `node dist/src/cli/main.js ...args`; `done` never rejects. A command that talks to
 * members gets `--timeout 10000` unless it names one: on a busy test machine 2 s is not much. */
export function startCli(given: readonly string[], options: CliOptions = {}): { child: ChildProcess; done: Promise<CliRun> } {
  const args = COMMANDS.has(given[0]!) && !given.includes('--timeout') && !given.includes('--help') ? [given[0]!, '--timeout', '10000', ...given.slice(1)] : given;
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (!options.env?.REDIS_URLS) delete env.REDIS_URLS;
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let killed = false;
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 30_000);
  const done = new Promise<CliRun>(resolve => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const endedAt = Date.now();
      resolve({ child, code, signal, stdout, stderr, ms: endedAt - started, endedAt, killed });
    });
  });
  return { child, done };
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  return startCli(args, options).done;
}

/** `--member URL` for each URL. */
export function memberArgs(urls: readonly string[]): string[] {
  return urls.flatMap(url => ['--member', url]);
}

/** The JSON a run printed; fails the test with its stderr when it printed none. */
export function jsonOf<T = Record<string, unknown>>(t: ExecutionContext, run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    t.fail(`no JSON on stdout (exit ${run.code}${run.killed ? ', killed' : ''}): ${run.stderr.trim()}`);
    throw new Error('no JSON');
  }
}
