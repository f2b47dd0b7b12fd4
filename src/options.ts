// Validate and normalise the constructor options. Every TypeError the store throws starts here,
// and each names the option and what it accepts.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fail } from './describe.js';
import { memberEntry, type ClientEntry, type MemberEntry } from './members/connect.js';
import { DEFAULT_OFFLOAD_THRESHOLD } from './codec/policy.js';
import { compressionOption, encryptionOption, type CompressionOption, type EncryptionOption } from './codec/seal-options.js';
import type { Compression, Key } from './codec/seal.js';

/** A `{ stringify, parse }` object, run on the main thread; its output is stored as it is. */
export interface SerializerObject {
  stringify(session: unknown): string | Uint8Array;
  parse(text: string): unknown;
}
/** A module file exporting `stringify` and `parse`, loaded inside the worker threads. */
export interface SerializerModule {
  module: string | URL;
}
export type Serializer = 'json' | 'msgpack' | SerializerObject | SerializerModule;
export type Quorum = number | 'majority' | 'all';
export type Offload = 'auto' | 'always' | 'never';
export type Reads = 'all' | 'hedged';
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TtlFunction = (session: any) => number;

export interface WorkerOptions {
  /** Threads kept once the pool has started (it starts at the first offloaded task). @default 1 */
  minThreads?: number;
  /** The most threads the pool runs. @default one less than the cores, at least 1, at most 4 */
  maxThreads?: number;
  /** ms an idle thread above `minThreads` lives. @default 30000 */
  idleTimeout?: number;
}

/** Options of `new RedisStore(options)`. Any other key, or a value of the wrong kind, is a
 * `TypeError` from the constructor naming the option. */
export interface ExpredisOptions {
  /**
   * One entry per independent Redis deployment (a "member"): `{ url }`, a node-redis config
   * (`{ socket, username, password, database, … }`), a legacy `{ port, host, path, password, db,
   * tls }`, a Redis Cluster `{ cluster: { rootNodes, … } }`, a primary behind Sentinel
   * `{ sentinel: { name, sentinelRootNodes, … } }`, or an already-created node-redis client (used
   * as it is and left open by `close()`).
   */
  clients: ClientEntry[];
  /** Prepended as is to every key (`prefix + sid`); never empty. connect-redis uses `'sess:'`. @default 'session' */
  prefix?: string;
  /**
   * The TTL of every write: `false` (keys never expire, `touch` does nothing), integer seconds
   * ≥ 1, or a function of the session returning seconds. Unset: the cookie's `expires`, else its
   * `maxAge`, else one day. A TTL of 0 or less deletes the session instead.
   * @default undefined (the cookie decides)
   */
  ttl?: false | number | TtlFunction;
  /**
   * `'json'` (exactly `JSON.stringify(session)`, connect-redis's format), `'msgpack'` (msgpackr
   * records: smaller, much cheaper to decode), a `{ stringify, parse }` object (run on the main
   * thread, output stored as it is), or `{ module }` (a file exporting both, loaded in the workers).
   * @default 'json'
   */
  serializer?: Serializer;
  /** Where codec work runs: `'auto'` (the pool only where it measured cheaper), `'always'`, or
   * `'never'` (no thread ever starts). @default 'auto' */
  offload?: Offload;
  /** Bytes from which `offload: 'auto'` may use the pool. @default 131072 */
  offloadThreshold?: number;
  /** The lazy piscina pool's size. */
  workers?: WorkerOptions;
  /**
   * Compress payloads of at least `threshold` bytes: `'brotli'`, `'gzip'`, `'deflate'`, `'zstd'`
   * (Node 22.15+/23.8+), or `{ algorithm, level, threshold }`. The envelope records the
   * algorithm, so every configuration reads every algorithm.
   * @default false (a name alone: brotli level 4, gzip/deflate 6, zstd 3; threshold 4096)
   */
  compression?: CompressionOption;
  /**
   * AES-256-GCM at rest: `{ keys: [key, ...] }`, each 32 bytes (a Buffer or base64 text). The
   * first key encrypts, every key decrypts; prefix and session id are bound as additional data.
   * @default false
   */
  encryption?: EncryptionOption;
  /** Members that must acknowledge a write (`set`, `touch`, `destroy`, `clear`): an integer,
   * `'majority'` or `'all'`. @default 1 */
  writeQuorum?: Quorum;
  /** Members whose answers `get` waits for; above 1 the newest value wins. A logout sticks
   * across a member that missed it when `readQuorum + writeQuorum > members`. @default 1 */
  readQuorum?: Quorum;
  /** The longest the store waits for one command on one member, in ms. @default 1000 */
  commandTimeout?: number;
  /** Copy a session onto members that lack it (never over a present key). @default true */
  readRepair?: boolean;
  /** Bytes: a larger encoded session is refused with `SessionTooLargeError`, and a larger stored
   * value is not read. @default 8388608 (8 MiB) */
  maxSize?: number;
  /** COUNT for each SCAN of `length`, `ids`, `all` and `clear`. @default 100 */
  scanCount?: number;
  /** `'all'`: every `get` asks every member. `'hedged'`: the fastest healthy member first (with
   * `readQuorum` above 1, that many), the others only when it misses, fails or is slower than its
   * hedge delay (its recent p95 latency, between 2 ms and `commandTimeout / 2`). @default 'all' */
  reads?: Reads;
  /** ms: `touch` sends nothing when this process wrote or touched the session less than this long
   * ago (TTL accuracy traded for commands, as connect-mongo's option). @default 0 */
  touchAfter?: number;
  /** `touch` does nothing. @default false */
  disableTouch?: boolean;
  /** Idle connections, reconnect attempts and the idle pool do not keep the process alive. @default false */
  unref?: boolean;
}

export type SerializerChoice =
  | { kind: 'json' }
  | { kind: 'msgpack' }
  | { kind: 'object'; serializer: SerializerObject }
  | { kind: 'module'; href: string };

export interface Options {
  readonly members: readonly MemberEntry[];
  readonly prefix: string;
  readonly ttl: false | number | TtlFunction | undefined;
  readonly serializer: SerializerChoice;
  readonly offload: Offload;
  readonly offloadThreshold: number;
  readonly workers: Required<WorkerOptions>;
  readonly compression: Compression | undefined;
  /** The encrypting key first; undefined when encryption is off. */
  readonly keys: readonly Key[] | undefined;
  readonly writeQuorum: number;
  readonly readQuorum: number;
  readonly commandTimeout: number;
  readonly readRepair: boolean;
  readonly maxSize: number;
  readonly scanCount: number;
  readonly reads: Reads;
  readonly touchAfter: number;
  readonly disableTouch: boolean;
  readonly unref: boolean;
}

const KNOWN = new Set([
  'clients', 'prefix', 'ttl', 'serializer', 'offload', 'offloadThreshold', 'workers', 'compression',
  'encryption', 'writeQuorum', 'readQuorum', 'commandTimeout', 'readRepair', 'maxSize', 'scanCount',
  'reads', 'touchAfter', 'disableTouch', 'unref',
]);

export const DEFAULT_MAX_SIZE = 8 * 1024 * 1024;

export function normalizeOptions(raw: unknown): Options {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    fail('options', 'an object with at least `clients`', raw);
  }
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) {
      throw new TypeError(`options.${key} is not an expredis option (known: ${[...KNOWN].join(', ')})`);
    }
  }

  if (!Array.isArray(o.clients) || o.clients.length === 0) {
    fail('options.clients', 'an array with at least one entry (a config object or a node-redis client)', o.clients);
  }
  const members = o.clients.map((entry, index) => memberEntry(entry, `options.clients[${index}]`));

  const prefix = o.prefix ?? 'session';
  // An empty prefix would make clear() empty the whole database, other applications' keys included.
  if (typeof prefix !== 'string' || prefix === '') fail('options.prefix', 'a non-empty string', prefix);

  const ttl = o.ttl;
  if (!(ttl === undefined || ttl === false || typeof ttl === 'function' || (Number.isInteger(ttl) && (ttl as number) >= 1))) {
    fail('options.ttl', 'false, an integer number of seconds ≥ 1, or a function (session) => seconds', ttl);
  }

  const serializer = serializerChoice(o.serializer);

  const offload = o.offload ?? 'auto';
  if (offload !== 'auto' && offload !== 'always' && offload !== 'never') {
    fail('options.offload', "'auto', 'always' or 'never'", offload);
  }
  if (offload === 'always' && serializer.kind === 'object') {
    throw new TypeError(
      "options.offload 'always' cannot be used with a { stringify, parse } serializer object: functions cannot cross " +
        "threads. Use { module: '/path/to/serializer.js' } to run a custom serializer in the workers",
    );
  }

  const offloadThreshold = o.offloadThreshold ?? DEFAULT_OFFLOAD_THRESHOLD;
  if (!Number.isInteger(offloadThreshold) || (offloadThreshold as number) < 0) {
    fail('options.offloadThreshold', 'an integer number of bytes ≥ 0', offloadThreshold);
  }

  const workers = workerOptions(o.workers);

  const compression = compressionOption(o.compression);
  const keys = encryptionOption(o.encryption);

  const writeQuorum = quorum('options.writeQuorum', o.writeQuorum, members.length);
  const readQuorum = quorum('options.readQuorum', o.readQuorum, members.length);

  const commandTimeout = o.commandTimeout ?? 1000;
  if (!Number.isInteger(commandTimeout) || (commandTimeout as number) < 1) {
    fail('options.commandTimeout', 'an integer number of milliseconds ≥ 1', commandTimeout);
  }
  const maxSize = o.maxSize ?? DEFAULT_MAX_SIZE;
  if (!Number.isInteger(maxSize) || (maxSize as number) < 1) fail('options.maxSize', 'an integer number of bytes ≥ 1', maxSize);
  const scanCount = o.scanCount ?? 100;
  if (!Number.isInteger(scanCount) || (scanCount as number) < 1) fail('options.scanCount', 'an integer ≥ 1', scanCount);
  const reads = o.reads ?? 'all';
  if (reads !== 'all' && reads !== 'hedged') fail('options.reads', "'all' or 'hedged'", reads);
  const touchAfter = o.touchAfter ?? 0;
  if (!Number.isInteger(touchAfter) || (touchAfter as number) < 0) fail('options.touchAfter', 'an integer number of milliseconds ≥ 0', touchAfter);

  return Object.freeze({
    members: Object.freeze(members),
    prefix,
    ttl: ttl as Options['ttl'],
    serializer,
    offload,
    offloadThreshold: offloadThreshold as number,
    workers,
    compression,
    keys,
    writeQuorum,
    readQuorum,
    commandTimeout: commandTimeout as number,
    readRepair: bool('options.readRepair', o.readRepair, true),
    maxSize: maxSize as number,
    scanCount: scanCount as number,
    reads,
    touchAfter: touchAfter as number,
    disableTouch: bool('options.disableTouch', o.disableTouch, false),
    unref: bool('options.unref', o.unref, false),
  });
}

function bool(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(name, 'a boolean', value);
  return value;
}

function quorum(name: string, value: unknown, members: number): number {
  if (value === undefined) return 1;
  if (value === 'majority') return Math.floor(members / 2) + 1;
  if (value === 'all') return members;
  if (!Number.isInteger(value) || (value as number) < 1) {
    fail(name, "an integer ≥ 1, 'majority' or 'all'", value);
  }
  if ((value as number) > members) {
    throw new TypeError(`${name} is ${value as number} but only ${members} member(s) are configured in options.clients`);
  }
  return value as number;
}

function serializerChoice(value: unknown): SerializerChoice {
  if (value === undefined || value === 'json') return { kind: 'json' };
  if (value === 'msgpack') return { kind: 'msgpack' };
  const expected = "'json', 'msgpack', an object { stringify, parse }, or { module: path }";
  if (value === null || typeof value !== 'object') fail('options.serializer', expected, value);
  const s = value as Record<string, unknown>;
  if ('module' in s) {
    if (Object.keys(s).length !== 1) {
      throw new TypeError('options.serializer { module } takes no other key: the module itself exports stringify and parse');
    }
    return { kind: 'module', href: moduleHref(s.module) };
  }
  if (typeof s.stringify !== 'function' || typeof s.parse !== 'function') {
    const missing = ['stringify', 'parse'].filter(k => typeof s[k] !== 'function').join(' and ');
    throw new TypeError(`options.serializer must have ${missing} function(s): expected ${expected}`);
  }
  return { kind: 'object', serializer: s as unknown as SerializerObject };
}

function moduleHref(spec: unknown): string {
  let path: string;
  if (spec instanceof URL) {
    if (spec.protocol !== 'file:') fail('options.serializer.module', 'a file path or a file: URL', spec.href);
    path = fileURLToPath(spec);
  } else if (typeof spec === 'string' && spec.length > 0) {
    path = spec.startsWith('file:') ? fileURLToPath(spec) : isAbsolute(spec) ? spec : resolve(process.cwd(), spec);
  } else {
    fail('options.serializer.module', 'a file path or a file: URL', spec);
  }
  if (!existsSync(path)) {
    throw new TypeError(`options.serializer.module names ${path}, which does not exist`);
  }
  return pathToFileURL(path).href;
}

function workerOptions(value: unknown): Required<WorkerOptions> {
  const defaults = { minThreads: 1, maxThreads: defaultMaxThreads(), idleTimeout: 30_000 };
  if (value === undefined) return defaults;
  if (value === null || typeof value !== 'object') fail('options.workers', 'an object { minThreads, maxThreads, idleTimeout }', value);
  const w = value as Record<string, unknown>;
  for (const key of Object.keys(w)) {
    if (!(key in defaults)) throw new TypeError(`options.workers.${key} is not a pool option (known: minThreads, maxThreads, idleTimeout)`);
  }
  const out = { ...defaults };
  for (const key of ['minThreads', 'maxThreads', 'idleTimeout'] as const) {
    const v = w[key];
    if (v === undefined) continue;
    const min = key === 'maxThreads' ? 1 : 0;
    if (!Number.isInteger(v) || (v as number) < min) fail(`options.workers.${key}`, `an integer ≥ ${min}`, v);
    out[key] = v as number;
  }
  if (w.maxThreads === undefined) out.maxThreads = Math.max(out.maxThreads, out.minThreads);
  if (out.minThreads > out.maxThreads) {
    throw new TypeError(`options.workers.minThreads (${out.minThreads}) is larger than options.workers.maxThreads (${out.maxThreads})`);
  }
  return out;
}

function defaultMaxThreads(): number {
  // A small pool: codec work is short and the main thread needs a core of its own.
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}
