// Issue 3 acceptance: the seed's Express example over real HTTP with serializer 'msgpack':
// req.session.cookie.expires is a Date after a reload, and the cookie expiry is honoured (the
// session is there before maxAge, gone after it, on every member).
import test from 'ava';
import { RedisStore } from '../src/index.js';
import { Browser, startApp } from './helpers/app.js';
import { decodeStored, FORMAT, sleep, viewStored, openCodecStore } from './helpers/codec-util.js';
import { fileServers } from './helpers/file-servers.js';
import { directClient, rawValue } from './helpers/store.js';

const servers = fileServers(2);

// Short enough for a quick test, long enough that a loaded 2-core machine reloads before it.
const MAX_AGE = 3000;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

for (const offload of ['auto', 'always'] as const) {
  test(`serializer 'msgpack' (offload ${offload}) behind express-session: cookie.expires is a Date after a reload and the expiry is honoured`, async t => {
    t.timeout(30_000);
    const store: RedisStore = await openCodecStore(t, servers, { serializer: 'msgpack', offload, commandTimeout: 5000 });
    const errors: Error[] = [];
    store.on('error', (error: Error) => errors.push(error));
    const clients = await Promise.all(servers.map(s => directClient(t, s)));
    // Start the pool (under 'always') before timing anything: thread start-up is not what this checks.
    await store.set('warm-up', { cookie: { originalMaxAge: 60_000 } } as never);
    const app = await startApp(t, store, { cookie: { secure: false, maxAge: MAX_AGE } });
    const browser = new Browser(app.url);

    const setAt = Date.now();
    const set = await browser.get('/setter');
    t.is(set.status, 200);
    t.truthy(browser.sid, 'a session cookie came back');
    const key = store.prefix + browser.sid!;

    // Reloaded before maxAge: the session is there and its cookie.expires is a Date again.
    const early = await browser.get('/getter');
    t.true(Date.now() - setAt < MAX_AGE, 'the first reload happened before maxAge (else the machine is too slow for this check)');
    t.deepEqual(early.body, { firstName: 'Peter', lastName: 'Pluck', hasSession: true, expires: true });

    // Stored as msgpack on every member, the cookie as JSON makes it, with a TTL from maxAge.
    for (const client of clients) {
      const raw = (await rawValue(client, key))!;
      t.truthy(raw);
      t.is(viewStored(raw).format, FORMAT.msgpack);
      const stored = decodeStored(raw) as { firstName: string; cookie: { expires: unknown; originalMaxAge: unknown } };
      t.is(stored.firstName, 'Peter');
      t.regex(String(stored.cookie.expires), ISO, 'cookie.expires is stored as an ISO string');
      t.is(typeof stored.cookie.expires, 'string');
      t.is(stored.cookie.originalMaxAge, MAX_AGE);
      const pttl = await client.pTTL(key);
      t.true(pttl > 0 && pttl <= MAX_AGE, `PTTL ${pttl} follows the cookie maxAge`);
    }

    // express-session resets the expiry (touch) and, with resave, saves again on every request:
    // the session now lives MAX_AGE from that reload. After it, the session is gone, though the
    // browser still sends its cookie.
    const reloadedBy = Date.now();
    await sleep(MAX_AGE + 400);
    t.true(Date.now() - reloadedBy >= MAX_AGE);
    for (const client of clients) t.is(await rawValue(client, key), null, 'the key expired on every member');
    const late = await browser.get('/getter');
    t.is(late.status, 200);
    t.is(late.body.firstName, undefined, 'the expired session was not loaded');
    t.is(late.body.lastName, undefined);
    t.deepEqual(errors, []);
  });
}

test("serializer 'msgpack': a session written through Express reads back with every field, and a reload keeps the user logged in", async t => {
  const store = await openCodecStore(t, servers, { serializer: 'msgpack', commandTimeout: 5000 });
  const app = await startApp(t, store, { resave: false, cookie: { secure: false, maxAge: 60_000 } });
  const browser = new Browser(app.url);
  t.deepEqual((await browser.get('/login?user=zoë')).body, { user: 'zoë' });
  await browser.get('/cart?items=500');
  const whoami = await browser.get('/whoami');
  t.deepEqual(whoami.body, { user: 'zoë', hasSession: true });
  const stored = (await store.get(browser.sid!)) as { user: string; cart: unknown[]; cookie: { expires: unknown } } | null;
  t.is(stored?.user, 'zoë');
  t.is(stored?.cart.length, 500);
  t.like(stored?.cart[499], { sku: 'SKU-499', qty: 5, price: 499 * 1.25, title: 'Item number 499' });
  t.regex(String(stored?.cookie.expires), ISO);
});
