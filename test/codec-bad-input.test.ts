// Issue 3 acceptance, bad input: sessions that cannot be encoded error through the callback or
// Promise and write nothing; an encoded session over maxSize is refused with SessionTooLargeError
// and writes nothing; stored bytes no codec can decode (or that decode to a non-object) make that
// member's answer invalid: a DecodeError on `error` with `.client`, another member's valid answer
// wins, none gives null, and the store keeps working.
import test from 'ava';
import type { RedisClientType } from 'redis';
import { DecodeError, SessionTooLargeError, type ExpredisOptions, type RedisStore } from '../src/index.js';
import {
  asSession,
  FORMAT,
  jsonRoundTrip,
  moduleSerializer,
  realCookie,
  settleWithin,
  stringHeavySession,
  viaCallback,
  within,
  openCodecStore,
} from './helpers/codec-util.js';
import { fileServers } from './helpers/file-servers.js';
import { startServers, type RedisServer } from './helpers/redis-server.js';
import { directClient, rawValue } from './helpers/store.js';

const servers = fileServers(2);

const throwingObject = {
  stringify(session: unknown): string {
    if ((session as { explode?: boolean }).explode) throw new RangeError('inline serializer refuses this session');
    return JSON.stringify(session);
  },
  parse: (text: string) => JSON.parse(text) as unknown,
};

interface Config {
  name: string;
  options: Partial<ExpredisOptions>;
}
const CONFIGS: Config[] = [
  { name: 'json/never', options: { serializer: 'json', offload: 'never' } },
  { name: 'json/auto', options: { serializer: 'json', offload: 'auto' } },
  { name: 'json/always', options: { serializer: 'json', offload: 'always' } },
  { name: 'msgpack/never', options: { serializer: 'msgpack', offload: 'never' } },
  { name: 'msgpack/always', options: { serializer: 'msgpack', offload: 'always' } },
  { name: 'module/never', options: { serializer: moduleSerializer('codec-throwing-module'), offload: 'never' } },
  { name: 'module/always', options: { serializer: moduleSerializer('codec-throwing-module'), offload: 'always' } },
  { name: 'object/auto', options: { serializer: throwingObject, offload: 'auto' } },
];

function circular(): Record<string, unknown> {
  const s: Record<string, unknown> = { cookie: realCookie(), user: { name: 'peter' } };
  (s.user as Record<string, unknown>).self = s;
  return s;
}

const UNENCODABLE: Record<string, () => Record<string, unknown>> = {
  circular,
  'circular through an array': () => {
    const list: unknown[] = [1];
    list.push({ list });
    return { cookie: realCookie(), list };
  },
  BigInt: () => ({ cookie: realCookie(), count: 10n }),
  'nested BigInt': () => ({ cookie: realCookie(), deep: { deeper: [1, { n: BigInt(2) ** 70n }] } }),
};

async function members(t: import('ava').ExecutionContext): Promise<RedisClientType[]> {
  return Promise.all(servers.map(s => directClient(t, s)));
}

/** The bytes each member holds at `key`, as hex (null when missing). */
async function snapshot(clients: RedisClientType[], key: string): Promise<(string | null)[]> {
  return Promise.all(clients.map(async c => (await rawValue(c, key))?.toString('hex') ?? null));
}

for (const config of CONFIGS) {
  test(`${config.name}: a session that cannot be encoded (cycles, BigInt) errors through the Promise and the callback, and nothing reaches any member`, async t => {
    const store = await openCodecStore(t, servers, { ...config.options, commandTimeout: 5000 });
    const clients = await members(t);
    const valid = { cookie: realCookie(), ok: true };
    await store.set('kept', asSession(valid));
    const before = await snapshot(clients, store.prefix + 'kept');
    for (const [name, make] of Object.entries(UNENCODABLE)) {
      const viaPromise = await settleWithin(store.set('kept', asSession(make())), 10_000);
      t.is(viaPromise.status, 'rejected', `${name}: the Promise rejects`);
      if (viaPromise.status === 'rejected') t.true(viaPromise.error instanceof TypeError, `${name}: ${String(viaPromise.error)}`);
      const viaCb = await settleWithin(viaCallback(cb => store.set('kept', asSession(make()), cb)), 10_000);
      t.is(viaCb.status, 'rejected', `${name}: the callback gets the error`);
      const fresh = await settleWithin(store.set(`never-${name}`, asSession(make())), 10_000);
      t.is(fresh.status, 'rejected', `${name}: a new id is refused too`);
      t.deepEqual(await snapshot(clients, store.prefix + `never-${name}`), [null, null], `${name}: nothing written under a new id`);
    }
    t.deepEqual(await snapshot(clients, store.prefix + 'kept'), before, 'the stored session is untouched');
    t.deepEqual(await store.get('kept'), jsonRoundTrip(valid));
    // And the store keeps working.
    await store.set('after', asSession(valid));
    t.deepEqual(await store.get('after'), jsonRoundTrip(valid));
  });
}

for (const [name, options] of [
  ['a plain { stringify, parse } object (inline)', { serializer: throwingObject, offload: 'auto' }],
  ['a { module } serializer in a worker', { serializer: moduleSerializer('codec-throwing-module'), offload: 'always' }],
  ['a { module } serializer inline (offload never)', { serializer: moduleSerializer('codec-throwing-module'), offload: 'never' }],
  ['a { module } serializer in a worker under offload auto (a large session)', { serializer: moduleSerializer('codec-throwing-module'), offload: 'auto' }],
] as const) {
  test(`a custom serializer that throws, ${name}: the error reaches the Promise and the callback, and nothing is written`, async t => {
    const store = await openCodecStore(t, servers, { ...options, commandTimeout: 5000 });
    const clients = await members(t);
    const session = () => stringHeavySession(name.includes('large') ? 200 * 1024 : 100, { explode: true });
    const p = await settleWithin(store.set('boom', asSession(session())), 10_000);
    t.is(p.status, 'rejected');
    if (p.status === 'rejected') {
      t.true(p.error instanceof Error, String(p.error));
      // Inline, the serializer's own error comes through; from a worker it crosses a structured clone.
      if (!name.includes('worker')) t.regex((p.error as Error).name, /RangeError|SerializerExploded/, String(p.error));
      t.log(`${(p.error as Error).name}: ${(p.error as Error).message}`);
    }
    const cb = await settleWithin(viaCallback(done => store.set('boom', asSession(session()), done)), 10_000);
    t.is(cb.status, 'rejected');
    t.deepEqual(await snapshot(clients, store.prefix + 'boom'), [null, null]);
    await store.set('fine', asSession({ cookie: realCookie(), ok: 1 }));
    t.like(await store.get('fine'), { ok: 1 });
  });
}

for (const config of CONFIGS.filter(c => !c.name.startsWith('object') && !c.name.startsWith('module'))) {
  test(`${config.name}: a session whose encoded form is larger than maxSize is refused with SessionTooLargeError and nothing is written`, async t => {
    const limit = 4096;
    const store = await openCodecStore(t, servers, { ...config.options, maxSize: limit, commandTimeout: 5000 });
    const clients = await members(t);
    const fits = { cookie: realCookie(), blob: 'a'.repeat(1000) };
    await store.set('s', asSession(fits));
    const before = await snapshot(clients, store.prefix + 's');
    const tooBig = { cookie: realCookie(), blob: 'é'.repeat(3000) }; // 3000 chars, over 6000 bytes as UTF-8
    for (const [how, call] of [
      ['Promise', () => store.set('s', asSession(tooBig))],
      ['callback', () => viaCallback(cb => store.set('s', asSession(tooBig), cb))],
      ['new id', () => store.set('new', asSession(tooBig))],
    ] as const) {
      const result = await settleWithin(call(), 10_000);
      t.is(result.status, 'rejected', how);
      if (result.status !== 'rejected') continue;
      const error = result.error as SessionTooLargeError;
      t.true(error instanceof SessionTooLargeError, `${how}: ${String(error)}`);
      t.is(error.code, 'ERR_EXPREDIS_SESSION_TOO_LARGE');
      t.is(error.name, 'SessionTooLargeError');
      t.is(error.limit, limit);
      t.true(error.size > limit, `${how}: size ${error.size}`);
      t.true(error.size >= Buffer.byteLength(JSON.stringify(tooBig)) * 0.9, `${how}: size counts bytes, not characters (${error.size})`);
    }
    t.deepEqual(await snapshot(clients, store.prefix + 's'), before, 'the stored session is untouched');
    t.deepEqual(await snapshot(clients, store.prefix + 'new'), [null, null]);
    t.deepEqual(await store.get('s'), jsonRoundTrip(fits));
  });
}

test('a session exactly at maxSize is written; one byte more is refused', async t => {
  const store = await openCodecStore(t, servers, { serializer: 'json', offload: 'never', maxSize: 2000 });
  const base = { cookie: { originalMaxAge: 60_000 }, pad: '' };
  const room = 2000 - Buffer.byteLength(JSON.stringify(base));
  await store.set('exact', asSession({ ...base, pad: 'p'.repeat(room) }));
  t.like(await store.get('exact'), { pad: 'p'.repeat(room) });
  const over = await settleWithin(store.set('over', asSession({ ...base, pad: 'p'.repeat(room + 1) })), 10_000);
  t.is(over.status, 'rejected');
  if (over.status === 'rejected') t.like(over.error as SessionTooLargeError, { size: 2001, limit: 2000 });
});

// ---- stored bytes that do not decode ----

/** A valid msgpack envelope, as a member holds it. */
async function validMsgpack(t: import('ava').ExecutionContext): Promise<Buffer> {
  const store = await openCodecStore(t, servers, { serializer: 'msgpack', offload: 'never' });
  await store.set('sample', asSession({ cookie: realCookie(), user: { name: 'peter', roles: ['a', 'b'] }, text: 'x'.repeat(300) }));
  return (await rawValue(await directClient(t, servers[0]!), store.prefix + 'sample'))!;
}

function withByte(bytes: Buffer, at: number, value: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = value;
  return copy;
}

async function badValues(t: import('ava').ExecutionContext): Promise<Record<string, Buffer | string>> {
  const msgpack = await validMsgpack(t);
  return {
    'truncated msgpack': msgpack.subarray(0, Math.floor(msgpack.length / 2)),
    'msgpack cut after the header': msgpack.subarray(0, 17),
    'an envelope shorter than its header': msgpack.subarray(0, 10),
    'garbage bytes': Buffer.from([0xff, 0xfe, 0xfd, 0x00, 0x13, 0x37, 0xc1, 0x80, 0x9f]),
    'garbage text': 'this is not JSON {',
    'unknown envelope version': withByte(msgpack, 4, 0x63),
    'unknown format': withByte(msgpack, 5, 0x09),
    'unknown flags bit (reserved bit 7)': withByte(msgpack, 6, 0x80),
    'a compression flag on a payload that is not compressed': withByte(msgpack, 6, 0x01),
    'JSON array': '[1,2]',
    'JSON number': '42',
    'JSON string': '"a session?"',
    'JSON null': 'null',
    'msgpack array in an envelope': Buffer.concat([msgpack.subarray(0, 16), Buffer.from([0x92, 0x01, 0x02])]),
    'msgpack string in an envelope': Buffer.concat([msgpack.subarray(0, 16), Buffer.from([0xa2, 0x68, 0x69])]),
  };
}

function decodeErrors(store: RedisStore): DecodeError[] {
  const seen: DecodeError[] = [];
  store.on('error', (error: Error) => {
    if (error instanceof DecodeError) seen.push(error);
  });
  return seen;
}

for (const serializer of ['json', 'msgpack'] as const) {
  test(`${serializer}: stored bytes that decode to no session on every member give null, each reported as a DecodeError with .client, and the store keeps working`, async t => {
    const bad = await badValues(t);
    const store = await openCodecStore(t, servers, { serializer, commandTimeout: 5000 });
    const errors = decodeErrors(store);
    const clients = await members(t);
    for (const [name, value] of Object.entries(bad)) {
      const key = store.prefix + name;
      await Promise.all(clients.map(c => c.set(key, value)));
      errors.length = 0;
      t.is(await within(store.get(name), 10_000, `get ${name}`), null, `${name}: no valid answer gives null`);
      t.is(errors.length, 2, `${name}: one DecodeError per member`);
      for (const error of errors) t.is(error.code, 'ERR_EXPREDIS_DECODE');
      t.deepEqual(new Set(errors.map(e => e.client)), new Set(store.clients), `${name}: .client names each member`);
      // The store keeps working: the same id can be written and read again.
      const session = { cookie: realCookie(), recovered: name };
      await store.set(name, asSession(session));
      t.deepEqual(await store.get(name), jsonRoundTrip(session), `${name}: written again and read back`);
    }
  });
}

test('stats().codec.decodeFailures counts every member answer that failed to decode, envelope errors included', async t => {
  const bad = await badValues(t);
  const store = await openCodecStore(t, servers, { serializer: 'msgpack' });
  const errors = decodeErrors(store);
  const clients = await members(t);
  const missed: string[] = [];
  for (const [name, value] of Object.entries(bad)) {
    await Promise.all(clients.map(c => c.set(store.prefix + name, value)));
    const before = store.stats().codec.decodeFailures;
    errors.length = 0;
    t.is(await store.get(name), null);
    const counted = store.stats().codec.decodeFailures - before;
    if (counted !== errors.length) missed.push(`${name}: ${errors.length} DecodeError events, decodeFailures +${counted}`);
  }
  t.deepEqual(missed, []);
});

test('one member holding undecodable bytes: the DecodeError names it, and the other member\'s valid answer wins', async t => {
  t.timeout(60_000);
  // Servers of this test only: member 1 is paused so that member 0's bad answer is decoded first.
  const own = await startServers(2);
  t.teardown(() => Promise.all(own.map(s => s.close())));
  const bad = await badValues(t);
  const store = await openCodecStore(t, own, { serializer: 'msgpack', commandTimeout: 5000, readRepair: false });
  const errors = decodeErrors(store);
  const [c0, c1] = await members2(t, own);
  for (const [name, value] of Object.entries(bad)) {
    const session = { cookie: realCookie(), good: name };
    await store.set(name, asSession(session));
    await c0.set(store.prefix + name, value);
    errors.length = 0;
    own[1]!.stop();
    let got: Promise<unknown>;
    try {
      got = store.get(name);
      const deadline = Date.now() + 5000;
      while (errors.length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 10));
    } finally {
      own[1]!.resume();
    }
    t.deepEqual(await within(got, 10_000, `get ${name}`), jsonRoundTrip(session), `${name}: the valid answer wins`);
    t.is(errors.length, 1, `${name}: one DecodeError`);
    t.is(errors[0]?.client, store.clients[0], `${name}: .client is the member holding the bad bytes`);
    t.true(errors[0] instanceof DecodeError);
  }
  // Still working afterwards, on both members.
  await store.set('after', asSession({ cookie: realCookie(), ok: true }));
  t.like(await store.get('after'), { ok: true });
  t.truthy(await rawValue(c1, store.prefix + 'after'));
});

async function members2(t: import('ava').ExecutionContext, own: RedisServer[]): Promise<[RedisClientType, RedisClientType]> {
  return [await directClient(t, own[0]!), await directClient(t, own[1]!)];
}

test('a tombstone is not a decode failure, and a value only a module serializer can read is a DecodeError for the built-ins', async t => {
  const moduleStore = await openCodecStore(t, servers, { serializer: moduleSerializer('codec-throwing-module'), offload: 'never' });
  await moduleStore.set('m', asSession({ cookie: realCookie(), viaModule: true }));
  const json = await openCodecStore(t, servers, { prefix: moduleStore.prefix, serializer: 'json' });
  const errors = decodeErrors(json);
  t.is(await json.get('m'), null, 'a built-in serializer cannot read a module-format value');
  t.is(errors.length, 2);
  const raw = (await rawValue(await directClient(t, servers[0]!), moduleStore.prefix + 'm'))!;
  t.is(raw[5], FORMAT.module);

  errors.length = 0;
  await json.set('t', asSession({ cookie: realCookie() }));
  await json.destroy('t');
  t.is(await json.get('t'), null);
  t.deepEqual(errors, [], 'a tombstone is absence, not an error');
});
