// Issues 3 and 10 acceptance, the swap matrix: a session written under each built-in configuration
// (serializer json or msgpack × compression off, gzip, deflate or brotli × encryption off or on;
// offload never and always) is read by every other one under the same prefix and servers (all
// given the keys), connect-redis reads what the default 'json' wrote, and every configuration
// reads what connect-redis wrote. The express-session Cookie survives as JSON makes it.
import test from 'ava';
import { RedisStore as ConnectRedis } from 'connect-redis';
import { createClient } from 'redis';
import { randomBytes } from 'node:crypto';
import { DecodeError, type ExpredisOptions, type RedisStore } from '../src/index.js';
import { asSession, decodeStored, FORMAT, jsonRoundTrip, realCookie, viewStored, openCodecStore } from './helpers/codec-util.js';
import type { RedisServer } from './helpers/redis-server.js';
import { fileServers } from './helpers/file-servers.js';
import { directClient, rawValue, uniquePrefix } from './helpers/store.js';

const servers = fileServers(2);

// Serial: each test opens one store per configuration (18 of them, half with a pool thread).

const KEYS = [randomBytes(32)];

interface Config {
  readonly name: string;
  readonly serializer: 'json' | 'msgpack';
  readonly offload: 'never' | 'always';
  readonly compression: false | 'gzip' | 'deflate' | 'brotli';
  readonly encrypted: boolean;
}

/** The plain ones first (CONFIGS[0..3], the chain test's), then every sealed combination, offload
 * alternating so that each reader and writer side runs inline and in the pool somewhere. */
const CONFIGS: readonly Config[] = (() => {
  const out: Config[] = [];
  for (const serializer of ['json', 'msgpack'] as const) {
    for (const offload of ['never', 'always'] as const) out.push({ name: `${serializer}/${offload}`, serializer, offload, compression: false, encrypted: false });
  }
  let i = 0;
  for (const serializer of ['json', 'msgpack'] as const) {
    for (const compression of [false, 'gzip', 'deflate', 'brotli'] as const) {
      for (const encrypted of [false, true]) {
        if (compression === false && !encrypted) continue;
        const offload = i++ % 2 === 0 ? 'never' : 'always';
        out.push({ name: `${serializer}+${compression || 'none'}${encrypted ? '+aes' : ''}/${offload}`, serializer, offload, compression, encrypted });
      }
    }
  }
  return out;
})();

function sealOptions(config: Config): Partial<ExpredisOptions> {
  return {
    ...(config.compression && { compression: config.compression }),
    // Every reader has the key: sessions are read across encrypted and plain configurations alike.
    ...(config.encrypted && { encryption: { keys: KEYS } }),
  };
}

function isPlainJson(config: Config): boolean {
  return config.serializer === 'json' && !config.compression && !config.encrypted;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A session with what a real one carries and what JSON changes: Cookie, Dates, toJSON, undefined, NaN, -0, holes, __proto__. */
function richSession(label: string): Record<string, unknown> {
  const s: Record<string, unknown> = {
    cookie: realCookie(3_600_000),
    writer: label,
    user: { name: 'Zoë 🐍 𝄞 日本', roles: ['admin', 'ops'], lastLogin: new Date('2026-01-02T03:04:05.678Z') },
    numbers: { negZero: -0, nan: NaN, inf: -Infinity, big: 1.7976931348623157e308, tiny: 5e-324, int: 2 ** 40 },
    gone: undefined,
    list: [1, undefined, , 'three', null], // eslint-disable-line no-sparse-arrays
    custom: { toJSON: () => ({ fromToJson: true }) },
    bytes: 'x'.repeat(5000), // above the 4 KB share-as-bytes size for JSON
  };
  Object.defineProperty(s, '__proto__', { value: { own: true }, enumerable: true, writable: true, configurable: true });
  return s;
}

async function connectRedisOn(t: import('ava').ExecutionContext, server: RedisServer, prefix: string): Promise<ConnectRedis> {
  const client = createClient({ socket: { port: server.port, host: '127.0.0.1', reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  t.teardown(() => (client.isOpen ? client.destroy() : undefined));
  return new ConnectRedis({ client, prefix });
}

/** What each store reported on `error`. */
const errors = new WeakMap<RedisStore, Error[]>();

/** A store without encryption has no key: it reads everything but encrypted values. */
function canRead(reader: Config, writer: Config): boolean {
  return reader.encrypted || !writer.encrypted;
}

async function storesFor(t: import('ava').ExecutionContext, prefix: string): Promise<Map<Config, RedisStore>> {
  const stores = new Map<Config, RedisStore>();
  for (const config of CONFIGS) {
    const store = await openCodecStore(t, servers, { prefix, serializer: config.serializer, offload: config.offload, commandTimeout: 5000, workers: { maxThreads: 1 }, ...sealOptions(config) });
    const seen: Error[] = [];
    store.on('error', (error: Error) => seen.push(error));
    errors.set(store, seen);
    stores.set(config, store);
  }
  return stores;
}

test.serial('every built-in configuration reads what every other one wrote, under the same prefix', async t => {
  const prefix = uniquePrefix(t);
  const stores = await storesFor(t, prefix);
  const clients = await Promise.all(servers.map(s => directClient(t, s)));
  const written = new Map<Config, Record<string, unknown>>();
  for (const [writer, store] of stores) {
    const session = richSession(writer.name);
    written.set(writer, session);
    await store.set(`from-${writer.name}`, asSession(session));
    // The stored form is the writer's: exactly JSON.stringify for json, an msgpack envelope otherwise.
    for (const client of clients) {
      const raw = (await rawValue(client, prefix + `from-${writer.name}`))!;
      t.truthy(raw, `${writer.name} reached every member`);
      const view = viewStored(raw);
      if (isPlainJson(writer)) {
        t.is(view.format, undefined, `${writer.name} writes plain JSON`);
        t.true(raw.equals(Buffer.from(JSON.stringify(session), 'utf8')), `${writer.name} stores exactly JSON.stringify(session)`);
      } else {
        t.is(view.format, writer.serializer === 'json' ? FORMAT.json : FORMAT.msgpack, `${writer.name} writes an envelope of its format`);
        const compressionId = { gzip: 1, deflate: 2, brotli: 3 }[writer.compression || 'none' as never] ?? 0;
        t.is(view.flags & 0x07, compressionId, `${writer.name}: the envelope names its compression`);
        t.is((view.flags & 0x08) !== 0, writer.encrypted, `${writer.name}: the envelope says whether it is encrypted`);
        if (writer.encrypted) t.false(raw.includes('Zoë'), `${writer.name}: no content in clear`);
      }
    }
  }
  for (const [writer] of stores) {
    const expected = jsonRoundTrip(written.get(writer));
    for (const [reader, store] of stores) {
      const seen = errors.get(store)!;
      seen.length = 0;
      const got = await store.get(`from-${writer.name}`);
      if (!canRead(reader, writer)) {
        t.is(got, null, `${reader.name} (no key) reads what ${writer.name} wrote as absent`);
        t.true(seen.length > 0 && seen.every(e => e instanceof DecodeError), `${reader.name} ← ${writer.name}: reported`);
        continue;
      }
      t.deepEqual(got, expected, `${reader.name} reads what ${writer.name} wrote`);
      t.true(got !== null && Object.hasOwn(got, '__proto__'), `${reader.name} ← ${writer.name}: __proto__ is an own key`);
      t.deepEqual(seen, [], `${reader.name} ← ${writer.name}: nothing reported`);
    }
  }
});

test.serial('the express-session Cookie survives every configuration: expires is an ISO string, read back and as stored', async t => {
  const prefix = uniquePrefix(t);
  const stores = await storesFor(t, prefix);
  const client = await directClient(t, servers[1]!);
  for (const [writer, store] of stores) {
    const cookie = realCookie(3_600_000);
    const expectedExpires = (cookie.expires as Date).toISOString();
    await store.set(`cookie-${writer.name}`, asSession({ cookie, n: 1 }));
    if (!writer.encrypted) {
      const stored = decodeStored((await rawValue(client, prefix + `cookie-${writer.name}`))!) as { cookie: Record<string, unknown> };
      t.is(stored.cookie.expires, expectedExpires, `${writer.name}: stored cookie.expires is the ISO string`);
      t.false('_expires' in stored.cookie, `${writer.name}: the Cookie's private _expires is not stored`);
      t.deepEqual(stored.cookie, jsonRoundTrip(cookie), `${writer.name}: stored cookie is cookie.toJSON() as JSON`);
    }
    for (const [reader, readerStore] of stores) {
      if (!canRead(reader, writer)) continue;
      const got = (await readerStore.get(`cookie-${writer.name}`)) as { cookie: Record<string, unknown> } | null;
      t.is(typeof got?.cookie.expires, 'string', `${reader.name} ← ${writer.name}`);
      t.regex(String(got?.cookie.expires), ISO);
      t.is(got?.cookie.expires, expectedExpires);
      t.is(got?.cookie.originalMaxAge, cookie.originalMaxAge, `${reader.name} ← ${writer.name}: originalMaxAge as the Cookie has it (express-session reads it back from expires, so it may be 1 ms short)`);
    }
  }
});

test.serial('connect-redis reads what the json configurations wrote, and every configuration reads what connect-redis wrote', async t => {
  const prefix = uniquePrefix(t);
  const stores = await storesFor(t, prefix);
  const legacy = await Promise.all(servers.map(s => connectRedisOn(t, s, prefix)));

  // connect-redis writes plain JSON to each deployment (one connect-redis store per member).
  const legacySession = richSession('connect-redis');
  for (const l of legacy) await l.set('from-connect-redis', asSession(legacySession));
  for (const [reader, store] of stores) {
    t.deepEqual(await store.get('from-connect-redis'), jsonRoundTrip(legacySession), `${reader.name} reads connect-redis's session`);
  }

  for (const writer of CONFIGS.filter(isPlainJson)) {
    const session = richSession(writer.name);
    await stores.get(writer)!.set(`for-connect-redis-${writer.name}`, asSession(session));
    for (const [i, l] of legacy.entries()) {
      t.deepEqual(await l.get(`for-connect-redis-${writer.name}`), jsonRoundTrip(session), `connect-redis on member ${i} reads ${writer.name}`);
    }
  }
});

test.serial('a session passed from configuration to configuration (read, then written back) stays equal to its JSON round trip', async t => {
  const prefix = uniquePrefix(t);
  const stores = await storesFor(t, prefix);
  const [legacy] = await Promise.all(servers.map(s => connectRedisOn(t, s, prefix)));
  const session = richSession('chain');
  const expected = jsonRoundTrip(session);
  await stores.get(CONFIGS[0]!)!.set('chain', asSession(session));
  // A live deployment switching serializer, compression, encryption and offload back and forth logs nobody out.
  // Encryption, once on, stays on (a store without it has no key).
  let got: unknown;
  for (const config of [2, 5, 1, 12, 9, 3, 16, 0, 10, 17, 4, 13, 8, 15].map(i => CONFIGS[i]!)) {
    const store = stores.get(config)!;
    got = await store.get('chain');
    t.deepEqual(got, expected, `${config.name} reads the session`);
    await store.set('chain', asSession(got));
  }
  // Written back by json/always: plain JSON again, which connect-redis reads.
  await stores.get(CONFIGS[1]!)!.set('chain', asSession(got));
  t.deepEqual(await legacy!.get('chain'), expected);
});
