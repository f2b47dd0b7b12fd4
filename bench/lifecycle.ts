// The app children the bench starts are registered here and torn down on every way out: normal
// end, failure, uncaught error, Ctrl-C (SIGINT), SIGTERM and SIGHUP (each ends in process.exit,
// whose 'exit' handler in support/redis-server.ts stops the redis-servers too). Only a SIGKILL of
// the bench itself can leave children behind.
import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
let installed = false;

export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}

/** Synchronous, so it also runs from the 'exit' event and signal handlers. */
export function killEverything(): number {
  let killed = 0;
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
        killed++;
      } catch {
        // already gone
      }
    }
  }
  children.clear();
  return killed;
}

export function liveChildren(): number {
  return [...children].filter(c => c.exitCode === null && c.signalCode === null).length;
}

export function installCleanupHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', () => killEverything());
  const onSignal = (signal: NodeJS.Signals, code: number) => {
    const n = killEverything();
    process.stderr.write(`\nbench: ${signal}: stopped ${n} child process(es) it had started; exiting\n`);
    process.exit(code);
  };
  process.on('SIGINT', () => onSignal('SIGINT', 130));
  process.on('SIGTERM', () => onSignal('SIGTERM', 143));
  process.on('SIGHUP', () => onSignal('SIGHUP', 129));
  const onFatal = (error: unknown) => {
    process.stderr.write(`bench: fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    const n = killEverything();
    process.stderr.write(`bench: stopped ${n} child process(es) it had started\n`);
    process.exit(1);
  };
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
}

/** A bench's entry point: the children it started are killed when it ends, and a failure is
 * printed (with its stack: benches are for developers) and exits 1. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => killEverything(),
    (error: unknown) => {
      process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      killEverything();
      process.exitCode = 1;
    },
  );
}
