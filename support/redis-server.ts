// Local redis-server processes, for the tests, the benchmarks and the demo alike: each on a free
// loopback port, nothing written to disk, ready once PING answers (never a sleep). A server can be
// killed (SIGKILL), hung (SIGSTOP) and resumed, restarted empty on its port, or shut down
// gracefully. No server outlives the process that started it: an 'exit' handler SIGKILLs any
// still running, and each writes its pid file into its own directory, where CI finds (and stops
// by pid) any left behind by a process that was itself killed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The prefix of every server's directory under the system temp dir (CI globs it). */
export const DIR_PREFIX = 'expredis-redis-';

/** `redis-server` is not installed (spawn failed with ENOENT). */
export class RedisNotInstalledError extends Error {
  readonly code = 'ENOENT';
  constructor(readonly binary: string) {
    super(`${binary} was not found: install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis)`);
    this.name = 'RedisNotInstalledError';
  }
}

const live = new Set<RedisServer>();
const dirs = new Set<string>();
process.once('exit', () => {
  for (const server of live) server.kill();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The binary: `REDIS_SERVER` when set, else `redis-server` from PATH. */
export function redisBinary(): string {
  return process.env.REDIS_SERVER || 'redis-server';
}

export async function freePort(): Promise<number> {
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

/** Whether a PING on `port` gets an answer: +PONG, or -NOAUTH from a server with a password. */
export function ping(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', data => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
  });
}

/** Resolves once PING on `port` answers; rejects after `timeoutMs`. */
export async function waitForPing(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ping(port, 500))) {
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`);
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

export class RedisServer {
  readonly port: number;
  readonly #dir: string;
  readonly #args: string[];
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();

  private constructor(port: number, extraArgs: readonly string[], config: string | undefined) {
    this.port = port;
    this.#dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
    dirs.add(this.#dir);
    // A config file, when given, comes first (Sentinel needs one it can rewrite).
    const file = join(this.#dir, 'redis.conf');
    if (config !== undefined) writeFileSync(file, config);
    this.#args = [
      ...(config === undefined ? [] : [file]),
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no',
      '--dir', this.#dir, '--logfile', '', '--loglevel', 'warning', '--pidfile', join(this.#dir, 'redis.pid'),
      ...extraArgs,
    ];
  }

  /**
   * Starts a server on a free port, trying again when another process took the port meanwhile.
   * `config`: the text of a config file written into the server's directory and passed first.
   */
  static async start(extraArgs: readonly string[] = [], { config }: { config?: string } = {}): Promise<RedisServer> {
    for (let attempt = 1; ; attempt++) {
      const server = new RedisServer(await freePort(), extraArgs, config);
      try {
        await server.#spawn();
        return server;
      } catch (error) {
        await server.close();
        if (error instanceof RedisNotInstalledError || attempt >= 5) throw error;
      }
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get label(): string {
    return `127.0.0.1:${this.port}`;
  }

  get alive(): boolean {
    return this.#child !== undefined;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** The directory holding its pid file (and a cluster node's nodes.conf). */
  get dir(): string {
    return this.#dir;
  }

  async #spawn(): Promise<void> {
    const binary = redisBinary();
    const child = spawn(binary, this.#args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let output = '';
    child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)));
    this.#child = child;
    live.add(this);
    let spawnError: NodeJS.ErrnoException | undefined;
    this.#exited = new Promise<void>(resolve => {
      child.once('error', error => {
        spawnError = error;
        resolve();
      });
      child.once('exit', () => resolve());
    }).then(() => {
      if (this.#child === child) {
        this.#child = undefined;
        live.delete(this);
      }
    });
    const died = this.#exited.then(() => {
      if (spawnError?.code === 'ENOENT') throw new RedisNotInstalledError(binary);
      throw spawnError ?? new Error(`redis-server on port ${this.port} exited before answering PING (${child.exitCode}): ${output.trim()}`);
    });
    died.catch(() => undefined); // it may exit later (killed, shut down): not an error then
    await Promise.race([waitForPing(this.port, 10_000), died]);
  }

  /** SIGKILL: the member dies; connections drop at once. */
  kill(): void {
    this.#child?.kill('SIGKILL');
  }

  /** SIGKILL, resolving once the process is gone (its port free). */
  async killAndWait(): Promise<void> {
    this.kill();
    await this.#exited;
  }

  /** SIGSTOP: the member hangs; connections stay open and nothing answers. */
  stop(): void {
    this.#child?.kill('SIGSTOP');
  }

  /** SIGCONT after stop(). */
  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  /** Start again, empty, on the same port. */
  async restart(): Promise<void> {
    await this.killAndWait();
    await this.#spawn();
  }

  /** SIGTERM (SIGKILL after `graceMs`), then its directory is removed. */
  async shutdown(graceMs = 3000): Promise<void> {
    this.#child?.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>(resolve => (timer = setTimeout(resolve, graceMs, 'late')));
    if ((await Promise.race([this.#exited.then(() => 'gone' as const), late])) === 'late') await this.killAndWait();
    clearTimeout(timer);
    this.#removeDir();
  }

  /** SIGKILL, then its directory is removed. */
  async close(): Promise<void> {
    await this.killAndWait();
    this.#removeDir();
  }

  #removeDir(): void {
    rmSync(this.#dir, { recursive: true, force: true });
    dirs.delete(this.#dir);
  }
}

/** Starts `n` servers in parallel; when one fails, those already started are closed. */
export async function startServers(n: number, extraArgs: readonly string[] = []): Promise<RedisServer[]> {
  const results = await Promise.allSettled(Array.from({ length: n }, () => RedisServer.start(extraArgs)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(results.map(r => (r.status === 'fulfilled' ? r.value.close() : undefined)));
    throw failed.reason;
  }
  return results.map(r => (r as PromiseFulfilledResult<RedisServer>).value);
}

/** Shuts down every server this process started and still runs. */
export async function shutdownAll(graceMs = 3000): Promise<void> {
  await Promise.all([...live].map(server => server.shutdown(graceMs)));
}
