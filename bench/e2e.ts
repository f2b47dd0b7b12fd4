// End to end: Express + express-session apps (bench/e2e-app.ts), each in its own child process,
// with expredis on two members or connect-redis on one, driven by autocannon from this process.
// N users log in first; every request carries one of their cookies (round robin). On /work each
// request reads the session and modifies it: one get and one set. The hedged + touchAfter apps
// and their connect-redis baselines run /browse instead, read-mostly traffic: one request in
// BROWSE_WRITE_EVERY (10) modifies the session, the others only read it, so express-session
// touches it (connect-redis: one EXPIRE; expredis with touchAfter: nothing within the interval).
// Reported per app (median of runs; the apps are interleaved run by run): requests/s, latency
// p50/p99 (autocannon), event-loop delay p99 and main-thread busy ms per request (measured
// inside the app process), app CPU ms per request.
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import type { AppConfig, AppMessage } from './e2e-app.js';
import { trackChild } from './lifecycle.js';
import type { RedisTarget } from './redis.js';
import type { E2eApp, E2eCase, E2eResults, E2eRun } from './results.js';
import { median, pairedRatio, percentile, stat } from './stats.js';

export interface E2eOptions {
  targets: readonly RedisTarget[];
  runs: number;
  /** seconds of load per measured run */
  seconds: number;
  /** seconds of load before each measured run */
  warmSeconds: number;
  /** seconds of load of each app once logged in, before the first run */
  firstWarmSeconds: number;
  connections: number;
  users: number;
  runId: string;
  log: (line: string) => void;
}

/** /browse modifies the session on one request in this many (10%: read-mostly traffic). */
export const BROWSE_WRITE_EVERY = 10;

interface AppSpec {
  id: string;
  label: string;
  store: 'expredis' | 'connect-redis';
  serializer?: 'json' | 'msgpack';
  /** reads: 'hedged' and touchAfter: 60000 */
  hedged?: boolean;
  shape: 'cart' | 'small';
  /** The route every request of the load takes (default /work). */
  path?: '/work' | '/browse';
}

const APPS: readonly AppSpec[] = [
  { id: 'connect-redis-cart', label: 'connect-redis, cart', store: 'connect-redis', shape: 'cart' },
  { id: 'expredis-cart-msgpack', label: 'expredis msgpack, cart', store: 'expredis', serializer: 'msgpack', shape: 'cart' },
  { id: 'expredis-cart-json', label: 'expredis json, cart', store: 'expredis', serializer: 'json', shape: 'cart' },
  { id: 'connect-redis-small', label: 'connect-redis, small', store: 'connect-redis', shape: 'small' },
  { id: 'expredis-small-default', label: 'expredis default, small', store: 'expredis', shape: 'small' },
  { id: 'connect-redis-cart-browse', label: 'connect-redis, cart, read-mostly', store: 'connect-redis', shape: 'cart', path: '/browse' },
  { id: 'expredis-cart-msgpack-hedged', label: 'expredis msgpack hedged + touchAfter, cart, read-mostly', store: 'expredis', serializer: 'msgpack', hedged: true, shape: 'cart', path: '/browse' },
  { id: 'connect-redis-small-browse', label: 'connect-redis, small, read-mostly', store: 'connect-redis', shape: 'small', path: '/browse' },
  { id: 'expredis-small-hedged', label: 'expredis hedged + touchAfter, small, read-mostly', store: 'expredis', hedged: true, shape: 'small', path: '/browse' },
];

export const E2E_CASES: readonly E2eCase[] = [
  { id: 'cart-msgpack', label: 'cart ~170 KB, expredis msgpack (2 members) vs connect-redis', app: 'expredis-cart-msgpack', baseline: 'connect-redis-cart' },
  { id: 'cart-json', label: 'cart ~170 KB, expredis json (2 members) vs connect-redis', app: 'expredis-cart-json', baseline: 'connect-redis-cart' },
  { id: 'small-default', label: 'small ~1 KB, expredis default (2 members) vs connect-redis', app: 'expredis-small-default', baseline: 'connect-redis-small' },
  {
    id: 'cart-msgpack-hedged',
    label: `cart ~170 KB, read-mostly (1 request in ${BROWSE_WRITE_EVERY} writes), expredis msgpack, reads 'hedged', touchAfter 60 s (2 members) vs connect-redis`,
    app: 'expredis-cart-msgpack-hedged',
    baseline: 'connect-redis-cart-browse',
  },
  {
    id: 'small-hedged',
    label: `small ~1 KB, read-mostly (1 request in ${BROWSE_WRITE_EVERY} writes), expredis reads 'hedged', touchAfter 60 s (2 members) vs connect-redis`,
    app: 'expredis-small-hedged',
    baseline: 'connect-redis-small-browse',
  },
];

class AppProcess {
  readonly spec: AppSpec;
  readonly child: ChildProcess;
  readonly prefix: string;
  port = 0;
  cookies: string[] = [];
  sessionBytes = 0;
  readonly #waiters: ((m: AppMessage) => void)[] = [];
  readonly #inbox: AppMessage[] = [];

  constructor(spec: AppSpec, targets: readonly RedisTarget[], runId: string) {
    this.spec = spec;
    this.prefix = `bench:${runId}:e2e:${spec.id}:`;
    const config: AppConfig = {
      store: spec.store,
      urls: (spec.store === 'expredis' ? targets.slice(0, 2) : targets.slice(0, 1)).map(t => t.url),
      serializer: spec.serializer,
      ...(spec.hedged ? { hedged: true } : {}),
      shape: spec.shape,
      prefix: this.prefix,
      browseWriteEvery: BROWSE_WRITE_EVERY,
    };
    this.child = fork(fileURLToPath(new URL('./e2e-app.js', import.meta.url)), [JSON.stringify(config)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
    });
    trackChild(this.child);
    this.child.on('message', (m: AppMessage) => {
      const waiter = this.#waiters.shift();
      if (waiter) waiter(m);
      else this.#inbox.push(m);
    });
  }

  next(expected: AppMessage['type'], timeoutMs = 30_000): Promise<AppMessage> {
    const queued = this.#inbox.shift();
    if (queued) {
      return queued.type === expected ? Promise.resolve(queued) : Promise.reject(new Error(`${this.spec.id}: expected '${expected}', got '${queued.type}'`));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.spec.id}: no '${expected}' from the app within ${timeoutMs} ms`)), timeoutMs);
      const onExit = (code: number | null) => reject(new Error(`${this.spec.id}: the app exited (${code}) while the bench waited for '${expected}'`));
      this.child.once('exit', onExit);
      this.#waiters.push(m => {
        clearTimeout(timer);
        this.child.off('exit', onExit);
        if (m.type !== expected) reject(new Error(`${this.spec.id}: expected '${expected}', got '${m.type}'`));
        else resolve(m);
      });
    });
  }

  request(type: 'start' | 'stop' | 'idle' | 'exit'): void {
    this.child.send({ type });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async login(users: number): Promise<void> {
    for (let u = 0; u < users; u++) {
      const response = await fetch(`${this.url}/login?user=${u}`);
      const body = (await response.json()) as { bytes: number };
      const cookie = response.headers.getSetCookie()[0]?.split(';')[0];
      if (response.status !== 200 || !cookie) throw new Error(`${this.spec.id}: login of user ${u} failed (${response.status})`);
      this.cookies.push(cookie);
      this.sessionBytes = body.bytes;
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise(resolve => this.child.once('exit', resolve));
    this.request('exit');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }
}

interface Load {
  result: autocannon.Result;
  /** ms of every 2xx response (autocannon's own histogram keeps whole milliseconds only). */
  latencies: number[];
}

/** store.set calls per request the app's route makes (a few requests of a window are cut off). */
function expectedSets(app: AppProcess): number {
  return app.spec.path === '/browse' ? 1 / BROWSE_WRITE_EVERY : 1;
}

function load(app: AppProcess, seconds: number, connections: number): Promise<Load> {
  let k = 0;
  const cookies = app.cookies;
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: app.url,
        connections,
        duration: seconds,
        // autocannon stops at its first sample tick after `duration` (1 s by default): sample
        // every 250 ms so that a 1.5 s run lasts 1.5 s.
        sampleInt: 250,
        requests: [
          {
            method: 'GET',
            path: app.spec.path ?? '/work',
            setupRequest: request => ({ ...request, headers: { ...request.headers, cookie: cookies[k++ % cookies.length]! } }),
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve({ result, latencies })),
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
}

async function idle(app: AppProcess): Promise<void> {
  app.request('idle');
  await app.next('idle');
}

async function measure(app: AppProcess, options: E2eOptions): Promise<E2eRun> {
  await idle(app);
  app.request('start');
  await app.next('started');
  const { result, latencies } = await load(app, options.seconds, options.connections);
  await idle(app);
  app.request('stop');
  const stats = await app.next('stats');
  if (stats.type !== 'stats') throw new Error('unreachable');
  const requests = Math.max(1, stats.requests);
  return {
    rps: latencies.length / result.duration,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    eldP99: stats.eldP99,
    mainPerReq: stats.activeMs / requests,
    mainCpuPerReq: stats.mainCpuMs === null ? null : stats.mainCpuMs / requests,
    cpuPerReq: stats.cpuMs / requests,
    requests: stats.requests,
    errors: result.errors + stats.errors,
    non2xx: result.non2xx,
    setsPerReq: stats.sets / requests,
    touchesPerReq: stats.touches / requests,
    hitsPerReq: stats.hits / requests,
  };
}

export async function runE2e(options: E2eOptions): Promise<E2eResults> {
  const apps = APPS.map(spec => new AppProcess(spec, options.targets, options.runId));
  try {
    for (const app of apps) {
      const ready = await app.next('ready');
      if (ready.type === 'ready') app.port = ready.port;
    }
    options.log(`  ${apps.length} apps ready`);
    for (const app of apps) await app.login(options.users);
    options.log(`  ${options.users} users logged in on each`);
    const runs = new Map<string, E2eRun[]>(apps.map(a => [a.spec.id, []]));
    for (const app of apps) await load(app, options.firstWarmSeconds, options.connections);
    for (let run = 0; run < options.runs; run++) {
      const k = run % apps.length;
      for (const app of [...apps.slice(k), ...apps.slice(0, k)]) {
        await load(app, options.warmSeconds, options.connections);
        const r = await measure(app, options);
        runs.get(app.spec.id)!.push(r);
        if (r.errors || r.non2xx || r.hitsPerReq < 0.99 || Math.abs(r.setsPerReq - expectedSets(app)) > 0.01) {
          options.log(
            `  WARNING: ${app.spec.id} run ${run + 1}: ${r.errors} errors, ${r.non2xx} non-2xx, ${r.hitsPerReq.toFixed(3)} sessions found and ${r.setsPerReq.toFixed(3)} sets per request (${expectedSets(app).toFixed(2)} expected)`,
          );
        }
      }
      options.log(`  e2e run ${run + 1}/${options.runs}: ` + apps.map(a => `${a.spec.id} ${Math.round(runs.get(a.spec.id)!.at(-1)!.rps)} req/s`).join(', '));
    }
    const results: E2eApp[] = apps.map(app => {
      const r = runs.get(app.spec.id)!;
      return {
        id: app.spec.id,
        label: app.spec.label,
        store: app.spec.store,
        members: app.spec.store === 'expredis' ? 2 : 1,
        serializer: app.spec.serializer ?? (app.spec.store === 'expredis' ? 'default (json)' : 'json'),
        shape: app.spec.shape,
        sessionBytes: app.sessionBytes,
        runs: r,
        rps: stat(r.map(x => x.rps)),
        p50: stat(r.map(x => x.p50)),
        p99: stat(r.map(x => x.p99)),
        eldP99: stat(r.map(x => x.eldP99)),
        mainPerReq: stat(r.map(x => x.mainPerReq)),
        mainCpuPerReq: r.every(x => x.mainCpuPerReq !== null) ? stat(r.map(x => x.mainCpuPerReq!)) : null,
        cpuPerReq: stat(r.map(x => x.cpuPerReq)),
      };
    });
    for (const c of E2E_CASES) {
      const a = results.find(x => x.id === c.app)!;
      const b = results.find(x => x.id === c.baseline)!;
      options.log(
        `  ${c.id}: req/s ${pairedRatio(a.rps, b.rps)!.toFixed(2)}×, main-thread/request ${pairedRatio(a.mainPerReq, b.mainPerReq)!.toFixed(2)}×, p99 ${pairedRatio(a.p99, b.p99)!.toFixed(2)}×; sets/touches per request ${perReq(a)} vs ${perReq(b)}`,
      );
    }
    return { runs: options.runs, seconds: options.seconds, connections: options.connections, users: options.users, apps: results, cases: [...E2E_CASES] };
  } finally {
    await Promise.all(apps.map(a => a.stop().catch(() => undefined)));
    await deleteKeys(options.targets, `bench:${options.runId}:e2e:`);
  }
}

function perReq(app: E2eApp): string {
  const m = (f: (run: E2eRun) => number | undefined) => median(app.runs.map(run => f(run) ?? NaN)).toFixed(2);
  return `${m(run => run.setsPerReq)}/${m(run => run.touchesPerReq)}`;
}

/** Removes every key this run wrote under `prefix` (the servers may not be ours). */
export async function deleteKeys(targets: readonly RedisTarget[], prefix: string): Promise<void> {
  for (const t of targets) {
    const client = createClient({ url: t.url });
    client.on('error', () => undefined);
    try {
      await client.connect();
      for await (const keys of client.scanIterator({ MATCH: prefix.replace(/[*?[\]\\]/g, '\\$&') + '*', COUNT: 500 })) {
        if (keys.length) await client.del(keys);
      }
    } catch {
      // best effort
    } finally {
      if (client.isOpen) client.destroy();
    }
  }
}

