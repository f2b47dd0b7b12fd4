// Issue 3 acceptance, the swap matrix: a session written under each built-in configuration (json,
// msgpack; offload never and always) is read by every other one under the same prefix and servers,
// connect-redis reads what 'json' wrote, and every configuration reads what connect-redis wrote.
// The express-session Cookie survives as JSON makes it (expires an ISO string).
import test from 'ava';
import { RedisStore as ConnectRedis } from 'connect-redis';
import { createClient } from 'redis';
import type { RedisStore } from '../src/index.js';
import { asSession, decodeStored, FORMAT, jsonRoundTrip, realCookie, viewStored, openCodecStore } from './helpers/codec-util.js';
import type { RedisServer } from './helpers/redis-server.js';
import { fileServers } from './helpers/file-servers.js';
import { directClient, rawValue, uniquePrefix } from './helpers/store.js';

const servers = fileServers(2);

const CONFIGS = [
  { name: 'json/never', serializer: 'json', offload: 'never' },
  { name: 'json/always', serializer: 'json', offload: 'always' },
  { name: 'msgpack/never', serializer: 'msgpack', offload: 'never' },
  { name: 'msgpack/always', serializer: 'msgpack', offload: 'always' },
] as const;
type Config = (typeof CONFIGS)[number];

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

async function storesFor(t: import('ava').ExecutionContext, prefix: string): Promise<Map<Config, RedisStore>> {
  const stores = new Map<Config, RedisStore>();
  for (const config of CONFIGS) {
    const store = await openCodecStore(t, servers, { prefix, serializer: config.serializer, offload: config.offload, commandTimeout: 5000 });
    store.on('error', (error: Error) => t.fail(`${config.name} emitted ${error.name}: ${error.message}`));
    stores.set(config, store);
  }
  return stores;
}

test('every built-in configuration reads what every other one wrote, under the same prefix', async t => {
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
      if (writer.serializer === 'json') {
        t.is(view.format, undefined, `${writer.name} writes plain JSON`);
        t.true(raw.equals(Buffer.from(JSON.stringify(session), 'utf8')), `${writer.name} stores exactly JSON.stringify(session)`);
      } else {
        t.is(view.format, FORMAT.msgpack, `${writer.name} writes an msgpack envelope`);
      }
    }
  }
  for (const [writer] of stores) {
    const expected = jsonRoundTrip(written.get(writer));
    for (const [reader, store] of stores) {
      const got = await store.get(`from-${writer.name}`);
      t.deepEqual(got, expected, `${reader.name} reads what ${writer.name} wrote`);
      t.true(got !== null && Object.hasOwn(got, '__proto__'), `${reader.name} ← ${writer.name}: __proto__ is an own key`);
    }
  }
});

test('the express-session Cookie survives every configuration: expires is an ISO string, read back and as stored', async t => {
  const prefix = uniquePrefix(t);
  const stores = await storesFor(t, prefix);
  const client = await directClient(t, servers[1]!);
  for (const [writer, store] of stores) {
    const cookie = realCookie(3_600_000);
    const expectedExpires = (cookie.expires as Date).toISOString();
    await store.set(`cookie-${writer.name}`, asSession({ cookie, n: 1 }));
    const stored = decodeStored((await rawValue(client, prefix + `cookie-${writer.name}`))!) as { cookie: Record<string, unknown> };
    t.is(stored.cookie.expires, expectedExpires, `${writer.name}: stored cookie.expires is the ISO string`);
    t.false('_expires' in stored.cookie, `${writer.name}: the Cookie's private _expires is not stored`);
    t.deepEqual(stored.cookie, jsonRoundTrip(cookie), `${writer.name}: stored cookie is cookie.toJSON() as JSON`);
    for (const [reader, readerStore] of stores) {
      const got = (await readerStore.get(`cookie-${writer.name}`)) as { cookie: Record<string, unknown> } | null;
      t.is(typeof got?.cookie.expires, 'string', `${reader.name} ← ${writer.name}`);
      t.regex(String(got?.cookie.expires), ISO);
      t.is(got?.cookie.expires, expectedExpires);
      t.is(got?.cookie.originalMaxAge, 3_600_000);
    }
  }
});

test('connect-redis reads what the json configurations wrote, and every configuration reads what connect-redis wrote', async t => {
  const prefix = uniquePrefix(t);
  const stores = await storesFor(t, prefix);
  const legacy = await Promise.all(servers.map(s => connectRedisOn(t, s, prefix)));

  // connect-redis writes plain JSON to each deployment (one connect-redis store per member).
  const legacySession = richSession('connect-redis');
  for (const l of legacy) await l.set('from-connect-redis', asSession(legacySession));
  for (const [reader, store] of stores) {
    t.deepEqual(await store.get('from-connect-redis'), jsonRoundTrip(legacySession), `${reader.name} reads connect-redis's session`);
  }

  for (const writer of CONFIGS.filter(c => c.serializer === 'json')) {
    const session = richSession(writer.name);
    await stores.get(writer)!.set(`for-connect-redis-${writer.name}`, asSession(session));
    for (const [i, l] of legacy.entries()) {
      t.deepEqual(await l.get(`for-connect-redis-${writer.name}`), jsonRoundTrip(session), `connect-redis on member ${i} reads ${writer.name}`);
    }
  }
});

test('a session passed from configuration to configuration (read, then written back) stays equal to its JSON round trip', async t => {
  const prefix = uniquePrefix(t);
  const stores = await storesFor(t, prefix);
  const [legacy] = await Promise.all(servers.map(s => connectRedisOn(t, s, prefix)));
  const session = richSession('chain');
  const expected = jsonRoundTrip(session);
  await stores.get(CONFIGS[0])!.set('chain', asSession(session));
  // A live deployment switching serializer and offload back and forth logs nobody out.
  for (const config of [CONFIGS[2], CONFIGS[1], CONFIGS[3], CONFIGS[0], CONFIGS[3], CONFIGS[2], CONFIGS[1]]) {
    const store = stores.get(config)!;
    const got = await store.get('chain');
    t.deepEqual(got, expected, `${config.name} reads the session`);
    await store.set('chain', asSession(got));
  }
  // Last written by json/always: plain JSON again, which connect-redis reads.
  t.deepEqual(await legacy!.get('chain'), expected);
});
