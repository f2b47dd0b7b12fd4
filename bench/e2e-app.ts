// The end-to-end bench's app, run as a child process of the bench (autocannon drives it from
// the parent). Express + express-session (resave false, saveUninitialized false) on either
// expredis (two members) or connect-redis (one member). Routes:
//   GET /login?user=N  creates the user's session (a 1000-item cart, or a small login session);
//   GET /work          reads the session and modifies it (one cart line's qty, or a visit
//                      counter), so express-session writes it back: one get + one set per request.
//   GET /browse        a logged-in user browsing: reads the session and modifies it only on one
//                      request in `browseWriteEvery` (the same change as /work); on the others
//                      express-session calls the store's touch instead: one get + one touch.
// Over IPC the parent opens and closes a measurement window; the app reports its own
// main-thread busy time (event-loop utilisation), CPU, event-loop delay p99 (monitorEventLoopDelay)
// and how many requests found their session and wrote it.
import express from 'express';
import session from 'express-session';
import { RedisStore as ConnectRedisStore } from 'connect-redis';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createClient } from 'redis';
import { RedisStore } from '../src/index.js';
import { cartData, smallData } from './sessions.js';
import { mainThreadCpuMs } from './stats.js';

export interface AppConfig {
  store: 'expredis' | 'connect-redis';
  urls: string[];
  /** expredis only; undefined = the store's default. */
  serializer?: 'json' | 'msgpack';
  /** expredis only: reads: 'hedged' with touchAfter 60000. */
  hedged?: boolean;
  shape: 'cart' | 'small';
  prefix: string;
  /** /browse modifies the session on one request in this many. */
  browseWriteEvery: number;
}

export type AppMessage =
  | { type: 'ready'; port: number }
  | { type: 'started' }
  | { type: 'idle' }
  | {
      type: 'stats';
      requests: number;
      activeMs: number;
      /** main-thread CPU ms (Linux schedstat), null elsewhere */
      mainCpuMs: number | null;
      cpuMs: number;
      eldP99: number;
      sets: number;
      touches: number;
      hits: number;
      errors: number;
    };

export const ELD_RESOLUTION_MS = 5;


type Data = Record<string, unknown> & { user?: string; visits?: number; cart?: { items: { qty: number }[] } };

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]!) as AppConfig;
  let store: session.Store;
  let close: () => Promise<void>;
  if (config.store === 'connect-redis') {
    const client = createClient({ url: config.urls[0]! });
    client.on('error', (error: Error) => process.stderr.write(`app: redis error ${error.message}\n`));
    await client.connect();
    store = new ConnectRedisStore({ client, prefix: config.prefix });
    close = async () => void (await client.close());
  } else {
    const s = new RedisStore({
      clients: config.urls.map(url => ({ url })),
      prefix: config.prefix,
      ...(config.serializer ? { serializer: config.serializer } : {}),
      ...(config.hedged ? { reads: 'hedged' as const, touchAfter: 60_000 } : {}),
    });
    s.on('error', (error: Error) => process.stderr.write(`app: store error ${error.name}: ${error.message}\n`));
    await s.ready({ timeout: 10_000 });
    store = s;
    close = () => s.close() as Promise<void>;
  }

  // Counters for the measurement window, and what is still in flight (requests and store
  // calls), so that a window starts and ends with the app idle and owns all of its requests' work.
  let sets = 0;
  let touches = 0;
  let requests = 0;
  let hits = 0;
  let errors = 0;
  let inflight = 0;
  const originalSet = store.set.bind(store);
  store.set = (sid: string, sess: session.SessionData, callback?: (error?: unknown) => void) => {
    sets++;
    inflight++;
    return originalSet(sid, sess, (error?: unknown) => {
      inflight--;
      callback?.(error);
    });
  };
  const originalTouch = store.touch?.bind(store);
  if (originalTouch) {
    store.touch = (sid: string, sess: session.SessionData, callback?: (error?: unknown) => void) => {
      touches++;
      inflight++;
      return originalTouch(sid, sess, (error?: unknown) => {
        inflight--;
        callback?.(error);
      });
    };
  }
  const originalGet = store.get.bind(store);
  store.get = (sid: string, callback: (error: unknown, session?: session.SessionData | null) => void) => {
    inflight++;
    return originalGet(sid, (error: unknown, sess?: session.SessionData | null) => {
      inflight--;
      callback(error, sess);
    });
  };

  const app = express();
  // First, so that a request whose client went away while the session loaded is still counted out.
  app.use((_req, res, next) => {
    requests++;
    inflight++;
    res.once('close', () => void inflight--);
    next();
  });
  app.use(
    session({
      name: 'sid',
      secret: 'expredis-bench',
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: 86_400_000 },
      store,
    }),
  );
  let n = 0;
  let browsed = 0;
  /** The session of a logged-in user, or undefined after a 401. */
  const loggedIn = (req: express.Request, res: express.Response): Data | undefined => {
    const data = req.session as unknown as Data;
    if (data.user) return data;
    res.status(401).json({ error: 'no session' });
    return undefined;
  };
  const modify = (data: Data) => {
    n++;
    if (data.cart) {
      const item = data.cart.items[n % data.cart.items.length]!;
      item.qty = (item.qty % 9) + 1;
    } else {
      data.visits = (data.visits ?? 0) + 1;
    }
  };
  app.get('/login', (req, res) => {
    const id = Number(req.query.user ?? 0);
    const data = req.session as unknown as Data;
    Object.assign(data, config.shape === 'cart' ? cartData(id) : smallData(id));
    data.user = `u-${id}`;
    res.json({ bytes: Buffer.byteLength(JSON.stringify(req.session)) });
  });
  app.get('/work', (req, res) => {
    const data = loggedIn(req, res);
    if (!data) return;
    hits++;
    modify(data);
    res.json({ ok: true, user: data.user });
  });
  app.get('/browse', (req, res) => {
    const data = loggedIn(req, res);
    if (!data) return;
    hits++;
    if (++browsed % config.browseWriteEvery === 0) modify(data);
    res.json({ ok: true, user: data.user, items: data.cart?.items.length ?? 0 });
  });
  app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    errors++;
    res.status(500).json({ error: error.name, message: error.message });
  });

  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>(resolve => server.once('listening', () => resolve()));
  const send = (message: AppMessage) => process.send!(message);

  const histogram = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  let elu0 = performance.eventLoopUtilization();
  let cpu0 = process.cpuUsage();
  let thread0 = mainThreadCpuMs();
  process.on('message', (message: { type: string }) => {
    if (message.type === 'start') {
      sets = touches = requests = hits = errors = 0;
      histogram.reset();
      histogram.enable();
      elu0 = performance.eventLoopUtilization();
      cpu0 = process.cpuUsage();
      thread0 = mainThreadCpuMs();
      send({ type: 'started' });
    } else if (message.type === 'stop') {
      const elu = performance.eventLoopUtilization(elu0);
      const cpu = process.cpuUsage(cpu0);
      const thread1 = mainThreadCpuMs();
      histogram.disable();
      send({
        type: 'stats',
        requests,
        activeMs: elu.active,
        mainCpuMs: thread0 === undefined || thread1 === undefined ? null : thread1 - thread0,
        cpuMs: (cpu.user + cpu.system) / 1000,
        eldP99: Math.max(0, histogram.percentile(99) / 1e6 - ELD_RESOLUTION_MS),
        sets,
        touches,
        hits,
        errors,
      });
    } else if (message.type === 'idle') {
      const poll = () => (inflight === 0 ? send({ type: 'idle' }) : setTimeout(poll, 5));
      poll();
    } else if (message.type === 'exit') {
      server.closeAllConnections();
      server.close();
      void close().finally(() => process.exit(0));
    }
  });
  // The bench went away (even by SIGKILL): do not outlive it.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', port: (server.address() as AddressInfo).port });
}

main().catch(error => {
  process.stderr.write(`app: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
