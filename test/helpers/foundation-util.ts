// Small helpers shared by the foundation acceptance tests (issue 2): servers owned by one test,
// child Node processes running a compiled fixture, session-shaped objects, and a MONITOR tap.
import type { ExecutionContext } from 'ava';
import type { SessionData } from 'express-session';
import { createClient, type RedisClientType } from 'redis';
import { RedisStore, type ExpredisOptions } from '../../src/index.js';
import { startServers, type RedisServer } from './redis-server.js';
import { eventually, uniquePrefix } from './store.js';

/** `n` redis-server processes that belong to this test only, closed in its teardown. */
export async function ownServers(t: ExecutionContext, n: number, extraArgs: string[] = []): Promise<RedisServer[]> {
  const servers = await startServers(n, extraArgs);
  t.teardown(() => Promise.all(servers.map(s => s.close())));
  return servers;
}

/** An express-session-shaped object, typed for the Store API. */
export function asSession(value: Record<string, unknown>): SessionData {
  return value as unknown as SessionData;
}

export { fixturePath, runFixture, type ChildResult } from './child.js';

/** Every command a server receives from now on (MONITOR), as argument arrays. */
export async function monitor(client: RedisClientType): Promise<string[][]> {
  const seen: string[][] = [];
  await client.monitor(line => {
    // e.g. 1700000000.123456 [0 127.0.0.1:5000] "SET" "k" "v" "PX" "1001"
    const args = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map(m => m[1]!);
    seen.push(args);
  });
  return seen;
}

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/**
 * The Promise of a call made without a callback, checked at run time (a method that returned
 * nothing would fail here rather than pass as `await undefined`). It also accepts the
 * `Promise | void` type that some store overloads gave such calls.
 */
export function promised<T = void>(value: Promise<T> | void): Promise<T> {
  if (!(value instanceof Promise)) throw new TypeError('expected a Promise from a call without a callback');
  return value;
}

/**
 * A store over `servers` with a unique prefix, closed after the test. These tests check
 * behaviour, not latency: on a loaded 2-core machine a 1 s commandTimeout can pass while a test
 * process waits for CPU, so the default here is 5 s (tests about "at once" set their own).
 * `waitReady`: 'all' (default) waits until every member is usable, 'quorum' only for ready().
 */
export async function open(
  t: ExecutionContext,
  servers: readonly RedisServer[],
  options: Partial<ExpredisOptions> = {},
  { waitReady = 'all' }: { waitReady?: 'all' | 'quorum' | false } = {},
): Promise<RedisStore> {
  const store = new RedisStore({
    clients: servers.map(s => ({ port: s.port })),
    prefix: uniquePrefix(t),
    commandTimeout: 5000,
    ...options,
  });
  t.teardown(() => promised(store.close()));
  if (waitReady) await promised(store.ready({ timeout: 15_000 }));
  // ready() resolves once writeQuorum members are usable; most tests need every member to hold
  // what they write, so by default wait for all of them.
  if (waitReady === 'all') await eventually(() => store.stats().members.every(m => m.healthy), 15_000, 'every member usable');
  return store;
}

/**
 * A plain node-redis client on one server, for looking at a member directly; like the shared
 * `directClient`, with a connect timeout that survives a heavily loaded machine.
 */
export async function direct(t: ExecutionContext, server: RedisServer, database = 0): Promise<RedisClientType> {
  const client = createClient({ socket: { port: server.port, host: '127.0.0.1', reconnectStrategy: false, connectTimeout: 30_000 }, database }) as RedisClientType;
  client.on('error', () => undefined);
  await client.connect();
  t.teardown(() => (client.isOpen ? client.destroy() : undefined));
  return client;
}

/** Where a key's expiry instant lies (epoch ms), from one PTTL read timed on both sides. */
export interface Expiry {
  pttl: number;
  min: number;
  max: number;
}

export async function expiryOf(client: RedisClientType, key: string): Promise<Expiry> {
  const start = Date.now();
  const pttl = await client.pTTL(key);
  const end = Date.now();
  return { pttl, min: start + pttl, max: end + pttl };
}

/**
 * The key expires at an instant in [low, high] (epoch ms), up to a few ms of rounding. Checking
 * instants rather than PTTL values keeps the assertion exact however long the test waited.
 */
export async function assertExpiresBetween(t: ExecutionContext, client: RedisClientType, key: string, low: number, high: number, label = key): Promise<void> {
  const e = await expiryOf(client, key);
  const slack = 20;
  t.true(
    e.pttl >= 0 && e.max >= low - slack && e.min <= high + slack,
    `${label}: PTTL ${e.pttl} puts the expiry in [${e.min}, ${e.max}], expected within [${low}, ${high}]`,
  );
}
