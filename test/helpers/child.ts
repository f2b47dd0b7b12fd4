// Running a compiled fixture script in its own process, for what only a fresh process shows
// (exit without close(), a crash without an error listener, threads created).
import { spawn } from 'node:child_process';

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Date.now() when the child exited. */
  endedAt: number;
  /** The child outlived `timeoutMs` and was killed. */
  killed: boolean;
}

/** The compiled fixture `dist/test/fixtures/<name>.js`. */
export function fixturePath(name: string): string {
  return new URL(`../fixtures/${name}.js`, import.meta.url).pathname;
}

/** Runs `node dist/test/fixtures/<name>.js ...args`; SIGKILLs it after `timeoutMs`. Never rejects. */
export function runFixture(name: string, args: string[], timeoutMs: number): Promise<ChildResult> {
  const started = Date.now();
  return new Promise(resolve => {
    const child = spawn(process.execPath, [fixturePath(name), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const endedAt = Date.now();
      resolve({ code, signal, stdout, stderr, ms: endedAt - started, endedAt, killed });
    });
  });
}
