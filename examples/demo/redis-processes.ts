// Local redis-server children for the demo: each on a free loopback port, nothing written to disk,
// not daemonized, usable once PING answers. They never outlive the demo: `stopAll()` ends them on
// a normal shutdown, and an 'exit' handler SIGKILLs any still running when the process dies
// another way (an uncaught exception, process.exit()).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `redis-server` is not on PATH (spawn ENOENT). */
export class RedisNotInstalledError extends Error {
  readonly code = 'ENOENT';
  constructor(readonly binary: string) {
    super(`${binary} was not found`);
    this.name = 'RedisNotInstalledError';
  }
}

export interface LocalRedis {
  readonly port: number;
  readonly pid: number;
  readonly url: string;
}

interface Running {
  readonly child: ChildProcess;
  readonly dir: string;
  readonly exited: Promise<void>;
}

const running = new Set<Running>();

process.once('exit', () => {
  for (const r of running) {
    r.child.kill('SIGKILL');
    rmSync(r.dir, { recursive: true, force: true });
  }
});

/** The binary: `REDIS_SERVER` when set, else `redis-server` from PATH. */
export function redisBinary(): string {
  return process.env.REDIS_SERVER || 'redis-server';
}

/** Starts `count` redis-server children in parallel; on any failure, stops those already started. */
export async function startLocalRedis(count: number): Promise<LocalRedis[]> {
  const results = await Promise.allSettled(Array.from({ length: count }, () => startOne()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stopAll();
    throw failed.reason;
  }
  return results.map(r => (r as PromiseFulfilledResult<LocalRedis>).value);
}

/** SIGTERM every child, wait for it to exit; SIGKILL whatever is still there after `graceMs`. */
export async function stopAll(graceMs = 3000): Promise<void> {
  await Promise.all(
    [...running].map(async r => {
      r.child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>(resolve => (timer = setTimeout(resolve, graceMs, 'late')));
      if ((await Promise.race([r.exited, late])) === 'late') {
        r.child.kill('SIGKILL');
        await r.exited;
      }
      clearTimeout(timer);
    }),
  );
}

async function startOne(): Promise<LocalRedis> {
  // Another process may take the port between freePort() and redis-server's bind: try again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnOn(await freePort());
    } catch (error) {
      if (error instanceof RedisNotInstalledError || attempt >= 5) throw error;
    }
  }
}

async function spawnOn(port: number): Promise<LocalRedis> {
  const binary = redisBinary();
  const dir = mkdtempSync(join(tmpdir(), 'expredis-demo-'));
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--daemonize', 'no', '--dir', dir, '--logfile', '', '--loglevel', 'warning',
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);

  let spawnError: Error | undefined;
  const exited = new Promise<void>(resolve => {
    child.once('error', error => {
      spawnError = error;
      resolve();
    });
    child.once('exit', () => resolve());
  });
  const entry: Running = { child, dir, exited };
  running.add(entry);
  void exited.then(() => {
    running.delete(entry);
    rmSync(dir, { recursive: true, force: true });
  });

  const died = exited.then(() => {
    if ((spawnError as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new RedisNotInstalledError(binary);
    if (spawnError) throw spawnError;
    throw new Error(`redis-server on port ${port} exited before answering PING (exit code ${child.exitCode}): ${output.trim()}`);
  });
  try {
    await Promise.race([waitForPing(port, 10_000), died]);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  died.catch(() => undefined); // it may exit later (shutdown): not an error then
  return { port, pid: child.pid!, url: `redis://127.0.0.1:${port}` };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ping(port, 500))) {
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`);
    await new Promise(resolve => setTimeout(resolve, 25));
  }
}

function ping(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', data => done(data.toString().startsWith('+PONG')));
  });
}
