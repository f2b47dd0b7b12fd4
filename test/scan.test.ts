// Issue 2 acceptance: length, ids, all and clear walk keys with SCAN restricted to the prefix
// (glob characters escaped), over the union of the members, and count no tombstone. clear()
// never deletes a key outside the prefix. clear() settles by writeQuorum like any write: tests
// that look at every member right after a write or a clear use writeQuorum 'all' (with the
// default of 1 it resolves on the first acknowledgement, before the others need be done).
import test, { type ExecutionContext } from 'ava';
import type { RedisClientType } from 'redis';
import { asSession, direct, open, ownServers, promised } from './helpers/foundation-util.js';
import { fileServers } from './helpers/file-servers.js';
import { rawValue, sessionWith, uniquePrefix } from './helpers/store.js';

const servers = fileServers(2);

const sessionJson = (data: Record<string, unknown> = {}) => JSON.stringify(sessionWith(data, 600_000));

/** Writes `keys` as session-shaped JSON on every member, and a hash at `hashKey` if given. */
async function plant(clients: RedisClientType[], keys: string[], hashKey?: string): Promise<Map<string, string>> {
  const planted = new Map(keys.map(k => [k, sessionJson({ planted: k })]));
  for (const client of clients) {
    for (const [key, value] of planted) await client.set(key, value);
    if (hashKey) await client.hSet(hashKey, 'field', 'value');
  }
  return planted;
}

async function assertUntouched(t: ExecutionContext, clients: RedisClientType[], planted: Map<string, string>): Promise<void> {
  for (const client of clients) {
    for (const [key, value] of planted) t.is((await rawValue(client, key))?.toString(), value, `${key} untouched`);
  }
}

test('clear() with prefix app* deletes app*1 and leaves apple, application and every other key; length and ids count only app* keys', async t => {
  const own = await ownServers(t, 2);
  const clients = await Promise.all(own.map(s => direct(t, s)));
  const store = await open(t, own, { prefix: 'app*', writeQuorum: 'all' });
  await promised(store.set('1', asSession(sessionWith())));
  await promised(store.set('2', asSession(sessionWith())));
  const planted = await plant(clients, ['apple', 'application', 'app', 'appX1', 'ap*1', 'APP*1', 'session:1', 'other'], 'apps');

  t.is(await store.length(), 2);
  t.deepEqual((await store.ids()).sort(), ['1', '2']);
  t.deepEqual((await store.all()).map(s => s.id).sort(), ['1', '2']);

  await promised(store.clear());
  t.is(await store.length(), 0);
  for (const client of clients) {
    t.is(await client.exists(['app*1', 'app*2']), 0, 'app*1 and app*2 are gone');
    t.is(await client.hGet('apps', 'field'), 'value');
    t.is(await client.dbSize(), planted.size + 1, 'nothing else was deleted');
  }
  await assertUntouched(t, clients, planted);
});

const globPrefixes: [string, (u: string) => string, (u: string) => string[]][] = [
  ['?', u => `${u}a?b:`, u => [`${u}axb:1`, `${u}a-b:1`]],
  ['[', u => `${u}a[bc]:`, u => [`${u}ab:1`, `${u}ac:1`]],
  ['\\', u => `${u}a\\b:`, u => [`${u}ab:1`, `${u}a\\\\b:1`]],
  ['* in the middle', u => `${u}a*z:`, u => [`${u}abcz:1`, `${u}az:1`]],
  ['[^ and ]', u => `${u}[^x]]:`, u => [`${u}y]:1`, `${u}[^x]:1`]],
];

for (const [what, makePrefix, makeDecoys] of globPrefixes) {
  test(`a prefix holding ${what} is matched literally by length, ids, all and clear`, async t => {
    const clients = await Promise.all(servers.map(s => direct(t, s)));
    const u = uniquePrefix(t);
    const prefix = makePrefix(u);
    const store = await open(t, servers, { prefix, writeQuorum: 'all' });
    await promised(store.set('one', asSession(sessionWith())));
    await promised(store.set('two', asSession(sessionWith())));
    const decoys = makeDecoys(u);
    t.false(decoys.some(d => d.startsWith(prefix)), 'the decoys are outside the prefix');
    const planted = await plant(clients, decoys);

    t.is(await store.length(), 2);
    t.deepEqual((await store.ids()).sort(), ['one', 'two']);
    t.deepEqual((await store.all()).map(s => s.id).sort(), ['one', 'two']);
    await promised(store.clear());
    t.is(await store.length(), 0);
    for (const client of clients) t.is(await client.exists([prefix + 'one', prefix + 'two']), 0);
    await assertUntouched(t, clients, planted);
  });
}

test('tombstones left by destroy are not counted by length, ids or all', async t => {
  const clients = await Promise.all(servers.map(s => direct(t, s)));
  const store = await open(t, servers, { writeQuorum: 'all' });
  for (const id of ['a', 'b', 'c']) await promised(store.set(id, asSession(sessionWith({ id }))));
  await promised(store.destroy('b'));
  await promised(store.destroy('never-written'));
  for (const client of clients) {
    t.is(await client.exists([store.prefix + 'b', store.prefix + 'never-written']), 2, 'the tombstones are there');
  }
  t.is(await store.length(), 2);
  t.deepEqual((await store.ids()).sort(), ['a', 'c']);
  t.deepEqual((await store.all()).map(s => s.id).sort(), ['a', 'c']);
});

test('a session held by only one member is counted once, and one held by both is counted once', async t => {
  const [a, b] = await Promise.all(servers.map(s => direct(t, s)));
  const store = await open(t, servers);
  const both = sessionWith({ where: 'both' });
  await promised(store.set('both', asSession(both)));
  const onlyA = sessionWith({ where: 'A' });
  const onlyB = sessionWith({ where: 'B' });
  await a!.set(store.prefix + 'onlyA', JSON.stringify(onlyA));
  await b!.set(store.prefix + 'onlyB', JSON.stringify(onlyB));

  t.is(await store.length(), 3);
  t.deepEqual((await store.ids()).sort(), ['both', 'onlyA', 'onlyB']);
  const all = (await store.all()).sort((x, y) => x.id.localeCompare(y.id));
  t.deepEqual(all as unknown, [
    { ...both, id: 'both' },
    { ...onlyA, id: 'onlyA' },
    { ...onlyB, id: 'onlyB' },
  ]);
});

test('a session one member still holds is not counted when another member holds its newer tombstone', async t => {
  const [, b] = await Promise.all(servers.map(s => direct(t, s)));
  const store = await open(t, servers);
  await promised(store.set('kept', asSession(sessionWith())));
  // Destroyed through member A alone (as if B had missed the logout), then B still holds it.
  const onlyA = await open(t, [servers[0]!], { prefix: store.prefix });
  await promised(onlyA.destroy('gone'));
  await b!.set(store.prefix + 'gone', sessionJson({ stale: true }));
  t.is(await store.length(), 1);
  t.deepEqual(await store.ids(), ['kept']);
  t.deepEqual((await store.all()).map(s => s.id), ['kept']);
});

test('a small scanCount still walks every page', async t => {
  const clients = await Promise.all(servers.map(s => direct(t, s)));
  const store = await open(t, servers, { scanCount: 3, writeQuorum: 'all' });
  const ids = Array.from({ length: 40 }, (_, i) => `s${i}`);
  await Promise.all(ids.map(id => promised(store.set(id, asSession(sessionWith())))));
  t.is(await store.length(), 40);
  t.deepEqual((await store.ids()).sort(), [...ids].sort());
  t.is((await store.all()).length, 40);
  await promised(store.clear());
  t.is(await store.length(), 0);
  for (const client of clients) t.is((await client.scan('0', { MATCH: store.prefix + '*', COUNT: 1000 })).keys.length, 0);
});

test('length, ids and all answer from the reachable members when one is down', async t => {
  const own = await ownServers(t, 2);
  const store = await open(t, own);
  store.on('error', () => undefined);
  await promised(store.set('x', asSession(sessionWith())));
  await promised(store.set('y', asSession(sessionWith())));
  await own[1]!.killAndWait();
  t.is(await store.length(), 2);
  t.deepEqual((await store.ids()).sort(), ['x', 'y']);
  t.is((await store.all()).length, 2);
  await t.notThrowsAsync(promised(store.clear()));
  t.is(await store.length(), 0, 'the only reachable member was cleared');
});
