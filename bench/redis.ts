// The Redis servers the bench talks to. By default it starts its own `redis-server` processes on
// free loopback ports (no persistence, a temp dir each) and proves each one is its own: the
// `process_id` that INFO reports must be the pid of the child it spawned, so a port taken by
// someone else's server in the meantime is detected and never written to. Servers it did not
// start are used only when named with --redis-urls.
import { createClient } from 'redis';
import { RedisServer } from '../support/redis-server.js';

export interface RedisTarget {
  readonly url: string;
  readonly label: string;
  /** true when this process started the server (and will stop it). */
  readonly owned: boolean;
  readonly version: string;
  stop(): Promise<void>;
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

/** Starts a redis-server of our own, and proves it is ours: INFO's `process_id` must be the pid
 * of the child started, so a port taken by someone else's server meanwhile is never written to. */
export async function startRedis(): Promise<RedisTarget> {
  const server = await RedisServer.start();
  try {
    const info = await serverInfo(server.url, 3000);
    if (Number(info.process_id) !== server.pid) {
      throw new Error(`port ${server.port} is answered by a Redis this bench did not start (pid ${info.process_id}, ours ${server.pid}): refusing it`);
    }
    return { url: server.url, label: server.label, owned: true, version: info.redis_version ?? '?', stop: () => server.close() };
  } catch (error) {
    await server.close();
    throw error;
  }
}

/** A server named by the user with --redis-urls: used, never stopped, never flushed. */
export async function foreignRedis(url: string): Promise<RedisTarget> {
  const info = await serverInfo(url, 3000);
  const label = url.replace(/\/\/[^@]*@/, '//');
  return { url, label, owned: false, version: info.redis_version ?? '?', stop: async () => undefined };
}
