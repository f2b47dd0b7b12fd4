// Bad arguments fail with a TypeError and write nothing; option errors never echo a credential;
// the properties connect-redis exposes read the same here.
import test from 'ava';
import session from 'express-session';
import expredis, { RedisStore } from '../src/index.js';
import { fileServers } from './helpers/file-servers.js';
import { ownServers } from './helpers/fault-kit.js';
import { directClient, openStore, sessionWith } from './helpers/store.js';
import type { RedisClientType } from 'redis';

const servers = fileServers(2);

/** Every key under the store's prefix, on every member. */
async function keysUnder(clients: RedisClientType[], prefix: string): Promise<string[]> {
  const found: string[] = [];
  for (const client of clients) found.push(...(await client.keys(prefix + '*')));
  return found;
}

/** Calls `method` both ways: the Promise rejects and the callback gets the same kind of error. */
async function failsBothWays(t: import('ava').ExecutionContext, call: (cb?: (error: Error | null) => void) => Promise<unknown> | void): Promise<void> {
  await t.throwsAsync(async () => call() as Promise<unknown>, { instanceOf: TypeError });
  const viaCallback = await new Promise<Error | null>(resolve => {
    let sync = true;
    const returned = call(error => {
      t.false(sync, 'the callback is never called synchronously');
      resolve(error);
    });
    sync = false;
    t.is(returned, undefined, 'no Promise when a callback is given');
  });
  t.true(viaCallback instanceof TypeError);
}

for (const [what, value] of [
  ['a string', 'str'],
  ['null', null],
  ['a number', 42],
  ['an array', [{ cookie: {} }]],
  ['a Date', new Date()],
  ['a Map', new Map([['cookie', {}]])],
  ['undefined', undefined],
] as const) {
  test(`set with ${what} as the session fails with TypeError and writes nothing on any member`, async t => {
    const store = await openStore(t, servers);
    const clients = [await directClient(t, servers[0]!), await directClient(t, servers[1]!)];
    await failsBothWays(t, cb => store.set('sid', value as never, cb as never));
    await failsBothWays(t, cb => store.touch('sid', value as never, cb as never));
    t.deepEqual(await keysUnder(clients, store.prefix), []);
  });
}

for (const [what, sid] of [
  ['undefined', undefined],
  ['null', null],
  ['a number', 42],
  ['an empty string', ''],
  ['an object', { toString: () => 'x' }],
] as const) {
  test(`every method given ${what} as the sid fails with TypeError and touches no key`, async t => {
    const store = await openStore(t, servers);
    const clients = [await directClient(t, servers[0]!), await directClient(t, servers[1]!)];
    const bad = sid as never;
    await failsBothWays(t, cb => store.get(bad, cb as never));
    await failsBothWays(t, cb => store.set(bad, sessionWith({ a: 1 }) as never, cb as never));
    await failsBothWays(t, cb => store.touch(bad, sessionWith({ a: 1 }) as never, cb as never));
    await failsBothWays(t, cb => store.destroy(bad, cb as never));
    t.deepEqual(await keysUnder(clients, store.prefix), [], 'not even a tombstone under sessionundefined');
  });
}

test('a TypeError for a bad sid never quotes the sid', async t => {
  const store = await openStore(t, servers);
  const error = await t.throwsAsync(store.get({ secret: 'sid-value' } as never), { instanceOf: TypeError });
  t.false(error!.message.includes('sid-value'));
});

test('an express-session Session instance is accepted as a session', async t => {
  const store = await openStore(t, servers);
  const req = { sessionID: 'sid', sessionStore: store } as unknown as Express.Request;
  const SessionClass = session.Session as unknown as new (req: unknown, data: unknown) => session.SessionData;
  const s = new SessionClass(req, { cookie: new (session.Cookie as unknown as new (options: unknown) => session.Cookie)({ maxAge: 60_000 }), user: 'ann' });
  await store.set('sid', s);
  t.like(await store.get('sid'), { user: 'ann' });
});

test('an empty prefix is refused by the constructor: clear() would empty the database', t => {
  const error = t.throws(() => new RedisStore({ clients: [{ port: servers[0]!.port }], prefix: '' }), { instanceOf: TypeError });
  t.regex(error!.message, /options\.prefix/);
});

test('scanCount and disableTouch read as on connect-redis, on both entry points', async t => {
  const store = await openStore(t, servers);
  t.is(store.scanCount, 100);
  t.is(store.disableTouch, false);
  const tuned = await openStore(t, servers, { scanCount: 7, disableTouch: true });
  t.is(tuned.scanCount, 7);
  t.is(tuned.disableTouch, true);
  const Seeded = expredis(session);
  const seeded = new Seeded({ clients: [{ port: servers[0]!.port }], scanCount: 3 });
  t.teardown(() => seeded.close());
  t.is(seeded.scanCount, 3);
  t.is(seeded.disableTouch, false);
});

const SECRET = 'hunter2-secret';
for (const [what, url] of [
  ['a port out of range', `redis://:${SECRET}@127.0.0.1:99999`],
  ['a scheme that is not redis', `http://user:${SECRET}@127.0.0.1:6379`],
  ['a sentinel-style scheme', `redis+sentinel://:${SECRET}@127.0.0.1:26379`],
  ['an unencoded slash in the password', `redis://:${SECRET}/x#y@127.0.0.1:notaport`],
  ['a bad port with a user name', `redis://admin:${SECRET}@[::1:6379`],
] as const) {
  test(`an option error for a member URL with ${what} names the option without the password`, t => {
    const error = t.throws(() => new RedisStore({ clients: [{ url }] }), { instanceOf: TypeError });
    t.regex(error!.message, /options\.clients\[0\]\.url/);
    t.false(error!.message.includes(SECRET), error!.message);
    t.false(String(error!.stack).includes(SECRET));
  });
}

test('labels, stats and error events of a member with a password in its URL never show the password', async t => {
  const own = await ownServers(t, 2);
  const admin = await directClient(t, own[1]!);
  const errors: Error[] = [];
  const store = new RedisStore({
    clients: [{ url: `redis://127.0.0.1:${own[0]!.port}` }, { url: `redis://:${SECRET}@127.0.0.1:${own[1]!.port}/0` }],
    prefix: 'pw:',
    commandTimeout: 500,
  });
  store.on('error', (error: Error) => errors.push(error));
  t.teardown(() => store.close());
  await store.ready({ timeout: 5000 });
  const text = JSON.stringify(store.stats());
  t.false(text.includes(SECRET));
  t.true(text.includes(`127.0.0.1:${own[1]!.port}`));
  // The server now refuses that password: the reconnect's failure is reported without it.
  await admin.configSet('requirepass', 'another-one');
  await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
  const deadline = Date.now() + 3000;
  while (errors.length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 20));
  t.true(errors.length > 0, 'the lost member is reported');
  for (const error of errors) {
    t.false(`${error.message} ${String(error.cause)}`.includes(SECRET));
  }
});
