// The Redis servers the bench talks to. By default it starts its own `redis-server` processes on
// free loopback ports (no persistence, a temp dir each) and proves each one is its own: the
// `process_id` that INFO reports must be the pid of the child it spawned, so a port taken by
// someone else's server in the meantime is detected and never written to. Servers it did not
// start are used only when named with --redis-urls.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { trackChild, trackDir, untrackDir } from './lifecycle.js';

export interface RedisTarget {
  readonly url: string;
  readonly label: string;
  /** true when this process started the server (and will stop it). */
  readonly owned: boolean;
  readonly version: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
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

async function serverInfo(url: string, timeoutMs: number): Promise<Record<string, string>> {
  const client = createClient({ url, socket: { connectTimeout: timeoutMs, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const text = await client.info('server');
    const info: Record<string, string> = {};
    for (const line of text.split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i > 0) info[line.slice(0, i)] = line.slice(i + 1).trim();
    }
    return info;
  } finally {
    if (client.isOpen) client.destroy();
  }
}

async function startOnce(): Promise<RedisTarget> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'expredis-bench-'));
  trackDir(dir);
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', '', '--loglevel', 'warning'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  trackChild(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error('redis-server was not found on PATH. Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or pass --redis-urls')
          : error,
      ),
    );
    child.once('exit', code => reject(new Error(`redis-server on port ${port} exited (${code}): ${stderr.trim()}`)));
  });
  exited.catch(() => undefined);
  const url = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise(resolve => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
    untrackDir(dir);
  };
  try {
    const deadline = Date.now() + 5000;
    for (;;) {
      const info = await Promise.race([serverInfo(url, 500).catch(() => undefined), exited]);
      if (info) {
        if (Number(info.process_id) !== child.pid) {
          throw new Error(`port ${port} is answered by a Redis this bench did not start (pid ${info.process_id}, ours ${child.pid}): refusing it`);
        }
        return { url, label: `127.0.0.1:${port}`, owned: true, version: info.redis_version ?? '?', stop };
      }
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within 5 s: ${stderr.trim()}`);
      await new Promise(resolve => setTimeout(resolve, 25));
    }
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Starts a redis-server of our own (retrying when the free port was taken meanwhile). */
export async function startRedis(): Promise<RedisTarget> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startOnce();
    } catch (error) {
      if (attempt >= 3 || (error instanceof Error && error.message.includes('not found on PATH'))) throw error;
    }
  }
}

/** A server named by the user with --redis-urls: used, never stopped, never flushed. */
export async function foreignRedis(url: string): Promise<RedisTarget> {
  const info = await serverInfo(url, 3000);
  const label = url.replace(/\/\/[^@]*@/, '//');
  return { url, label, owned: false, version: info.redis_version ?? '?', stop: async () => undefined };
}
