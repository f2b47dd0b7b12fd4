// Issue 3 acceptance, write order: two sets of one id called back to back, the first large and
// encoded in the pool, the second small and encoded inline, leave every member with the second.
import test from 'ava';
import type { RedisStore } from '../src/index.js';
import { asSession, decodeStored, FORMAT, jsonRoundTrip, moduleSerializer, openCodecStore, realCookie, settleWithin, stringHeavySession, viewStored, within } from './helpers/codec-util.js';
import { fileServers } from './helpers/file-servers.js';
import { directClient, rawValue } from './helpers/store.js';

const servers = fileServers(2);

const REPEATS = 20;
const THRESHOLD = 64 * 1024;

async function checkOrder(t: import('ava').ExecutionContext, store: RedisStore, label: string): Promise<void> {
  const clients = await Promise.all(servers.map(s => directClient(t, s)));
  for (let i = 0; i < REPEATS; i++) {
    const sid = `order${i}`;
    const before = store.stats().codec;
    const big = stringHeavySession(300 * 1024, { marker: 'first', i });
    const small = { cookie: realCookie(), marker: 'second', i };
    const first = store.set(sid, asSession(big));
    const second = store.set(sid, asSession(small));
    await within(Promise.all([first, second]), 15_000, `${label}: both sets of ${sid}`);
    const after = store.stats().codec;
    // The scenario itself: the first encode went to the pool, the second ran inline.
    t.is(after.encodeOffloaded - before.encodeOffloaded, 1, `${label} ${sid}: the large session was offloaded`);
    t.is(after.encodeInline - before.encodeInline, 1, `${label} ${sid}: the small session was encoded inline`);
    for (const [m, client] of clients.entries()) {
      const raw = await rawValue(client, store.prefix + sid);
      t.truthy(raw, `${label} ${sid}: member ${m} holds the session`);
      t.like(decodeStored(raw!), { marker: 'second', i }, `${label} ${sid}: member ${m} ends with the second write`);
    }
    t.deepEqual(await store.get(sid), jsonRoundTrip(small), `${label} ${sid}: get returns the second write`);
  }
}

test('json, auto: a large string-heavy set (pool) then a small one (inline) of one id leave every member with the small one', async t => {
  t.timeout(60_000);
  const store = await openCodecStore(t, servers, { serializer: 'json', offload: 'auto', offloadThreshold: THRESHOLD, commandTimeout: 5000 });
  await checkOrder(t, store, 'json');
});

test('module, auto: a large set (pool) then a small one (inline) of one id leave every member with the small one', async t => {
  t.timeout(60_000);
  const store = await openCodecStore(t, servers, {
    serializer: moduleSerializer('codec-json-module'),
    offload: 'auto',
    offloadThreshold: THRESHOLD,
    commandTimeout: 5000,
  });
  await checkOrder(t, store, 'module');
});

test('a destroy called right after an offloaded set leaves the tombstone on every member', async t => {
  t.timeout(60_000);
  const store = await openCodecStore(t, servers, { serializer: 'msgpack', offload: 'always', commandTimeout: 5000 });
  const clients = await Promise.all(servers.map(s => directClient(t, s)));
  for (let i = 0; i < 10; i++) {
    const sid = `gone${i}`;
    const set = store.set(sid, asSession(stringHeavySession(300 * 1024)));
    const destroy = store.destroy(sid);
    await within(Promise.all([set, destroy]), 15_000, `set and destroy of ${sid}`);
    for (const [m, client] of clients.entries()) {
      const raw = await rawValue(client, store.prefix + sid);
      t.is(raw && viewStored(raw).format, FORMAT.tombstone, `${sid}: member ${m} holds the tombstone`);
    }
    t.is(await store.get(sid), null);
  }
});

test('an offloaded set that fails in the worker neither blocks nor reorders the small set called after it', async t => {
  t.timeout(60_000);
  const store = await openCodecStore(t, servers, {
    serializer: moduleSerializer('codec-throwing-module'),
    offload: 'auto',
    offloadThreshold: THRESHOLD,
  });
  const clients = await Promise.all(servers.map(s => directClient(t, s)));
  for (let i = 0; i < 5; i++) {
    const sid = `fails${i}`;
    const before = store.stats().codec;
    const first = settleWithin(store.set(sid, asSession(stringHeavySession(300 * 1024, { explode: true }))), 15_000);
    const second = store.set(sid, asSession({ cookie: realCookie(), marker: 'second', i }));
    await within(second, 15_000, `the second set of ${sid}`);
    t.is((await first).status, 'rejected', `${sid}: the set whose serializer threw rejects`);
    t.is(store.stats().codec.encodeOffloaded - before.encodeOffloaded, 1, `${sid}: the failing encode ran in the pool`);
    for (const [m, client] of clients.entries()) {
      t.like(decodeStored((await rawValue(client, store.prefix + sid))!), { marker: 'second', i }, `${sid}: member ${m}`);
    }
  }
});
