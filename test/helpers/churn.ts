// A store-level load loop for fault tests on cluster and Sentinel members: a few workers, each
// with its own session ids, set a session and read it back until told to stop. Every failed call
// and every read that does not return the session just written is recorded.
import type { RedisStore } from '../../src/index.js';
import { sessionWith } from './store.js';

export interface Churn {
  /** Stops the loop; resolves with what it saw once every worker's last call settled. */
  stop(): Promise<ChurnResult>;
  /** Calls so far (sets and gets). */
  readonly calls: number;
}

export interface ChurnResult {
  readonly calls: number;
  readonly failures: string[];
  /** The slowest call, in ms. */
  readonly maxMs: number;
  /** ms from the first failure to the last (0 with none or one). */
  readonly failingMs: number;
}

/** Starts `workers` loops of set-then-get, each over `idsPerWorker` ids of its own. */
export function churn(store: RedisStore, { workers = 6, idsPerWorker = 20, pauseMs = 5 } = {}): Churn {
  let stopped = false;
  let calls = 0;
  let maxMs = 0;
  const failures: string[] = [];
  let firstFailure = 0;
  let lastFailure = 0;
  const failed = (what: string) => {
    lastFailure = performance.now();
    if (failures.length === 0) firstFailure = lastFailure;
    failures.push(what);
  };
  const timed = async <T>(what: string, call: () => Promise<T>): Promise<T | undefined> => {
    const started = performance.now();
    try {
      return await call();
    } catch (error) {
      failed(`${what}: ${(error as Error).name}: ${(error as Error).message}`);
      return undefined;
    } finally {
      calls++;
      maxMs = Math.max(maxMs, performance.now() - started);
    }
  };
  const loops = Array.from({ length: workers }, async (_, w) => {
    for (let n = 0; !stopped; n++) {
      const id = `w${w}-${n % idsPerWorker}`;
      await timed(`set ${id}`, () => store.set(id, sessionWith({ id, n }) as never) as unknown as Promise<void>);
      const session = await timed(`get ${id}`, () => store.get(id) as unknown as Promise<{ id?: string } | null>);
      if (session !== undefined && session?.id !== id) failed(`get ${id}: ${JSON.stringify(session)}`);
      await new Promise(resolve => setTimeout(resolve, pauseMs));
    }
  });
  return {
    get calls() {
      return calls;
    },
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return { calls, failures, maxMs: Math.round(maxMs), failingMs: Math.round(lastFailure - firstFailure) };
    },
  };
}
