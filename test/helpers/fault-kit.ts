// Shared pieces of the fault tests: servers a test owns (for tests that kill or stop them), a
// recorder of unhandled rejections, store calls timed through their callback, member health from
// stats(), and the sockets this process still holds to a port (from /proc, Linux only).
import type { ExecutionContext } from 'ava';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ExpredisOptions, RedisStore } from '../../src/index.js';
import { startServers, type RedisServer } from './redis-server.js';
import { eventually, openStore } from './store.js';

/** `n` servers only this test uses, closed after it. */
export async function ownServers(t: ExecutionContext, n: number, extraArgs: string[] = []): Promise<RedisServer[]> {
  const servers = await startServers(n, extraArgs);
  t.teardown(async () => {
    for (const s of servers) s.resume(); // a stopped server must not outlive the test
    await Promise.all(servers.map(s => s.close()));
  });
  return servers;
}

/** Every unhandled rejection this process sees from now on. */
export function recordUnhandledRejections(): unknown[] {
  const seen: unknown[] = [];
  process.on('unhandledRejection', reason => seen.push(reason));
  return seen;
}

export interface TimedCall<T> {
  readonly op: string;
  /** ms from the call to the first callback call (Infinity when never called). */
  readonly ms: number;
  /** Callback calls so far (live: keeps counting after the promise resolved). */
  readonly calls: number;
  readonly error: Error | null | undefined;
  readonly value: T | undefined;
  /** The callback was called in the same tick as the method (it must never be). */
  readonly synchronous: boolean;
}

/**
 * Calls `invoke(callback)` and resolves after the first callback call plus `graceMs` (so a second
 * call would be seen), or after `boundMs` + `graceMs` when the callback never comes. `calls`
 * keeps counting afterwards, for checks after a hung member resumes.
 */
export function timedCall<T>(op: string, invoke: (callback: (error: Error | null, value?: T) => void) => void, boundMs: number, graceMs = 150): Promise<TimedCall<T>> {
  return new Promise(resolve => {
    const started = performance.now();
    const record = { op, ms: Infinity, calls: 0, error: undefined as Error | null | undefined, value: undefined as T | undefined, synchronous: false };
    let returned = false;
    let first = true;
    const finish = () => resolve(record);
    const never = setTimeout(finish, boundMs + graceMs);
    invoke((error, value) => {
      record.calls++;
      if (!returned) record.synchronous = true;
      if (!first) return;
      first = false;
      Object.assign(record, { ms: performance.now() - started, error, value });
      clearTimeout(never);
      setTimeout(finish, graceMs);
    });
    returned = true;
  });
}

export function memberStats(store: RedisStore, index: number) {
  const member = store.stats().members[index];
  if (!member) throw new Error(`no member ${index}`);
  return member;
}

/** Resolves when member `index` is (or is not) usable per stats(). */
export function waitHealthy(store: RedisStore, index: number, healthy = true, timeoutMs = 5000): Promise<void> {
  return eventually(() => memberStats(store, index).healthy === healthy, timeoutMs, `member ${index} healthy=${healthy}`);
}

/** Resolves when every member is usable (ready() only waits for writeQuorum of them). */
export function waitAllHealthy(store: RedisStore, timeoutMs = 5000): Promise<void> {
  return eventually(() => store.stats().members.every(m => m.healthy), timeoutMs, 'every member healthy');
}

/**
 * The member most likely to win first-answer reads, per stats(): the lowest p50 latency (ties go
 * to the earlier member, whose command is written first).
 */
export function likelyReadWinner(store: RedisStore): number {
  const members = store.stats().members;
  let best = 0;
  for (let i = 1; i < members.length; i++) if (members[i]!.latencyMs.p50 < members[best]!.latencyMs.p50) best = i;
  return best;
}

/** A stored value that is an expredis tombstone (envelope magic, format 0). */
export function isTombstone(value: Buffer | null): boolean {
  return value !== null && value.length >= 16 && value[0] === 0x00 && value[1] === 0xe5 && value[2] === 0x52 && value[3] === 0x44 && value[5] === 0;
}

/** TCP sockets of this process connected to 127.0.0.1:`port` (any state but LISTEN), from /proc. */
export function socketsToPort(port: number): number {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const remote = cols[2]!;
      const state = cols[3]!;
      const remotePort = parseInt(remote.split(':')[1] ?? '', 16);
      if (remotePort === port && state !== '0A') inodes.add(cols[9]!);
    }
  }
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const link = readlinkSync(`/proc/self/fd/${fd}`);
      const match = /^socket:\[(\d+)\]$/.exec(link);
      if (match && inodes.has(match[1]!)) count++;
    } catch {
      // the fd closed while we looked
    }
  }
  return count;
}

/** Counts of process.getActiveResourcesInfo() by type. */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

export { sleep } from './store.js';

/** The Promise a store method returns when called without a callback (its overloads say `void`). */
export function promised<T = void>(value: Promise<T> | void): Promise<T> {
  return value as Promise<T>;
}

/** openStore, then waits until every member is usable, so that seeded sessions reach them all. */
export async function openFaultStore(t: ExecutionContext, servers: readonly RedisServer[], options: Partial<ExpredisOptions> = {}): Promise<RedisStore> {
  const store = await openStore(t, servers, options);
  await waitAllHealthy(store);
  return store;
}

/**
 * The longest event-loop stall since the last reset(). A timer-driven bound cannot be kept more
 * precisely than the loop lets timers fire: on a shared, overloaded machine the tests add this
 * measured stall to their bounds (and log it), so that they measure the store, not the machine.
 */
export class LoopLag {
  readonly #histogram = monitorEventLoopDelay({ resolution: 10 });

  constructor() {
    this.#histogram.enable();
  }

  reset(): void {
    this.#histogram.reset();
  }

  /** ms of the longest stall seen since reset() (0 when none was sampled). */
  get maxMs(): number {
    const max = this.#histogram.max;
    return Number.isFinite(max) ? Math.max(0, max / 1e6 - 10) : 0;
  }
}
