// Small sessions of a text configuration ('json', or a plain-object serializer) are read as
// strings once their size is known (node-redis's Buffer replies cost measurably more per GET).
// A value that is binary after all (another configuration's envelope, a tombstone) must still
// read as it does from bytes: these tests make the store learn a small size first, then change
// what the members hold behind its back.
import test, { type ExecutionContext } from 'ava';
import type { RedisClientType } from 'redis';
import type { RedisStore } from '../src/index.js';
import { asSession, FORMAT, openCodecStore, viewStored } from './helpers/codec-util.js';
import { fileServers } from './helpers/file-servers.js';
import { directClient, eventually, rawValue, uniquePrefix } from './helpers/store.js';

const servers = fileServers(2);

const small = (data: Record<string, unknown>) => ({
  cookie: { originalMaxAge: 600_000, expires: new Date(Date.now() + 600_000).toISOString(), httpOnly: true, path: '/' },
  ...data,
});

/** GET commands a server has run so far (INFO commandstats). */
async function getCalls(client: RedisClientType): Promise<number> {
  const info = await client.info('commandstats');
  const match = /cmdstat_get:calls=(\d+)/.exec(info);
  return match ? Number(match[1]) : 0;
}

/** A json store and a direct client per member, with `sid` written and read once (its size known). */
async function learned(t: ExecutionContext, options: Parameters<typeof openCodecStore>[2] = {}) {
  const prefix = uniquePrefix(t);
  const store = await openCodecStore(t, servers, { prefix, ...options });
  const errors: Error[] = [];
  store.on('error', (error: Error) => errors.push(error));
  const direct = [await directClient(t, servers[0]!), await directClient(t, servers[1]!)];
  const sid = 'reader';
  await store.set(sid, asSession(small({ n: 1 })));
  t.like(await store.get(sid), { n: 1 });
  return { store, direct, sid, key: prefix + sid, prefix, errors };
}

async function writerStore(t: ExecutionContext, prefix: string, serializer: 'msgpack' | 'json'): Promise<RedisStore> {
  return openCodecStore(t, servers, { prefix, serializer });
}

test.serial('a msgpack value written over a small JSON session is read again as bytes and returned whole', async t => {
  const { store, direct, sid, key, prefix, errors } = await learned(t);
  const writer = await writerStore(t, prefix, 'msgpack');
  const session = small({ user: 'Zoë 🐍 日本', bytes: Buffer.from([0, 0xe5, 0xff]).toString('base64'), list: [1, 'two', null] });
  await writer.set(sid, asSession(session));
  t.is(viewStored((await rawValue(direct[0]!, key))!).format, FORMAT.msgpack);

  const before = await Promise.all(direct.map(getCalls));
  t.deepEqual(await store.get(sid), JSON.parse(JSON.stringify(session)));
  const after = await Promise.all(direct.map(getCalls));
  // The member whose answer won was asked twice: once as text, once more for the bytes. (Serial:
  // no other test of this file sends commands meanwhile.)
  t.true(after.some((n, i) => n - before[i]! === 2), `GET calls per member: ${after.map((n, i) => n - before[i]!).join(', ')}`);
  t.deepEqual(errors, []);
});

test('a tombstone read as text is absent: get yields null, no DecodeError, and nothing is repaired over it', async t => {
  const { store, direct, sid, key, errors } = await learned(t);
  await store.destroy(sid);
  t.is(viewStored((await rawValue(direct[0]!, key))!).format, FORMAT.tombstone);
  await direct[1]!.del(key); // one member lost even the tombstone

  t.is(await store.get(sid), null);
  await new Promise(resolve => setTimeout(resolve, 100));
  t.is(viewStored((await rawValue(direct[0]!, key))!).format, FORMAT.tombstone);
  t.is(await direct[1]!.exists(key), 0, 'no session was repaired from a tombstone');
  t.deepEqual(errors, []);
});

test('a member that missed the logout still serves the session next to a tombstone (readQuorum 1), as text', async t => {
  const { store, direct, sid, key } = await learned(t);
  const kept = await rawValue(direct[1]!, key);
  await store.destroy(sid);
  await direct[1]!.set(key, kept!, { PX: 600_000 });
  t.like(await store.get(sid), { n: 1 });
});

test('a session read as text repairs a member that lacks it with the very same bytes and its TTL', async t => {
  const { store, direct, sid, key } = await learned(t);
  const text = small({ who: 'Zoë 🐍 𝄞', escaped: '\u2028 "quoted" \\ \u0000' });
  await store.set(sid, asSession(text));
  await direct[1]!.del(key);
  t.like(await store.get(sid), { who: 'Zoë 🐍 𝄞' });
  await eventually(async () => (await direct[1]!.exists(key)) === 1, 5000, 'repair of member 2');
  t.deepEqual(await rawValue(direct[1]!, key), await rawValue(direct[0]!, key));
  t.true((await direct[1]!.pTTL(key)) > 500_000);
});

test('bytes that are not UTF-8 JSON, read as text, are a DecodeError and count as absent', async t => {
  const { store, direct, sid, key, errors } = await learned(t);
  await Promise.all(direct.map(c => c.set(key, Buffer.from([0xff, 0xfe, 0x7b]), { PX: 600_000 })));
  t.is(await store.get(sid), null);
  t.is(errors.length, 2);
  t.true(errors.every(e => e.name === 'DecodeError' && 'client' in e));
});

test('a plain-object serializer reads its own small output as text, and a value it cannot parse is a DecodeError', async t => {
  const serializer = {
    stringify: (value: unknown) => 'v1:' + JSON.stringify(value),
    parse: (text: string) => {
      if (!text.startsWith('v1:')) throw new Error('not v1');
      return JSON.parse(text.slice(3)) as unknown;
    },
  };
  const { store, direct, sid, key, errors } = await learned(t, { serializer });
  t.is((await rawValue(direct[0]!, key))!.toString('utf8').slice(0, 3), 'v1:');
  await Promise.all(direct.map(c => c.set(key, 'v0:{}', { PX: 600_000 })));
  t.is(await store.get(sid), null);
  t.true(errors.length === 2 && errors.every(e => e.name === 'DecodeError'));
});

test('with readQuorum 2 reads stay bytes: the newer msgpack value beats an older plain JSON copy', async t => {
  const { store, direct, sid, key, prefix } = await learned(t, { readQuorum: 2 });
  const writer = await writerStore(t, prefix, 'msgpack');
  const stale = await rawValue(direct[1]!, key);
  await writer.set(sid, asSession(small({ n: 2 })));
  await direct[1]!.set(key, stale!, { PX: 600_000 }); // member 2 back to the unversioned JSON
  for (let i = 0; i < 5; i++) t.like(await store.get(sid), { n: 2 });
});
