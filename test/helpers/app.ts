// A real Express app on a store, over real HTTP, for end-to-end tests: the seed's /setter and
// /getter routes, plus login/logout and a cart for load and fault tests. `Browser` keeps one
// session cookie, as a browser would.
import type { ExecutionContext } from 'ava';
import express from 'express';
import session from 'express-session';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

export interface AppOptions {
  resave?: boolean;
  saveUninitialized?: boolean;
  cookie?: session.CookieOptions;
  rolling?: boolean;
}

export interface App {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

declare module 'express-session' {
  interface SessionData {
    firstName?: string;
    lastName?: string;
    user?: string;
    cart?: unknown[];
    visits?: number;
  }
}

export async function startApp(t: ExecutionContext | undefined, store: session.Store, options: AppOptions = {}): Promise<App> {
  const app = express();
  app.use(
    session({
      name: 'session',
      secret: 'foobar',
      resave: options.resave ?? true,
      saveUninitialized: options.saveUninitialized ?? false,
      rolling: options.rolling ?? false,
      cookie: { secure: false, maxAge: 60_000, ...options.cookie },
      store,
    }),
  );
  // While the store is disconnected express-session runs without one: no req.session. The
  // routes then answer without a session, as an app should.
  app.use((req, res, next) => (req.session ? next() : res.send({ hasSession: false, user: null })));
  app.get('/setter', (req, res) => {
    req.session.firstName = 'Peter';
    req.session.lastName = 'Pluck';
    res.send({ operation: 'set' });
  });
  app.get('/getter', (req, res) => {
    const { firstName, lastName } = req.session ?? {};
    res.send({ firstName, lastName, hasSession: Boolean(req.session), expires: req.session?.cookie.expires instanceof Date });
  });
  app.get('/login', (req, res) => {
    req.session.user = String(req.query.user ?? 'anonymous');
    res.send({ user: req.session.user });
  });
  app.get('/whoami', (req, res) => {
    req.session.visits = (req.session?.visits ?? 0) + 1;
    res.send({ user: req.session?.user ?? null, hasSession: Boolean(req.session) });
  });
  app.get('/logout', (req, res, next) => {
    req.session.destroy(error => (error ? next(error) : res.send({ ok: true })));
  });
  app.get('/cart', (req, res) => {
    const items = Number(req.query.items ?? 100);
    req.session.cart = Array.from({ length: items }, (_, i) => ({ sku: `SKU-${i}`, qty: (i % 5) + 1, price: i * 1.25, title: `Item number ${i}` }));
    res.send({ items });
  });
  app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).send({ error: error.name, message: error.message });
  });
  const server = await new Promise<Server>(resolve => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const result: App = {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  t?.teardown(() => result.close());
  return result;
}

/** One user agent: it keeps the session cookie between requests. */
export class Browser {
  cookie: string | undefined;
  readonly #base: string;

  constructor(base: string) {
    this.#base = base;
  }

  /** One GET with this browser's cookie; `timeoutMs` bounds it (none by default). */
  async get(path: string, timeoutMs?: number): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(this.#base + path, {
      headers: this.cookie ? { cookie: this.cookie } : {},
      ...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    const text = await response.text();
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text };
    }
    return { status: response.status, body };
  }

  /** The session id inside the signed cookie (`s:<sid>.<signature>`). */
  get sid(): string | undefined {
    if (!this.cookie) return undefined;
    const value = decodeURIComponent(this.cookie.split('=')[1] ?? '');
    return value.startsWith('s:') ? value.slice(2, value.lastIndexOf('.')) : undefined;
  }
}
