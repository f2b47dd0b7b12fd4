// Issue 2 acceptance: every behaviour the original expredis tested, against real redis-server
// processes (events, dead members, set/get, unserializable sessions, decode failures, destroy,
// close, unref, and the seed's Express example over HTTP).
// Tests that look at every member right after a write use writeQuorum 'all': with the default
// quorum of 1 a write resolves on the first acknowledgement, before the others need be done.
import test from 'ava';
import session from 'express-session';
import type { RedisClientType } from 'redis';
import expredis, { DecodeError, NoMemberError, QuorumError, StoreClosedError } from '../src/index.js';
import { Browser, startApp } from './helpers/app.js';
import { asSession, assertExpiresBetween, direct, open, promised, runFixture } from './helpers/foundation-util.js';
import { freePort } from './helpers/redis-server.js';
import { fileServers } from './helpers/file-servers.js';
import { eventually, rawValue, sessionWith, uniquePrefix } from './helpers/store.js';

const servers = fileServers(2);

test('connect and ready are emitted once per member, after the handshake, each with that member\'s client', async t => {
  const seen: { event: string; client: unknown; ready: boolean }[] = [];
  const store = await open(t, servers, {}, { waitFor: false });
  for (const event of ['connect', 'ready'] as const) {
    store.on(event, (client: RedisClientType) => seen.push({ event, client, ready: client.isReady }));
  }
  await eventually(() => seen.length >= 4, 10_000, 'four events');
  for (const event of ['connect', 'ready']) {
    const clients = seen.filter(e => e.event === event).map(e => e.client);
    t.is(clients.length, 2, event);
    t.true(clients.includes(store.clients[0]), `${event} carries clients[0]`);
    t.true(clients.includes(store.clients[1]), `${event} carries clients[1]`);
  }
  t.true(seen.every(e => e.ready), 'each event comes after the node-redis ready handshake');
  // connect comes before ready for each member
  for (const client of store.clients) {
    const order = seen.filter(e => e.client === client).map(e => e.event);
    t.deepEqual(order, ['connect', 'ready']);
  }
});

test('a member on a dead port is reported on error with .client and ECONNREFUSED', async t => {
  const dead = await freePort();
  const errors: (Error & { client?: unknown; code?: string })[] = [];
  const store = await open(t, [], { clients: [{ port: servers[0]!.port }, { port: dead }] }, { waitFor: false });
  store.on('error', (error: Error) => errors.push(error));
  await eventually(() => errors.length > 0, 10_000, 'an error event');
  const error = errors[0]!;
  t.is(error.client, store.clients[1]);
  t.is(error.code, 'ECONNREFUSED');
  t.true(errors.every(e => e.client === store.clients[1]), 'the live member reports nothing');
});

test('the process stays up when nobody listens for error: dead ports, decode failures, error replies, a member killed', async t => {
  const result = await runFixture('foundation-no-error-listener', [String(await freePort()), String(await freePort())], 30_000);
  t.is(result.code, 0, result.stderr);
  t.is(result.stdout.trim(), 'alive 0 0');
});

test('a write before any member is usable fails at once with QuorumError naming every member', async t => {
  const ports = [await freePort(), await freePort()];
  const store = await open(t, [], { clients: ports.map(port => ({ port })), commandTimeout: 10_000 }, { waitFor: false });
  store.on('error', () => undefined);
  for (const delay of [0, 300]) {
    await new Promise(resolve => setTimeout(resolve, delay));
    const started = Date.now();
    const error = await t.throwsAsync(promised(store.set('sid', asSession(sessionWith()))), { instanceOf: QuorumError });
    t.true(Date.now() - started < 2000, `set settled in ${Date.now() - started} ms, commandTimeout is 10000`);
    t.is(error?.code, 'ERR_EXPREDIS_QUORUM');
    t.deepEqual([...(error?.members ?? [])].sort(), ports.map(p => `127.0.0.1:${p}`).sort());
  }
  const started = Date.now();
  await t.throwsAsync(store.get('sid'), { instanceOf: NoMemberError });
  t.true(Date.now() - started < 2000, `get settled in ${Date.now() - started} ms`);
});

test('a write issued right after the constructor, before the handshake, fails at once', async t => {
  const store = await open(t, servers, {}, { waitFor: false });
  await t.throwsAsync(promised(store.set('sid', asSession(sessionWith()))), { instanceOf: QuorumError });
  await promised(store.ready({ timeout: 15_000 }));
  await t.notThrowsAsync(promised(store.set('sid', asSession(sessionWith()))));
});

test('set then get returns the session, stored on every member as its exact JSON', async t => {
  const store = await open(t, servers, { writeQuorum: 'all' });
  const data = sessionWith({ firstName: 'Peter', lastName: 'Pluck', n: [1, 2, { deep: true }] });
  await store.set('abc', asSession(data));
  t.deepEqual(await store.get('abc'), data);
  for (const server of servers) {
    const raw = await rawValue(await direct(t, server), store.prefix + 'abc');
    t.is(raw?.toString(), JSON.stringify(data));
  }
});

test('get of a missing id yields null', async t => {
  const store = await open(t, servers);
  t.is(await store.get('missing'), null);
  await new Promise<void>(resolve =>
    store.get('missing', (error, value) => {
      t.is(error, null);
      t.is(value, null);
      resolve();
    }),
  );
});

for (const [what, poison] of [
  ['a circular session', (s: Record<string, unknown>) => void (s.self = s)],
  ['a session holding a BigInt', (s: Record<string, unknown>) => void (s.big = 10n)],
] as const) {
  test(`${what} errors through the Promise and the callback and nothing is written on any member`, async t => {
    const store = await open(t, servers, { writeQuorum: 'all' });
    const clients = await Promise.all(servers.map(s => direct(t, s)));
    // An earlier good version of one session must survive the failed write untouched.
    const good = sessionWith({ version: 1 });
    await store.set('kept', asSession(good));

    const bad = sessionWith({ version: 2 });
    poison(bad);
    const error = await t.throwsAsync(promised(store.set('new', asSession(bad))));
    t.true(error instanceof Error);
    const viaCallback = await new Promise<{ error: unknown; calls: number }>(resolve => {
      let calls = 0;
      store.set('kept', asSession(bad), err => {
        calls++;
        setTimeout(() => resolve({ error: err, calls }), 50);
      });
    });
    t.true(viaCallback.error instanceof Error);
    t.is(viaCallback.calls, 1);

    for (const client of clients) {
      t.is(await rawValue(client, store.prefix + 'new'), null, 'the new id was never written');
      t.is((await rawValue(client, store.prefix + 'kept'))?.toString(), JSON.stringify(good), 'the old value is untouched');
    }
    t.deepEqual(await store.get('kept'), good);
  });
}

test('a serializer whose parse throws is reported on error as a DecodeError with .client, and get yields null', async t => {
  const serializer = {
    stringify: (value: unknown) => JSON.stringify(value),
    parse: (): never => {
      throw new SyntaxError('cannot parse this');
    },
  };
  const store = await open(t, [servers[0]!], { serializer });
  const errors: (Error & { client?: unknown })[] = [];
  store.on('error', (error: Error) => errors.push(error));
  await store.set('sid', asSession(sessionWith({ a: 1 })));
  t.is(await store.get('sid'), null);
  t.is(errors.length, 1);
  t.true(errors[0] instanceof DecodeError);
  t.is((errors[0] as DecodeError).code, 'ERR_EXPREDIS_DECODE');
  t.is(errors[0]!.client, store.clients[0]);
});

test('destroy removes the session from every member', async t => {
  const store = await open(t, servers, { writeQuorum: 'all' });
  const data = sessionWith({ user: 'peter' });
  await store.set('gone', asSession(data));
  await store.set('stays', asSession(data));
  await store.destroy('gone');
  t.is(await store.get('gone'), null);
  t.is(await store.length(), 1);
  t.deepEqual(await store.ids(), ['stays']);
  for (const server of servers) {
    const raw = await rawValue(await direct(t, server), store.prefix + 'gone');
    t.not(raw?.toString(), JSON.stringify(data), `member ${server.label} no longer holds the session`);
    t.false(raw?.toString().includes('peter') ?? false);
  }
  // Each member alone yields nothing for it.
  for (const server of servers) {
    const single = await open(t, [server], { prefix: store.prefix });
    t.is(await single.get('gone'), null);
  }
});

test('after close() every method fails through its callback with StoreClosedError, never synchronously', async t => {
  const store = await open(t, servers);
  await store.set('sid', asSession(sessionWith()));
  await store.close();
  const s = asSession(sessionWith());
  const calls: [string, (cb: (error: unknown) => void) => unknown][] = [
    ['get', cb => store.get('sid', cb)],
    ['set', cb => store.set('sid', s, cb)],
    ['touch', cb => store.touch('sid', s, cb)],
    ['destroy', cb => store.destroy('sid', cb)],
    ['length', cb => store.length(cb)],
    ['ids', cb => store.ids(cb)],
    ['all', cb => store.all(cb)],
    ['clear', cb => store.clear(cb)],
    ['ready', cb => store.ready(cb)],
  ];
  for (const [name, call] of calls) {
    let returned = false;
    const error = await new Promise<unknown>(resolve => {
      call(err => {
        t.true(returned, `${name} callback ran asynchronously`);
        resolve(err);
      });
      returned = true;
    });
    t.true(error instanceof StoreClosedError, name);
    t.is((error as StoreClosedError).code, 'ERR_EXPREDIS_STORE_CLOSED');
  }
  await t.throwsAsync(store.get('sid'), { instanceOf: StoreClosedError });
  await t.throwsAsync(promised(store.set('sid', s)), { instanceOf: StoreClosedError });
  await t.notThrowsAsync(promised(store.close()), 'a second close() is harmless');
});

test('with unref: true a script that completed a set and a get exits on its own', async t => {
  const result = await runFixture('foundation-unref', [String(servers[0]!.port)], 30_000);
  t.false(result.killed, `still running after 30 s (stderr: ${result.stderr})`);
  t.is(result.code, 0, result.stderr);
  t.like(JSON.parse(result.stdout) as Record<string, unknown>, { user: 'peter' });
  t.log(`exited after ${result.ms} ms`);
});

test('with unref: true, reconnect attempts to a member that is down do not keep the script alive', async t => {
  const result = await runFixture('foundation-unref', [String(servers[0]!.port), String(await freePort())], 30_000);
  t.false(result.killed, `still running after 30 s (stderr: ${result.stderr})`);
  t.is(result.code, 0, result.stderr);
  t.like(JSON.parse(result.stdout) as Record<string, unknown>, { user: 'peter' });
});

test('the seed\'s Express example works over HTTP and the TTL follows the cookie maxAge', async t => {
  const Store = expredis(session);
  const store = new Store({ clients: servers.map(s => ({ port: s.port })), prefix: uniquePrefix(t), commandTimeout: 5000, writeQuorum: 'all' });
  t.teardown(() => promised(store.close()));
  t.true(store instanceof session.Store);
  await promised(store.ready({ timeout: 15_000 }));
  await eventually(() => store.stats().members.every(m => m.healthy), 15_000, 'both members usable');
  const app = await startApp(t, store, { resave: true, saveUninitialized: false, cookie: { secure: false, maxAge: 5000 } });
  const browser = new Browser(app.url);
  const set = await browser.get('/setter');
  t.is(set.status, 200);
  t.deepEqual(set.body, { operation: 'set' });
  t.truthy(browser.sid, 'a session cookie came back over plain HTTP');
  // resave: true writes the session again on every request: its expiry counts from the last one.
  const sent = Date.now();
  const got = await browser.get('/getter');
  const answered = Date.now();
  t.is(got.status, 200);
  t.like(got.body, { firstName: 'Peter', lastName: 'Pluck' });
  for (const server of servers) {
    const client = await direct(t, server);
    // The cookie's maxAge (5 s) counted from the request, not one day or the app's default.
    await assertExpiresBetween(t, client, store.prefix + browser.sid!, sent + 5000, answered + 5000, server.label);
    t.like(JSON.parse((await rawValue(client, store.prefix + browser.sid!))!.toString()) as Record<string, unknown>, { firstName: 'Peter' });
  }
});
