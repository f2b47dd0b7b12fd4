// RedisStore: the express-session Store API over N members. Thin: each method turns its
// arguments into a key, hands the session to the codec and the bytes to the members, and settles
// the caller's callback or Promise.
import session from 'express-session';
import type { SessionData } from 'express-session';
import { settle, type Callback } from './callback.js';
import { kindOf } from './describe.js';
import { Codec, type CodecStats, type SessionObject } from './codec/codec.js';
import { SizeMemo } from './codec/size-memo.js';
import { StoreClosedError, asError, type DecodeError, type SessionTooLargeError } from './errors.js';
import { InFlight } from './in-flight.js';
import type { RedisClientType } from 'redis';
import { HedgeClock, HedgePlan } from './members/hedge.js';
import { MemberSet } from './members/member-set.js';
import { ClearFence } from './members/repair.js';
import type { MemberStats } from './members/member.js';
import { normalizeOptions, type ExpredisOptions, type Options, type Serializer, type TtlFunction } from './options.js';
import { CodecPool, type PoolStats } from './pool.js';
import { readSession, type ReadContext } from './read.js';
import { RecentWrites } from './recent-writes.js';
import { allSessions, clearSessions, sessionCount, sessionIds, type ScanContext } from './scan.js';
import { WriteOrder } from './write-order.js';
import { destroySession, setSession, touchSession, type WriteContext } from './writes.js';

/** What `store.stats()` returns. */
export interface StoreStats {
  /** One entry per member, in `clients` order. */
  members: MemberStats[];
  /** The worker pool. */
  pool: PoolStats;
  /** Where encoding and decoding ran, and what failed. */
  codec: CodecStats;
  /** Reads decided from fewer answers than readQuorum (availability first), and hedged reads that
   * asked the rest of the members (the first missed, failed or was slower than its hedge delay). */
  reads: { belowQuorum: number; hedged: number };
}

export type StoredSession = SessionData & Record<string, unknown>;

interface Internals extends WriteContext, ScanContext, ReadContext {
  readonly raw: ExpredisOptions;
  readonly memberSet: MemberSet;
  readonly pool: CodecPool;
  belowQuorumReads: number;
  hedgedReads: number;
  closed: boolean;
  closing: Promise<void> | undefined;
}

// State lives beside the instance rather than in #private fields, so that `expredis(session)`
// can lend these methods to a class extending another copy of express-session's Store.
const internals = new WeakMap<object, Internals>();

function state(store: object): Internals {
  const s = internals.get(store);
  if (!s) throw new TypeError('not an expredis store');
  return s;
}

/**
 * An express-session store over several independent Redis deployments ("members").
 *
 * Events: `error` (an Error with `.client`, the member's node-redis client: a member's connection
 * or command failed, or a stored value could not be read; emitted only while someone listens),
 * `connect` and `ready` (the client: a member became usable), `disconnect` (the last usable
 * member was lost: express-session bypasses the store until the next `connect`).
 */
export class RedisStore extends session.Store {
  constructor(options: ExpredisOptions) {
    super();
    initialize(this, options);
  }

  /** The members' node-redis clients, in `clients` order. For a `{ cluster }` or `{ sentinel }`
   * entry it is that member's cluster or Sentinel client (typed here as a client; see
   * `MemberClient`): its command methods work, `sendCommand` takes that client's arguments. */
  get clients(): RedisClientType[] {
    return state(this).memberSet.members.map(m => m.client as RedisClientType);
  }

  /** Prepended to every session id to make its key. */
  get prefix(): string {
    return state(this).options.prefix;
  }

  /** As given; `'json'` by default. */
  get serializer(): Serializer {
    return state(this).raw.serializer ?? 'json';
  }

  /** As given; undefined when unset (the cookie decides). */
  get ttl(): false | number | TtlFunction | undefined {
    return state(this).raw.ttl;
  }

  /** COUNT for each SCAN of `length`, `ids`, `all` and `clear` (as connect-redis exposes it). */
  get scanCount(): number {
    return state(this).options.scanCount;
  }

  /** Whether `touch` does nothing (as connect-redis exposes it). */
  get disableTouch(): boolean {
    return state(this).options.disableTouch;
  }

  /**
   * The session, or `null`: sent to every member at once (`reads: 'hedged'`: to the fastest
   * first, the others on a miss, a failure or after the hedge delay); with `readQuorum` 1 the first valid
   * answer wins (a miss, a tombstone or an unreadable value counts as absent), above 1 the newest
   * of that many answers. Members that lack it are repaired after the reply. Fails with
   * `NoMemberError` only when no member answered; a `sid` that is not a non-empty string is a
   * `TypeError`.
   */
  override get(sid: string): Promise<StoredSession | null>;
  override get(sid: string, callback: Callback<StoredSession | null>): void;
  override get(sid: string, callback?: Callback<StoredSession | null>): Promise<StoredSession | null> | void;
  override get(sid: string, callback?: Callback<StoredSession | null>): Promise<StoredSession | null> | void {
    return run(this, 'get', callback, async s => {
      checkSid('get', sid);
      const result = await readSession(s, s.options.prefix + sid, s.sizes.get(sid));
      if (result.size !== undefined) s.sizes.set(sid, result.size);
      return result.session as StoredSession | null;
    });
  }

  /**
   * Writes the session to every member; succeeds once `writeQuorum` acknowledged, else fails with
   * `QuorumError`. The TTL follows `ttl` or the cookie; a TTL of 0 or less destroys instead. A
   * session larger than `maxSize` fails with `SessionTooLargeError`; a bad `sid` or a session
   * that is not an object is a `TypeError`. In each case nothing is written.
   */
  override set(sid: string, session: session.SessionData): Promise<void>;
  override set(sid: string, session: session.SessionData, callback: Callback<void>): void;
  override set(sid: string, session: session.SessionData, callback?: Callback<void>): Promise<void> | void;
  override set(sid: string, session: session.SessionData, callback?: Callback<void>): Promise<void> | void {
    return run(this, 'set', callback, s => setSession(s, checkSid('set', sid), checkSession('set', session)));
  }

  /**
   * Refreshes the session's TTL on every member (a member without the key still acknowledges, and
   * with `readRepair` gets the session written). Does nothing with `disableTouch` or `ttl: false`.
   */
  override touch(sid: string, session: session.SessionData): Promise<void>;
  override touch(sid: string, session: session.SessionData, callback: Callback<void>): void;
  override touch(sid: string, session: session.SessionData, callback?: Callback<void>): Promise<void> | void;
  override touch(sid: string, session: session.SessionData, callback?: Callback<void>): Promise<void> | void {
    return run(this, 'touch', callback, s => touchSession(s, checkSid('touch', sid), checkSession('touch', session)));
  }

  /**
   * Logs the session out: every member gets a tombstone that lives as long as the session had
   * left (one day when unknown), so repair can never bring it back. Settles by `writeQuorum`.
   */
  override destroy(sid: string): Promise<void>;
  override destroy(sid: string, callback: Callback<void>): void;
  override destroy(sid: string, callback?: Callback<void>): Promise<void> | void;
  override destroy(sid: string, callback?: Callback<void>): Promise<void> | void {
    return run(this, 'destroy', callback, s => destroySession(s, checkSid('destroy', sid)));
  }

  /** The number of sessions under `prefix` over the union of the members that answer (tombstones
   * are not sessions). Fails with `NoMemberError` only when no member answers. */
  override length(): Promise<number>;
  override length(callback: Callback<number>): void;
  override length(callback?: Callback<number>): Promise<number> | void;
  override length(callback?: Callback<number>): Promise<number> | void {
    return run(this, 'length', callback, s => sessionCount(s));
  }

  /** The ids of every session under `prefix`, over the union of the members that answer. */
  ids(): Promise<string[]>;
  ids(callback: Callback<string[]>): void;
  ids(callback?: Callback<string[]>): Promise<string[]> | void;
  ids(callback?: Callback<string[]>): Promise<string[]> | void {
    return run(this, 'ids', callback, s => sessionIds(s));
  }

  /** Every session under `prefix` with its `id`, the newest copy of each, over the union of the
   * members that answer. */
  override all(): Promise<(StoredSession & { id: string })[]>;
  override all(callback: Callback<(StoredSession & { id: string })[]>): void;
  override all(callback?: Callback<(StoredSession & { id: string })[]>): Promise<(StoredSession & { id: string })[]> | void;
  override all(callback?: Callback<(StoredSession & { id: string })[]>): Promise<(StoredSession & { id: string })[]> | void {
    return run(this, 'all', callback, s => allSessions(s) as Promise<(StoredSession & { id: string })[]>);
  }

  /** Deletes every key under `prefix` (and nothing else) on every member, page by page; settles by
   * `writeQuorum`. No session that existed when it was called survives it, whatever reads ran
   * meanwhile. */
  override clear(): Promise<void>;
  override clear(callback: Callback<void>): void;
  override clear(callback?: Callback<void>): Promise<void> | void;
  override clear(callback?: Callback<void>): Promise<void> | void {
    return run(this, 'clear', callback, s => clearSessions(s));
  }

  /** Resolves once `writeQuorum` members are usable; rejects with NoMemberError after `timeout` ms (10 s). */
  ready(options?: { timeout?: number }): Promise<void>;
  ready(options: { timeout?: number } | undefined, callback: Callback<void>): void;
  ready(callback: Callback<void>): void;
  ready(options?: { timeout?: number } | Callback<void>, callback?: Callback<void>): Promise<void> | void;
  ready(options?: { timeout?: number } | Callback<void>, callback?: Callback<void>): Promise<void> | void {
    if (typeof options === 'function') return this.ready(undefined, options);
    const timeout = options?.timeout ?? 10_000;
    return run(this, 'ready', callback, s => s.memberSet.whenUsable(s.options.writeQuorum, timeout));
  }

  /**
   * Waits for operations in flight (at most `commandTimeout`), closes the connections the store
   * owns and ends the pool. Later operations fail with StoreClosedError.
   */
  close(): Promise<void>;
  close(callback: Callback<void>): void;
  close(callback?: Callback<void>): Promise<void> | void;
  close(callback?: Callback<void>): Promise<void> | void {
    const s = state(this);
    s.closing ??= (async () => {
      s.closed = true;
      await s.inFlight.drain(s.options.commandTimeout);
      // Codec work still pending fails with StoreClosedError before the connections go, so that
      // none of it finishes into a closing member.
      await s.pool.close();
      s.hedging?.clock.close();
      await s.memberSet.close();
    })();
    return settle(s.closing, callback);
  }

  /** Counters and health per member (`label`, `ready`, `healthy`, `operations`, `failures`,
   * `timeouts`, `repairs`, `latencyMs`), the pool's threads and tasks, the codec's work and
   * failures, and reads decided below `readQuorum`. */
  stats(): StoreStats {
    const s = state(this);
    return {
      members: s.memberSet.stats(),
      pool: s.pool.stats(),
      codec: { ...s.codec.stats },
      reads: { belowQuorum: s.belowQuorumReads, hedged: s.hedgedReads },
    };
  }
}

export function initialize(store: session.Store, raw: ExpredisOptions): void {
  const options: Options = normalizeOptions(raw);
  const emitError = (error: Error) => {
    if (store.listenerCount('error') > 0) store.emit('error', error);
  };
  const memberSet = new MemberSet(options, {
    emitEvent: (event, client) => store.emit(event, client),
    emitDisconnect: () => store.emit('disconnect'),
    emitError,
  });
  const pool = new CodecPool(options.workers, emitError, options);
  const inFlight = new InFlight();
  const s: Internals = {
    raw,
    options,
    memberSet,
    members: memberSet.members,
    codec: new Codec(options, pool),
    pool,
    order: new WriteOrder(),
    sizes: new SizeMemo(),
    recent: new RecentWrites(options.touchAfter),
    inFlight,
    readQuorum: options.readQuorum,
    readRepair: options.readRepair,
    belowQuorumReads: 0,
    hedgedReads: 0,
    closed: false,
    closing: undefined,
    fence: new ClearFence(),
    decodeFailed: (error: DecodeError) => emitError(error),
    storedTooLarge: (error: SessionTooLargeError) => emitError(error),
    countBelowQuorum: () => void s.belowQuorumReads++,
    countHedge: () => void s.hedgedReads++,
    hedging:
      options.reads === 'hedged' && options.readQuorum < memberSet.members.length
        ? { plan: new HedgePlan(memberSet.members, options.readQuorum, options.commandTimeout), clock: new HedgeClock() }
        : undefined,
  };
  internals.set(store, s);
  memberSet.start();
}

/** One public operation: refused after close(), tracked while in flight, settled once. */
function run<T>(store: object, name: string, callback: Callback<T> | undefined, operation: (s: Internals) => Promise<T>): Promise<T> | undefined {
  const s = state(store);
  let promise: Promise<T>;
  if (s.closed) {
    promise = Promise.reject(new StoreClosedError(name));
  } else {
    try {
      promise = s.inFlight.track(operation(s));
    } catch (error) {
      promise = Promise.reject(asError(error));
    }
  }
  return settle(promise, callback);
}

/** A session id must be a non-empty string: anything else would be coerced into some other key. */
function checkSid(operation: string, sid: unknown): string {
  if (typeof sid !== 'string' || sid.length === 0) {
    throw new TypeError(`${operation}(sid): sid must be a non-empty string, got ${kindOf(sid)}`);
  }
  return sid;
}

/** A session is an object of named fields (express-session's Session, or a plain object): a
 * string, number, array, Date or Map would be stored as something no read turns back into one. */
function checkSession(operation: string, session: unknown): SessionObject {
  if (session === null || typeof session !== 'object' || Array.isArray(session) || Object.prototype.toString.call(session) !== '[object Object]') {
    throw new TypeError(`${operation}(sid, session): session must be an object, got ${kindOf(session)}; nothing was written`);
  }
  return session as SessionObject;
}


export type { SessionObject };
