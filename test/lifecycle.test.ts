// Issue 2 acceptance: connect-redis's lifecycle holds with `prefix: 'sess:'` (TTL rules, touch,
// length/ids/all, destroy, clear, 1000 sessions, expired cookies), plus the spec's `ttl` forms.
// The prefix is fixed, so every test runs on redis-servers of its own.
import test, { type ExecutionContext } from 'ava';
import type { RedisClientType } from 'redis';
import type { ExpredisOptions } from '../src/index.js';
import { asSession, assertExpiresBetween, direct, monitor, open, ownServers, promised } from './helpers/foundation-util.js';
import type { RedisServer } from './helpers/redis-server.js';
import { eventually, rawValue } from './helpers/store.js';

interface Fixture {
  servers: RedisServer[];
  store: Awaited<ReturnType<typeof open>>;
  clients: RedisClientType[];
}

/**
 * Two members of this test's own, a store with prefix 'sess:', and a direct client on each. The
 * store uses writeQuorum 'all' so that every write has reached both members when it resolves.
 */
async function lifecycle(t: ExecutionContext, options: Partial<ExpredisOptions> = {}): Promise<Fixture> {
  const servers = await ownServers(t, 2);
  const store = await open(t, servers, { prefix: 'sess:', writeQuorum: 'all', ...options });
  const clients = await Promise.all(servers.map(s => direct(t, s)));
  return { servers, store, clients };
}

const inSeconds = (s: number) => new Date(Date.now() + s * 1000);
const DAY = 86_400_000;

async function pttls(clients: RedisClientType[], key: string): Promise<number[]> {
  return Promise.all(clients.map(c => c.pTTL(key)));
}

/** Every member's copy of `key` expires within [low, high] (epoch ms). */
async function expiresBetween(t: ExecutionContext, clients: RedisClientType[], key: string, low: number, high = low): Promise<void> {
  for (const [i, client] of clients.entries()) await assertExpiresBetween(t, client, key, low, high, `${key} on member ${i}`);
}

/** Runs `write` and returns the window [before, after] (epoch ms) it ran in. */
async function timed(write: () => unknown): Promise<[number, number]> {
  const before = Date.now();
  await promised(write() as Promise<void>);
  return [before, Date.now()];
}

test('a session without a cookie expiry gets the default TTL of one day', async t => {
  const { store, clients } = await lifecycle(t);
  const [a0, a1] = await timed(() => store.set('123', asSession({ cookie: { originalMaxAge: null, expires: null, httpOnly: true, path: '/' }, foo: 'bar' })));
  const [b0, b1] = await timed(() => store.set('456', asSession({ foo: 'bar' })));
  await expiresBetween(t, clients, 'sess:123', a0 + DAY, a1 + DAY);
  await expiresBetween(t, clients, 'sess:456', b0 + DAY, b1 + DAY);
  for (const ttl of await Promise.all(clients.map(c => c.ttl('sess:456')))) t.true(ttl >= 86399 - 60 && ttl <= 86400, `TTL ${ttl} s`);
});

test('the TTL follows cookie.expires, given as a Date or as an ISO string', async t => {
  const { store, clients } = await lifecycle(t);
  const date = inSeconds(100);
  const iso = inSeconds(200);
  // PX is relative: the expiry lands at the cookie's instant plus however long the SET took to
  // reach the server, so the window is [expires, expires + duration of the call].
  const [d0, d1] = await timed(() => store.set('date', asSession({ cookie: { expires: date }, foo: 'bar' })));
  const [i0, i1] = await timed(() => store.set('iso', asSession({ cookie: { expires: iso.toISOString() }, foo: 'bar' })));
  await expiresBetween(t, clients, 'sess:date', date.getTime(), date.getTime() + d1 - d0);
  await expiresBetween(t, clients, 'sess:iso', iso.getTime(), iso.getTime() + i1 - i0);
});

test('touch extends the TTL to the new cookie expiry without rewriting the session', async t => {
  const { store, clients } = await lifecycle(t);
  const first = inSeconds(100);
  const original = { cookie: { expires: first.toISOString() }, foo: 'bar' };
  const [s0, s1] = await timed(() => store.set('123', asSession(original)));
  await expiresBetween(t, clients, 'sess:123', first.getTime(), first.getTime() + s1 - s0);
  const later = inSeconds(1000);
  const [t0, t1] = await timed(() => store.touch('123', asSession({ cookie: { expires: later.toISOString() }, foo: 'changed' })));
  await expiresBetween(t, clients, 'sess:123', later.getTime(), later.getTime() + t1 - t0);
  for (const client of clients) t.is((await rawValue(client, 'sess:123'))?.toString(), JSON.stringify(original));
});

test('length, ids and all list the stored sessions, all() with their ids', async t => {
  const { store } = await lifecycle(t);
  const a = { cookie: { expires: inSeconds(100).toISOString() }, foo: 'bar' };
  const b = { cookie: { expires: inSeconds(100).toISOString() }, baz: 'qux' };
  await promised(store.set('123', asSession(a)));
  await promised(store.set('456', asSession(b)));
  t.is(await store.length(), 2);
  t.deepEqual((await store.ids()).sort(), ['123', '456']);
  const all = (await store.all()).sort((x, y) => x.id.localeCompare(y.id));
  t.deepEqual(all as unknown, [
    { ...a, id: '123' },
    { ...b, id: '456' },
  ]);
});

test('destroy removes one session and leaves the others', async t => {
  const { store } = await lifecycle(t);
  await promised(store.set('123', asSession({ foo: 'bar' })));
  await promised(store.set('456', asSession({ baz: 'qux' })));
  await promised(store.destroy('456'));
  t.is(await store.get('456'), null);
  t.deepEqual(await store.get('123'), { foo: 'bar' } as never);
  t.is(await store.length(), 1);
  t.deepEqual(await store.ids(), ['123']);
});

for (const writeQuorum of [1, 'all'] as const) {
  test(`clear removes every session under the prefix from every member (writeQuorum ${writeQuorum})`, async t => {
    const { store, clients } = await lifecycle(t, { writeQuorum });
    await promised(store.set('123', asSession({ foo: 'bar' })));
    await promised(store.set('456', asSession({ baz: 'qux' })));
    await promised(store.destroy('789')); // a tombstone under the prefix goes too
    await promised(store.clear());
    // clear() settles by writeQuorum, like every write: with 1, the slower member may still be
    // deleting when it resolves; with 'all', both are done.
    const empty = async () => (await Promise.all(clients.map(c => c.keys('sess:*')))).every(keys => keys.length === 0);
    if (writeQuorum === 'all') t.true(await empty());
    else await eventually(empty, 10_000, 'every member empty');
    t.is(await store.length(), 0);
    t.is(await store.get('123'), null);
  });
}

test('1000 sessions are loaded and counted', async t => {
  const { store } = await lifecycle(t);
  const ids = Array.from({ length: 1000 }, (_, i) => `id${i}`);
  await Promise.all(ids.map(id => promised(store.set(id, asSession({ cookie: { expires: inSeconds(100).toISOString() }, id })))));
  t.is(await store.length(), 1000);
  const listed = await store.ids();
  t.is(listed.length, 1000);
  t.deepEqual([...listed].sort(), [...ids].sort());
  const all = await store.all();
  t.is(all.length, 1000);
  t.true(all.every(s => (s as unknown as { id: string }).id === s.id && ids.includes(s.id)));
});

test('a session whose cookie expired in the past is deleted by set', async t => {
  const { store, clients } = await lifecycle(t);
  const live = { cookie: { expires: inSeconds(100).toISOString() }, foo: 'bar' };
  await promised(store.set('123', asSession(live)));
  await promised(store.set('123', asSession({ cookie: { expires: inSeconds(-10).toISOString() }, foo: 'bar' })));
  t.is(await store.get('123'), null);
  t.is(await store.length(), 0);
  // A new id with an expired cookie is never stored as a session either.
  await promised(store.set('456', asSession({ cookie: { expires: inSeconds(-10) }, foo: 'bar' })));
  t.is(await store.get('456'), null);
  for (const client of clients) {
    t.not((await rawValue(client, 'sess:123'))?.toString(), JSON.stringify(live));
    t.false((await rawValue(client, 'sess:456'))?.toString().includes('foo') ?? false);
  }
});

test('ttl: 60 sets a 60 s expiry whatever the cookie says', async t => {
  const { store, clients } = await lifecycle(t, { ttl: 60 });
  const [a0, a1] = await timed(() => store.set('123', asSession({ cookie: { expires: inSeconds(5).toISOString() }, foo: 'bar' })));
  const [b0, b1] = await timed(() => store.set('456', asSession({ foo: 'bar' })));
  await expiresBetween(t, clients, 'sess:123', a0 + 60_000, a1 + 60_000);
  await expiresBetween(t, clients, 'sess:456', b0 + 60_000, b1 + 60_000);
  const [c0, c1] = await timed(() => store.touch('123', asSession({ cookie: { expires: inSeconds(500).toISOString() } })));
  await expiresBetween(t, clients, 'sess:123', c0 + 60_000, c1 + 60_000);
});

test('a ttl function decides the TTL in seconds, fractions rounded up to the millisecond', async t => {
  const seen: unknown[] = [];
  const { servers, store, clients } = await lifecycle(t, {
    ttl: (s: { seconds: number }) => {
      seen.push(s);
      return s.seconds;
    },
  });
  const tap = await monitor(await direct(t, servers[0]!));
  const [h0, h1] = await timed(() => store.set('half', asSession({ seconds: 250.5 })));
  await promised(store.set('frac', asSession({ seconds: 1000.0005 })));
  await expiresBetween(t, clients, 'sess:half', h0 + 250_500, h1 + 250_500);
  t.like(seen[0], { seconds: 250.5 }, 'the function receives the session');
  const sets = () => tap.filter(args => args[0]?.toUpperCase() === 'SET');
  await eventually(() => sets().length >= 2, 10_000, 'MONITOR saw both SETs');
  t.deepEqual(sets().find(a => a[1] === 'sess:half')?.slice(3), ['PX', '250500']);
  t.deepEqual(sets().find(a => a[1] === 'sess:frac')?.slice(3), ['PX', '1000001'], '1000.0005 s is 1000000.5 ms, rounded up');
});

test('ttl: false stores sessions without expiry and touch does nothing', async t => {
  const { store, clients } = await lifecycle(t, { ttl: false });
  await promised(store.set('123', asSession({ cookie: { expires: inSeconds(5).toISOString() }, foo: 'bar' })));
  t.deepEqual(await pttls(clients, 'sess:123'), [-1, -1]);
  await promised(store.touch('123', asSession({ cookie: { expires: inSeconds(5).toISOString() } })));
  t.deepEqual(await pttls(clients, 'sess:123'), [-1, -1]);
  await promised(store.touch('missing', asSession({ cookie: { expires: inSeconds(5).toISOString() } })));
  t.deepEqual(await pttls(clients, 'sess:missing'), [-2, -2], 'touch created nothing');
});

test('a ttl function returning 0 or less deletes the session, through set and through touch', async t => {
  const { store } = await lifecycle(t, { ttl: (s: { seconds: number }) => s.seconds });
  for (const seconds of [0, -5]) {
    const id = `set${seconds}`;
    await promised(store.set(id, asSession({ seconds: 60 })));
    t.like(await store.get(id), { seconds: 60 });
    await promised(store.set(id, asSession({ seconds })));
    t.is(await store.get(id), null, `set with ttl ${seconds}`);
  }
  await promised(store.set('touched', asSession({ seconds: 60 })));
  await promised(store.touch('touched', asSession({ seconds: 0 })));
  t.is(await store.get('touched'), null, 'touch with ttl 0');
  t.is(await store.length(), 0);
});
