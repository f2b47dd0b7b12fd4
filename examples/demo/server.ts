// The expredis demo: the seed's Express app (/setter, /getter) on a store over two Redis members,
// plus a page showing the session and which members hold it. By default it starts two local
// redis-server children itself; REDIS_URLS=redis://h:p,redis://h:p uses those members instead.
// `npm start` (PORT, default 3000; HOST, default 127.0.0.1). Ctrl-C or SIGTERM stops it and
// its redis-server children.
import express from 'express';
import session from 'express-session';
import expredis from 'expredis';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderPage, type MemberRow } from './page.js';
import { RedisNotInstalledError, shutdownAll, startServers, type RedisServer } from '../../support/redis-server.js';

declare module 'express-session' {
  interface SessionData {
    firstName?: string;
    lastName?: string;
  }
}

const RedisStore = expredis(session);
type Store = InstanceType<typeof RedisStore>;

const EXISTS_TIMEOUT_MS = 300;
const SHUTDOWN_DEADLINE_MS = 8000;

let store: Store | undefined;
let server: Server | undefined;
let stopping: Promise<never> | undefined;

const log = (line: string) => console.log(`[demo] ${line}`);

function installHelp(): string {
  return [
    'redis-server is not installed (or not on PATH). The demo starts two local redis-server processes.',
    'Install it:',
    '  Debian/Ubuntu:  sudo apt-get install redis-server',
    '  macOS:          brew install redis',
    'or point the demo at running Redis servers instead:',
    '  REDIS_URLS=redis://127.0.0.1:6380,redis://127.0.0.1:6381 npm start',
  ].join('\n');
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return 3000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(value)}`);
    process.exit(1);
  }
  return port;
}

function parseUrls(value: string): string[] {
  const urls = value.split(',').map(u => u.trim()).filter(u => u !== '');
  const bad = urls.filter(u => !/^rediss?:\/\/[^/]/.test(u));
  if (urls.length === 0 || bad.length > 0) {
    // Quoted without any user:password part: a URL that fails to parse may still hold one.
    const shown = (bad.length > 0 ? bad : [value]).map(u => JSON.stringify(u.replace(/^([a-z][a-z0-9+.-]*:\/\/)?.*@/is, '$1***@')));
    console.error(`REDIS_URLS must be comma-separated redis://host:port URLs, got ${shown.join(', ')}`);
    process.exit(1);
  }
  return urls;
}

/** Closes the HTTP server, the store and the redis-server children, then exits with `code`. */
function shutdown(code: number, why: string): Promise<never> {
  if (stopping) return stopping;
  log(`${why}: stopping`);
  const deadline = setTimeout(() => {
    console.error(`[demo] shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms: killing the redis-server children`);
    process.exit(1); // the 'exit' handler in support/redis-server.ts SIGKILLs them
  }, SHUTDOWN_DEADLINE_MS);
  deadline.unref();
  stopping = (async () => {
    if (server?.listening) {
      const closed = new Promise(resolve => server!.close(resolve));
      server.closeAllConnections();
      await closed;
    }
    if (store) {
      try {
        await store.close();
      } catch (error) {
        log(`store.close(): ${String(error)}`);
      }
    }
    await shutdownAll();
    log('stopped');
    process.exit(code);
  })();
  return stopping;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  // A second signal (npm forwards Ctrl-C to its child too) must not cut the clean shutdown short.
  process.on(signal, () => void shutdown(0, signal));
}

async function membersHolding(s: Store, key: string): Promise<MemberRow[]> {
  const stats = s.stats().members;
  return Promise.all(
    s.clients.map(async (client, i): Promise<MemberRow> => {
      const member = stats[i]!;
      if (!member.healthy) return { label: member.label, healthy: false, holds: undefined };
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<undefined>(resolve => (timer = setTimeout(resolve, EXISTS_TIMEOUT_MS, undefined)));
      const holds = await Promise.race([client.exists(key).then(n => n > 0, () => undefined), late]);
      clearTimeout(timer);
      return { label: member.label, healthy: true, holds };
    }),
  );
}

function buildApp(s: Store): express.Express {
  const app = express();
  app.use(
    session({
      name: 'session',
      secret: process.env.SESSION_SECRET || 'foobar',
      resave: true,
      saveUninitialized: false,
      // Plain HTTP: a secure cookie would never be sent back.
      cookie: { secure: false, maxAge: 60_000 },
      store: s,
    }),
  );
  app.get('/setter', (req, res) => {
    req.session.firstName = 'Peter';
    req.session.lastName = 'Pluck';
    res.send({ operation: 'set' });
  });
  app.get('/getter', (req, res) => {
    const { firstName, lastName } = req.session;
    res.send({ firstName, lastName });
  });
  app.get('/logout', (req, res, next) => {
    req.session.destroy(error => (error ? next(error) : res.redirect('/')));
  });
  app.get('/stats', (_req, res) => {
    res.send(s.stats());
  });
  app.get('/', async (req, res) => {
    const key = s.prefix + req.sessionID;
    const members = await membersHolding(s, key);
    res.type('html').send(
      renderPage({ sid: req.sessionID, key, session: req.session, stored: members.some(m => m.holds === true), members }),
    );
  });
  app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    log(`request failed: ${error.name}: ${error.message}`);
    res.status(500).send({ error: error.name, message: error.message });
  });
  return app;
}

async function main(): Promise<void> {
  const port = parsePort(process.env.PORT);
  const host = process.env.HOST || '127.0.0.1';

  let urls: string[];
  let local: RedisServer[] = [];
  if (process.env.REDIS_URLS) {
    urls = parseUrls(process.env.REDIS_URLS);
  } else {
    try {
      local = await startServers(2);
    } catch (error) {
      if (error instanceof RedisNotInstalledError) {
        console.error(installHelp());
        await shutdownAll();
        process.exit(1);
      }
      console.error(`[demo] could not start redis-server: ${(error as Error).message}`);
      await shutdown(1, 'start-up failed');
    }
    if (stopping) return;
    for (const r of local) log(`started redis-server pid ${r.pid} on 127.0.0.1:${r.port}`);
    urls = local.map(r => r.url);
  }

  const s = new RedisStore({ clients: urls.map(url => ({ url })) });
  store = s;
  s.on('error', (error: Error & { code?: string; client?: unknown }) => {
    if (stopping) return;
    const i = s.clients.indexOf(error.client as (typeof s.clients)[number]);
    const label = i >= 0 ? s.stats().members[i]!.label : 'store';
    log(`member ${label}: ${error.code ?? error.name}: ${error.message.split('\n')[0]}`);
  });
  try {
    await s.ready({ timeout: 5000 });
  } catch {
    log('no member is usable yet: requests fail until one is (the page shows each member)');
  }
  if (stopping) return;

  const httpServer = createServer(buildApp(s));
  server = httpServer;
  await new Promise<void>(resolve => {
    httpServer.once('error', (error: NodeJS.ErrnoException) => {
      console.error(`[demo] cannot listen on ${host}:${port}: ${error.code ?? error.message}${error.code === 'EADDRINUSE' ? ' (the port is in use: set PORT)' : ''}`);
      void shutdown(1, 'listen failed');
    });
    httpServer.listen(port, host, () => resolve());
  });
  const { port: actual } = httpServer.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  log(`members: ${s.stats().members.map(m => m.label).join(', ')}${local.length > 0 ? ' (local redis-server children)' : ' (from REDIS_URLS)'}`);
  log(`listening on http://${shownHost}:${actual}/ (Ctrl-C to stop)`);
}

main().catch((error: unknown) => {
  console.error(`[demo] ${error instanceof Error ? error.message : String(error)}`);
  void shutdown(1, 'start-up failed');
});
