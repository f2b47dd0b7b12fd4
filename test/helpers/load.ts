// A bounded load generator over HTTP for fault tests: N virtual users, each with its own cookie
// (a `Browser`), requests issued open-loop at a target rate (a user with a request in flight is
// skipped, as a real browser tab would wait), every request recorded with its status, latency
// and whether it did what the user expected. It stops by itself after `durationMs` and waits for
// the requests still in flight, each bounded by `timeoutMs`.
import { Browser } from './app.js';

export interface VirtualUser {
  readonly name: string;
  readonly browser: Browser;
  busy: boolean;
}

export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export interface RequestRecord {
  readonly user: VirtualUser;
  readonly path: string;
  /** ms since the load started (performance.now() based) when the request was sent / answered. */
  readonly start: number;
  readonly end: number;
  /** Absolute performance.now() of the answer, to compare with fault instants. */
  readonly endAt: number;
  readonly latency: number;
  /** 0 when the request itself failed (network error or timeout). */
  readonly status: number;
  readonly body: Record<string, unknown> | undefined;
  readonly ok: boolean;
  readonly error?: string;
}

export interface LoadOptions {
  readonly users: readonly VirtualUser[];
  /** Requests per second across all users. */
  readonly rate: number;
  readonly durationMs: number;
  /** The path a user requests; `/whoami` by default. */
  readonly path?: (user: VirtualUser, i: number) => string;
  /** Whether a reply is what the user expected; by default a 200 that still knows the user. */
  readonly check?: (user: VirtualUser, reply: Reply) => boolean;
  /** Bound on one request (ms); a request past it is recorded as failed. @default 5000 */
  readonly timeoutMs?: number;
  /** Stop early (checked every tick). */
  readonly signal?: AbortSignal;
}

export interface LoadResult {
  readonly records: RequestRecord[];
  readonly failures: RequestRecord[];
  /** Ticks where every user was busy, so a request could not be issued. */
  readonly skipped: number;
  readonly durationMs: number;
  readonly summary: LatencySummary;
}

export interface LatencySummary {
  readonly count: number;
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** `count` users named `<prefix><i>`, each with an empty cookie jar. */
export function makeUsers(url: string, count: number, prefix = 'user'): VirtualUser[] {
  return Array.from({ length: count }, (_, i) => userFor(url, `${prefix}${i}`));
}

/** One GET with the user's cookie, bounded by `timeoutMs`; keeps the cookie as a browser would. */
export function request(user: VirtualUser, path: string, timeoutMs = 5000): Promise<Reply> {
  return user.browser.get(path, timeoutMs);
}

/** A virtual user on `url`. */
export function userFor(url: string, name: string): VirtualUser {
  return { name, browser: new Browser(url), busy: false };
}

/** Logs every user in (`/login?user=<name>`), `concurrency` at a time; throws if one fails. */
export async function loginAll(users: readonly VirtualUser[], concurrency = 10, path = (u: VirtualUser) => `/login?user=${u.name}`): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < users.length) {
        const user = users[next++]!;
        const reply = await request(user, path(user));
        if (reply.status !== 200 || !user.browser.sid) throw new Error(`login of ${user.name} failed: ${reply.status} ${JSON.stringify(reply.body)}`);
      }
    }),
  );
}

export const defaultCheck = (user: VirtualUser, reply: Reply): boolean => reply.status === 200 && reply.body.user === user.name;

/** Runs the load; never throws (every failure is recorded). */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { users, rate, durationMs } = options;
  const path = options.path ?? (() => '/whoami');
  const check = options.check ?? defaultCheck;
  const timeoutMs = options.timeoutMs ?? 5000;
  const records: RequestRecord[] = [];
  const inFlight = new Set<Promise<void>>();
  const t0 = performance.now();
  let issued = 0;
  let skipped = 0;
  let cursor = 0;

  const fire = (user: VirtualUser, i: number) => {
    const p = path(user, i);
    const start = performance.now();
    user.busy = true;
    const done = request(user, p, timeoutMs).then(
      reply => {
        const endAt = performance.now();
        records.push({ user, path: p, start: start - t0, end: endAt - t0, endAt, latency: endAt - start, status: reply.status, body: reply.body, ok: check(user, reply) });
      },
      (error: unknown) => {
        const endAt = performance.now();
        records.push({ user, path: p, start: start - t0, end: endAt - t0, endAt, latency: endAt - start, status: 0, body: undefined, ok: false, error: String(error) });
      },
    ).finally(() => {
      user.busy = false;
      inFlight.delete(done);
    });
    inFlight.add(done);
  };

  const pickIdle = (): VirtualUser | undefined => {
    for (let k = 0; k < users.length; k++) {
      const user = users[(cursor + k) % users.length]!;
      if (!user.busy) {
        cursor = (cursor + k + 1) % users.length;
        return user;
      }
    }
    return undefined;
  };

  await new Promise<void>(resolve => {
    const tick = () => {
      const elapsed = performance.now() - t0;
      if (elapsed >= durationMs || options.signal?.aborted) {
        resolve();
        return;
      }
      const due = Math.floor((elapsed / 1000) * rate);
      while (issued < due) {
        const user = pickIdle();
        issued++;
        if (user) fire(user, issued);
        else skipped++;
      }
      setTimeout(tick, 5);
    };
    tick();
  });
  await Promise.all([...inFlight]);
  const elapsed = performance.now() - t0;
  records.sort((a, b) => a.start - b.start);
  // The rate is the offered load: requests sent over the phase, not counting the drain at the end.
  return { records, failures: records.filter(r => !r.ok), skipped, durationMs: elapsed, summary: summarize(records, durationMs) };
}

export function summarize(records: readonly RequestRecord[], durationMs?: number): LatencySummary {
  const latencies = records.map(r => r.latency);
  const span = durationMs ?? (records.length ? Math.max(...records.map(r => r.end)) - Math.min(...records.map(r => r.start)) : 0);
  return {
    count: records.length,
    rate: span > 0 ? Math.round((records.length / span) * 1000 * 10) / 10 : 0,
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies.length ? Math.max(...latencies) : 0),
  };
}

/** Nearest-rank percentile (0 for no values). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** A short description of failures for assertion messages. */
export function describeFailures(failures: readonly RequestRecord[], limit = 5): string {
  return failures
    .slice(0, limit)
    .map(f => `${f.user.name} ${f.path} → ${f.status || f.error} ${JSON.stringify(f.body)} after ${Math.round(f.latency)} ms at +${Math.round(f.start)} ms`)
    .join('; ');
}
