// Real redis-server processes for tests: each on a free loopback port, nothing on disk, ready
// when PING answers (never a sleep). They can be killed (-9), stopped (SIGSTOP: a hang),
// resumed and restarted empty. Every server a test process started is killed when it exits,
// even when a test fails; each writes its pid file in its own directory, where .ci/run finds
// any left behind by a crash.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const running = new Set<ChildProcess>();
const dirs = new Set<string>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

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

/** Resolves when a PING on `port` gets an answer (+PONG, or -NOAUTH from a server with a
 * password); rejects after `timeoutMs`. */
export async function waitForPing(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ping(port, 500)) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`);
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

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

export class RedisServer {
  readonly port: number;
  readonly #dir: string;
  readonly #args: string[];
  #child: ChildProcess | undefined;

  private constructor(port: number, extraArgs: string[]) {
    this.port = port;
    this.#dir = mkdtempSync(join(tmpdir(), 'expredis-test-'));
    dirs.add(this.#dir);
    this.#args = [
      '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--dir', this.#dir, '--logfile', '', '--loglevel', 'warning',
      // Read by .ci/run, which stops any server a crashed test process left behind by its pid.
      '--pidfile', join(this.#dir, 'redis.pid'), ...extraArgs,
    ];
  }

  /** Starts a server on a free port (retrying if another process took the port meanwhile). */
  static async start(extraArgs: string[] = []): Promise<RedisServer> {
    for (let attempt = 0; ; attempt++) {
      const server = new RedisServer(await freePort(), extraArgs);
      try {
        await server.#spawn();
        return server;
      } catch (error) {
        server.kill();
        if (attempt >= 4) throw error;
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

  async #spawn(): Promise<void> {
    const child = spawn('redis-server', this.#args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    this.#child = child;
    running.add(child);
    const exited = new Promise<never>((_, reject) => {
      child.once('error', reject);
      child.once('exit', code => reject(new Error(`redis-server on port ${this.port} exited (${code}): ${stderr.trim()}`)));
    });
    child.once('exit', () => {
      running.delete(child);
      if (this.#child === child) this.#child = undefined;
    });
    await Promise.race([waitForPing(this.port), exited]);
    exited.catch(() => undefined);
  }

  /** SIGKILL: the member dies; connections drop at once. */
  kill(): void {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    child.kill('SIGKILL');
  }

  /** Resolves once the killed process is gone (its port free). */
  async killAndWait(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    const gone = new Promise(resolve => child.once('exit', resolve));
    this.kill();
    await gone;
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

  async close(): Promise<void> {
    await this.killAndWait();
    rmSync(this.#dir, { recursive: true, force: true });
    dirs.delete(this.#dir);
  }
}

/** Starts `n` servers in parallel. */
export function startServers(n: number, extraArgs: string[] = []): Promise<RedisServer[]> {
  return Promise.all(Array.from({ length: n }, () => RedisServer.start(extraArgs)));
}
