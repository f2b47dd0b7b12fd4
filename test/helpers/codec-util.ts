// Helpers for the codec and pool acceptance tests (issue 3): fixture paths, time-boxed awaits,
// child scripts, reading a stored value the way a human would (envelope fields + payload), and
// session shapes (string-heavy, express-session Cookie).
import { Unpackr } from 'msgpackr';
import session from 'express-session';
import type { SessionData } from 'express-session';
import type { ExecutionContext } from 'ava';
import type { RedisStore, ExpredisOptions } from '../../src/index.js';
import type { RedisServer } from './redis-server.js';
import { openStore } from './store.js';

/** The compiled fixture `dist/test/fixtures/<name>.js`, as a file: URL href. */
export function fixtureHref(name: string): string {
  return new URL(`../fixtures/${name}.js`, import.meta.url).href;
}

/** A `{ module }` serializer option naming a compiled fixture. */
export function moduleSerializer(name: string): { module: string } {
  return { module: fixtureHref(name) };
}

/** A session-shaped value, typed for the Store API. */
export function asSession(value: unknown): SessionData {
  return value as SessionData;
}

export { sleep } from './store.js';

export type Settled<T> = { status: 'fulfilled'; value: T } | { status: 'rejected'; error: unknown } | { status: 'timeout' };

/** How `promise` settled within `ms`; never rejects, never waits longer than `ms`. */
export function settleWithin<T>(promise: Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Settled<T>>(resolve => {
    timer = setTimeout(() => resolve({ status: 'timeout' }), ms);
  });
  const settled = promise.then(
    value => ({ status: 'fulfilled', value }) as Settled<T>,
    (error: unknown) => ({ status: 'rejected', error }) as Settled<T>,
  );
  return Promise.race([settled, timeout]).finally(() => clearTimeout(timer));
}

/** `promise`, or a rejection naming `what` after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const result = await settleWithin(promise, ms);
  if (result.status === 'timeout') throw new Error(`${what} did not settle within ${ms} ms`);
  if (result.status === 'rejected') throw result.error;
  return result.value;
}

/** The node-style callback form of a store call, as a Promise (for checking the callback path). */
export function viaCallback<T = void>(call: (callback: (error: unknown, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    call((error, value) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(value as T)));
  });
}

export { runFixture as runScript, type ChildResult } from './child.js';

// ---- stored values ----

export const HEADER = 16;
const MAGIC = Buffer.from([0x00, 0xe5, 0x52, 0x44]);
export const FORMAT = { tombstone: 0, json: 1, msgpack: 2, module: 3 } as const;

export interface StoredView {
  /** undefined for a value without an envelope (plain JSON or a custom serializer's raw output). */
  format: number | undefined;
  flags: number;
  payload: Buffer;
}

export function viewStored(raw: Buffer): StoredView {
  if (raw.length >= 4 && raw.subarray(0, 4).equals(MAGIC)) {
    return { format: raw[5], flags: raw[6]!, payload: raw.subarray(HEADER) };
  }
  return { format: undefined, flags: 0, payload: raw };
}

const unpackr = new Unpackr({ useRecords: true, mapsAsObjects: true });

/**
 * The tree a stored value holds, decoded independently of the store: JSON text (plain or in a
 * JSON/module envelope: every module fixture here writes JSON text) or msgpack (msgpackr, so
 * `__proto__`-escaped keys are left as stored).
 */
export function decodeStored(raw: Buffer): unknown {
  const v = viewStored(raw);
  if (v.format === FORMAT.msgpack) return unpackr.unpack(v.payload);
  return JSON.parse(v.payload.toString('utf8')) as unknown;
}

// ---- sessions ----

/** An express-session Cookie (prototype with getters and toJSON, as express-session hands it to set). */
export function realCookie(maxAgeMs = 60_000): session.Cookie {
  // @types/express-session declares no constructor arguments; express-session's Cookie takes options.
  const CookieClass = session.Cookie as unknown as new (options: session.CookieOptions) => session.Cookie;
  return new CookieClass({ maxAge: maxAgeMs, httpOnly: true, path: '/', sameSite: 'lax' });
}

/** A string-heavy session of about `bytes` bytes of JSON: a few long strings. */
export function stringHeavySession(bytes: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const chunk = 16 * 1024;
  const blobs: string[] = [];
  let left = bytes;
  let i = 0;
  while (left > 0) {
    const n = Math.min(chunk, left);
    blobs.push(String.fromCharCode(97 + (i++ % 26)).repeat(n));
    left -= n;
  }
  return { cookie: realCookie(), blobs, ...extra };
}

/** An object-heavy session of about `bytes` bytes of JSON: many small cart items. */
export function objectHeavySession(bytes: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const items = Math.ceil(bytes / 75);
  const cart = Array.from({ length: items }, (_, i) => ({ sku: `SKU-${i}`, qty: (i % 5) + 1, price: i * 1.25, title: `Item ${i}` }));
  return { cookie: realCookie(), cart, ...extra };
}

/** The JSON round trip a stored session must equal. */
export function jsonRoundTrip<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

// ---- stores ----

/**
 * A store over `servers` with a unique prefix (unless `options.prefix` is given), closed after the
 * test. Waits until every member is usable: on a loaded 2-core machine, 5 s for the handshake can
 * be short, so this allows 20 s. `writeQuorum` defaults to 'all' here, so that a write has reached
 * every member when it resolves and the tests can look at each member's bytes right after it.
 */
/** A store whose `{ module }` serializer misbehaves on request (fixtures/pool-hostile-module.ts),
 * every encode in the pool, one thread, and the smallest pool time limit (1 s: commandTimeout 200). */
export function openHostileStore(t: ExecutionContext, servers: readonly RedisServer[], options: Partial<ExpredisOptions> = {}): Promise<RedisStore> {
  return openCodecStore(t, servers, { serializer: moduleSerializer('pool-hostile-module'), offload: 'always', commandTimeout: 200, workers: { maxThreads: 1 }, ...options });
}

export function openCodecStore(t: ExecutionContext, servers: readonly RedisServer[], options: Partial<ExpredisOptions> = {}): Promise<RedisStore> {
  return openStore(t, servers, { commandTimeout: 5000, writeQuorum: 'all', ...options }, { waitFor: 'all', timeoutMs: 20_000 });
}
