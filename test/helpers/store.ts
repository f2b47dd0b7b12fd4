// Stores and direct clients for tests. Each test gets its own key prefix, so tests in one file
// can share servers and run concurrently; everything opened is closed in the test's teardown.
import type { ExecutionContext } from 'ava';
import { createHash } from 'node:crypto';
import { createClient, RESP_TYPES, type RedisClientType } from 'redis';
import { RedisStore, type ExpredisOptions } from '../../src/index.js';
import type { RedisServer } from './redis-server.js';

/** A prefix unique to this test (and this call): `t<hash>:`. */
export function uniquePrefix(t: ExecutionContext, salt = ''): string {
  return 't' + createHash('sha1').update(t.title + salt + Math.random()).digest('hex').slice(0, 10) + ':';
}

/** Which members a new test store waits for: none, `writeQuorum` of them (`ready()`), or all. */
export type WaitFor = false | 'quorum' | 'all';

/**
 * The one way tests open a store: over `servers` (legacy `{ port }` entries), with a unique prefix,
 * closed in the test's teardown. `waitFor` 'all' also waits until every member is healthy, which
 * most tests need to look at every member's bytes right after a write.
 */
export async function openStore(
  t: ExecutionContext,
  servers: readonly RedisServer[],
  options: Partial<ExpredisOptions> = {},
  { waitFor = 'quorum', timeoutMs = 5000 }: { waitFor?: WaitFor; timeoutMs?: number } = {},
): Promise<RedisStore> {
  const store = new RedisStore({
    clients: servers.map(s => ({ port: s.port })),
    prefix: uniquePrefix(t),
    ...options,
  });
  t.teardown(() => store.close() as Promise<void>);
  if (waitFor) await store.ready({ timeout: timeoutMs });
  if (waitFor === 'all') await eventually(() => store.stats().members.every(m => m.healthy), timeoutMs, 'every member usable');
  return store;
}

/** A plain node-redis client on one server, for looking at a member directly. */
export async function directClient(t: ExecutionContext, server: RedisServer): Promise<RedisClientType> {
  const client = createClient({ socket: { port: server.port, host: '127.0.0.1', reconnectStrategy: false } }) as RedisClientType;
  client.on('error', () => undefined);
  await client.connect();
  t.teardown(() => (client.isOpen ? client.destroy() : undefined));
  return client;
}

/** The raw bytes a member holds at `key` (null when missing). */
export async function rawValue(client: RedisClientType, key: string): Promise<Buffer | null> {
  return client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get(key) as Promise<Buffer | null>;
}

/** A pause: only for checking that something does NOT happen within a window; to wait for
 * something to happen, use `eventually`. */
export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** Resolves when `predicate` holds, polling every 20 ms; rejects after `timeoutMs`. */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** A minimal express-session-like session with a cookie that expires in `maxAgeMs`. */
export function sessionWith(data: Record<string, unknown> = {}, maxAgeMs = 60_000): Record<string, unknown> {
  return {
    cookie: { originalMaxAge: maxAgeMs, expires: new Date(Date.now() + maxAgeMs).toISOString(), httpOnly: true, path: '/' },
    ...data,
  };
}
