// Issue 2 acceptance: the store under real express-session middleware, over real HTTP: the seed's
// example app, resave:false (touch vs set), logout, and express-session bypassing the store
// while every member is down (`disconnect`) and using it again after `connect`.
// Tests that look at every member right after a write use writeQuorum 'all': with the default
// quorum of 1 a write resolves on the first acknowledgement, before the others need be done.
import test from 'ava';
import type { RedisStore } from '../src/index.js';
import { Browser, startApp } from './helpers/app.js';
import { assertExpiresBetween, direct, expiryOf, open, ownServers, sleep } from './helpers/foundation-util.js';
import { fileServers } from './helpers/file-servers.js';
import { eventually, rawValue } from './helpers/store.js';

const servers = fileServers(2);

/** Counts the store calls express-session makes, still running the real methods. */
function spy(store: RedisStore): Record<'get' | 'set' | 'touch' | 'destroy', number> {
  const counts = { get: 0, set: 0, touch: 0, destroy: 0 };
  for (const name of Object.keys(counts) as (keyof typeof counts)[]) {
    const original = store[name] as (...args: unknown[]) => unknown;
    Object.defineProperty(store, name, {
      configurable: true,
      value: (...args: unknown[]) => {
        counts[name]++;
        return original.apply(store, args);
      },
    });
  }
  return counts;
}

test('the seed\'s example app (resave, no saveUninitialized, 5 s cookie) works end to end', async t => {
  const store = await open(t, servers, { writeQuorum: 'all' });
  const app = await startApp(t, store, { resave: true, saveUninitialized: false, cookie: { secure: false, maxAge: 5000 } });
  const browser = new Browser(app.url);

  const anonymous = await browser.get('/getter');
  t.is(anonymous.status, 200);
  t.is(browser.cookie, undefined, 'no cookie for an uninitialized session');
  t.is(await store.length(), 0, 'nothing stored for an uninitialized session');

  t.deepEqual((await browser.get('/setter')).body, { operation: 'set' });
  const sid = browser.sid!;
  t.truthy(sid);
  // resave: every request writes the session again, so its expiry counts from the last one.
  const sent = Date.now();
  const got = await browser.get('/getter');
  const answered = Date.now();
  t.is(got.status, 200);
  t.like(got.body, { firstName: 'Peter', lastName: 'Pluck', hasSession: true });
  t.deepEqual(await store.ids(), [sid]);
  for (const server of servers) {
    const client = await direct(t, server);
    await assertExpiresBetween(t, client, store.prefix + sid, sent + 5000, answered + 5000, server.label);
    t.like(JSON.parse((await rawValue(client, store.prefix + sid))!.toString()) as Record<string, unknown>, { firstName: 'Peter', lastName: 'Pluck' });
  }
});

test('a session is gone once its cookie maxAge has passed', async t => {
  const store = await open(t, servers);
  const app = await startApp(t, store, { resave: true, saveUninitialized: false, cookie: { secure: false, maxAge: 1000 } });
  const browser = new Browser(app.url);
  await browser.get('/setter');
  const sid = browser.sid!;
  await sleep(1500);
  t.is(await store.get(sid), null);
  const got = await browser.get('/getter');
  t.is(got.status, 200);
  t.is(got.body.firstName, undefined);
});

test('with resave:false an unchanged session is touched (its TTL moves forward) and a changed one is set', async t => {
  const store = await open(t, servers, { writeQuorum: 'all' });
  const counts = spy(store);
  const app = await startApp(t, store, { resave: false, saveUninitialized: false, cookie: { secure: false, maxAge: 60_000 } });
  const browser = new Browser(app.url);
  const client = await direct(t, servers[1]!);

  await browser.get('/login?user=peter');
  const key = store.prefix + browser.sid!;
  t.is(counts.set, 1);
  t.is(counts.touch, 0);
  const stored = (await rawValue(client, key))!.toString();
  const before = await expiryOf(client, key);
  await sleep(1200);

  const unchanged = await browser.get('/getter');
  t.is(unchanged.status, 200);
  await eventually(() => counts.touch === 1, 5000, 'a touch');
  t.is(counts.set, 1, 'an unchanged session is not written again');
  const after = await expiryOf(client, key);
  t.true(after.max - before.min >= 1200, `the expiry moved from [${before.min}, ${before.max}] to [${after.min}, ${after.max}]`);
  t.is((await rawValue(client, key))!.toString(), stored, 'touch does not rewrite the value');

  const changed = await browser.get('/whoami');
  t.like(changed.body, { user: 'peter' });
  await eventually(() => counts.set === 2, 5000, 'a set');
  t.like(JSON.parse((await rawValue(client, key))!.toString()) as Record<string, unknown>, { user: 'peter', visits: 1 });
});

test('logout destroys the session on every member', async t => {
  const store = await open(t, servers, { writeQuorum: 'all' });
  const counts = spy(store);
  const app = await startApp(t, store, { resave: false, saveUninitialized: false });
  const browser = new Browser(app.url);
  await browser.get('/login?user=peter');
  const sid = browser.sid!;
  t.like(await store.get(sid), { user: 'peter' });
  t.deepEqual((await browser.get('/logout')).body, { ok: true });
  t.is(counts.destroy, 1);
  t.is(await store.get(sid), null);
  for (const server of servers) {
    const raw = await rawValue(await direct(t, server), store.prefix + sid);
    t.false(raw?.toString().includes('peter') ?? false, `${server.label} no longer holds the session`);
  }
  const again = await browser.get('/whoami');
  t.is(again.status, 200);
  t.like(again.body, { user: null });
});

test('when every member is down express-session bypasses the store, and uses it again after connect', async t => {
  const own = await ownServers(t, 2);
  const store = await open(t, own);
  store.on('error', () => undefined);
  let disconnects = 0;
  let connects = 0;
  store.on('disconnect', () => disconnects++);
  store.on('connect', () => connects++);
  const app = await startApp(t, store, { resave: true, saveUninitialized: false });
  const browser = new Browser(app.url);
  await browser.get('/setter');
  t.like((await browser.get('/getter')).body, { firstName: 'Peter', hasSession: true });

  await own[0]!.killAndWait();
  t.like((await browser.get('/getter')).body, { firstName: 'Peter', hasSession: true }, 'one member left is enough');
  t.is(disconnects, 0, 'no disconnect while a member is usable');
  await own[1]!.killAndWait();
  await eventually(() => disconnects === 1, 10_000, 'disconnect');
  const counts = spy(store);
  for (let i = 0; i < 3; i++) {
    const response = await browser.get('/getter');
    t.is(response.status, 200, JSON.stringify(response.body));
    t.like(response.body, { hasSession: false });
  }
  t.deepEqual(counts, { get: 0, set: 0, touch: 0, destroy: 0 }, 'express-session did not call the store');
  t.is(disconnects, 1, 'disconnect is emitted once');

  const connectsBefore = connects;
  await Promise.all(own.map(s => s.restart()));
  await eventually(() => connects > connectsBefore, 15_000, 'connect');
  await eventually(() => store.stats().members.every(m => m.healthy), 15_000, 'both members back');
  t.is((await browser.get('/setter')).status, 200);
  t.like((await browser.get('/getter')).body, { firstName: 'Peter', lastName: 'Pluck', hasSession: true });
  t.true(counts.set >= 1 && counts.get >= 1, 'the store is in use again');
  t.is(await store.length(), 1);
});
