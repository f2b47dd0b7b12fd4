// Small helpers shared by the foundation tests: servers owned by one test, child Node processes
// running a compiled fixture, session-shaped objects, and a MONITOR tap.
import type { ExecutionContext } from 'ava';
import type { SessionData } from 'express-session';
import { createClient, type RedisClientType } from 'redis';
import type { RedisStore, ExpredisOptions } from '../../src/index.js';
import type { RedisServer } from './redis-server.js';
import { openStore, type WaitFor } from './store.js';

export { ownServers } from './fault-kit.js';

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

export { sleep } from './store.js';

/**
 * The Promise of a call made without a callback, checked at run time (a method that returned
 * nothing would fail here rather than pass as `await undefined`). It also accepts the
 * `Promise | void` type that some store overloads gave such calls.
 */
export function promised<T = void>(value: Promise<T> | void): Promise<T> {
  if (!(value instanceof Promise)) throw new TypeError('expected a Promise from a call without a callback');
  return value;
}

/** `openStore` as the foundation tests use it: `commandTimeout` 5000 and up to 15 s to get ready,
 * for a heavily loaded machine; by default every member usable. */
export function open(t: ExecutionContext, servers: readonly RedisServer[], options: Partial<ExpredisOptions> = {}, { waitFor = 'all' }: { waitFor?: WaitFor } = {}): Promise<RedisStore> {
  return openStore(t, servers, { commandTimeout: 5000, ...options }, { waitFor, timeoutMs: 15_000 });
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
