// Issue 2 acceptance ("Bad input"): every invalid option is a TypeError from the constructor that
// names the option and what it accepts (the exact messages are pinned: they are the documented
// contract), and every documented client form constructs and works against a real server.
import test, { type ExecutionContext } from 'ava';
import * as zlib from 'node:zlib';
import { createClient, type RedisClientType } from 'redis';
import { RedisStore } from '../src/index.js';
import { encryptionOption } from '../src/codec/seal-options.js';
import { asSession, direct, open, promised } from './helpers/foundation-util.js';
import type { RedisServer } from './helpers/redis-server.js';
import { fileServers } from './helpers/file-servers.js';
import { rawValue, sessionWith, uniquePrefix } from './helpers/store.js';

const servers = fileServers(1);

const json = { stringify: (v: unknown) => JSON.stringify(v), parse: (s: string): unknown => JSON.parse(s) };
const one = [{ port: 1 }];
const TTL = 'false, an integer number of seconds ≥ 1, or a function (session) => seconds';
const CLIENTS = 'options.clients must be an array with at least one entry (a config object or a node-redis client)';
const SERIALIZER = "'json', 'msgpack', an object { stringify, parse }, or { module: path }";
const COMPRESSION = "false, 'brotli', 'gzip', 'deflate', 'zstd', or { algorithm, level, threshold }";
const ENCRYPTION = 'false or { keys: [key, ...] } (each key 32 bytes: a Buffer, a Uint8Array or base64 text)';
const KEYS = 'options.encryption.keys must be a non-empty array of keys (each 32 bytes: a Buffer, a Uint8Array or base64 text)';
/** Looks like a secret; must never be echoed. */
const SECRET_TEXT = 'hunter2-super-secret-key!!';
const KNOWN =
  'clients, prefix, ttl, serializer, offload, offloadThreshold, workers, compression, encryption, writeQuorum, readQuorum, ' +
  'commandTimeout, readRepair, maxSize, scanCount, reads, touchAfter, disableTouch, unref';

/** Constructing with `options` throws exactly this TypeError (a store that does get built is closed). */
function rejects(t: ExecutionContext, options: unknown, message: string): void {
  let built: RedisStore | undefined;
  const error = t.throws(() => (built = new RedisStore(options as never)), { instanceOf: TypeError });
  if (built) {
    built.on('error', () => undefined);
    void built.close();
  }
  t.is(error?.message, message);
}

const invalid: [string, unknown, string][] = [
  ['no options at all', undefined, 'options must be an object with at least `clients`, got undefined'],
  ['no clients', {}, `${CLIENTS}, got undefined`],
  ['an empty clients array', { clients: [] }, `${CLIENTS}, got an array of 0`],
  ['clients that is not an array', { clients: { port: 1 } }, `${CLIENTS}, got an object with keys [port]`],
  ['ttl: 0', { clients: one, ttl: 0 }, `options.ttl must be ${TTL}, got 0 (number)`],
  ['ttl: 1.5', { clients: one, ttl: 1.5 }, `options.ttl must be ${TTL}, got 1.5 (number)`],
  ["ttl: '60'", { clients: one, ttl: '60' }, `options.ttl must be ${TTL}, got "60" (string)`],
  ['ttl: true', { clients: one, ttl: true }, `options.ttl must be ${TTL}, got true (boolean)`],
  ['ttl: -1', { clients: one, ttl: -1 }, `options.ttl must be ${TTL}, got -1 (number)`],
  ['a serializer without parse', { clients: one, serializer: { stringify: JSON.stringify } }, `options.serializer must have parse function(s): expected ${SERIALIZER}`],
  ['a serializer without stringify', { clients: one, serializer: { parse: JSON.parse } }, `options.serializer must have stringify function(s): expected ${SERIALIZER}`],
  ["serializer: 'xml'", { clients: one, serializer: 'xml' }, `options.serializer must be ${SERIALIZER}, got "xml" (string)`],
  ['a negative scanCount', { clients: one, scanCount: -1 }, 'options.scanCount must be an integer ≥ 1, got -1 (number)'],
  ['scanCount: 0', { clients: one, scanCount: 0 }, 'options.scanCount must be an integer ≥ 1, got 0 (number)'],
  ['a fractional scanCount', { clients: one, scanCount: 2.5 }, 'options.scanCount must be an integer ≥ 1, got 2.5 (number)'],
  ['an unknown option name', { clients: one, foo: 1 }, `options.foo is not an expredis option (known: ${KNOWN})`],
  [
    'an unknown client key',
    { clients: [{ port: 1, bogus: 1 }] },
    'options.clients[0].bogus is not a client option (legacy keys: port, host, path, tls, connect_timeout, socket_keepalive, db, enable_offline_queue; or node-redis createClient options)',
  ],
  [
    'a client keyPrefix',
    { clients: [{ port: 1, keyPrefix: 'x' }] },
    'options.clients[0].keyPrefix is not supported: use the store option `prefix` instead: the store owns every key it writes',
  ],
  ['a null client entry', { clients: [null] }, 'options.clients[0] must be a config object ({ port, host }, { url }, { socket }, { cluster }, { sentinel }) or a node-redis client, got null'],
  ['a port given as a string', { clients: [{ port: '6379' }] }, 'options.clients[0].port must be an integer port 1–65535, got "6379" (string)'],
  ['legacy keys mixed with url', { clients: [{ port: 1, url: 'redis://x' }] }, 'options.clients[0] mixes legacy keys (port) with url: use one style'],
  ['an http url', { clients: [{ url: 'http://x' }] }, 'options.clients[0].url must be a redis:// or rediss:// URL string, got "http://x" (string)'],
  ['a negative db', { clients: [{ port: 1, db: -1 }] }, 'options.clients[0].db must be an integer ≥ 0, got -1 (number)'],
  ['writeQuorum above the member count', { clients: [{ port: 1 }, { port: 2 }], writeQuorum: 3 }, 'options.writeQuorum is 3 but only 2 member(s) are configured in options.clients'],
  ['writeQuorum: 0', { clients: one, writeQuorum: 0 }, "options.writeQuorum must be an integer ≥ 1, 'majority' or 'all', got 0 (number)"],
  ["writeQuorum: 'most'", { clients: one, writeQuorum: 'most' }, "options.writeQuorum must be an integer ≥ 1, 'majority' or 'all', got \"most\" (string)"],
  [
    "offload: 'always' with a plain object serializer",
    { clients: one, offload: 'always', serializer: json },
    "options.offload 'always' cannot be used with a { stringify, parse } serializer object: functions cannot cross threads. Use { module: '/path/to/serializer.js' } to run a custom serializer in the workers",
  ],
  ['commandTimeout: 0', { clients: one, commandTimeout: 0 }, 'options.commandTimeout must be an integer number of milliseconds ≥ 1, got 0 (number)'],
  ["commandTimeout: '1000'", { clients: one, commandTimeout: '1000' }, 'options.commandTimeout must be an integer number of milliseconds ≥ 1, got "1000" (string)'],
  ['a fractional commandTimeout', { clients: one, commandTimeout: 1.5 }, 'options.commandTimeout must be an integer number of milliseconds ≥ 1, got 1.5 (number)'],
  ['workers: 4', { clients: one, workers: 4 }, 'options.workers must be an object { minThreads, maxThreads, idleTimeout }, got 4 (number)'],
  ['workers.maxThreads: 0', { clients: one, workers: { maxThreads: 0 } }, 'options.workers.maxThreads must be an integer ≥ 1, got 0 (number)'],
  ['an unknown workers key', { clients: one, workers: { threads: 2 } }, 'options.workers.threads is not a pool option (known: minThreads, maxThreads, idleTimeout)'],
  ['workers.minThreads above maxThreads', { clients: one, workers: { minThreads: 3, maxThreads: 2 } }, 'options.workers.minThreads (3) is larger than options.workers.maxThreads (2)'],
  ['a prefix that is not a string', { clients: one, prefix: 5 }, 'options.prefix must be a non-empty string, got 5 (number)'],
  ['an empty prefix (clear() would empty the database)', { clients: one, prefix: '' }, 'options.prefix must be a non-empty string, got "" (string)'],
  ["unref: 'yes'", { clients: one, unref: 'yes' }, 'options.unref must be a boolean, got "yes" (string)'],
  ["reads: 'first'", { clients: one, reads: 'first' }, "options.reads must be 'all' or 'hedged', got \"first\" (string)"],
  ['touchAfter: -1', { clients: one, touchAfter: -1 }, 'options.touchAfter must be an integer number of milliseconds ≥ 0, got -1 (number)'],
  ["touchAfter: '60000'", { clients: one, touchAfter: '60000' }, 'options.touchAfter must be an integer number of milliseconds ≥ 0, got "60000" (string)'],
  ["compression: 'lz4'", { clients: one, compression: 'lz4' }, `options.compression must be ${COMPRESSION}, got "lz4" (string)`],
  ['compression: true', { clients: one, compression: true }, `options.compression must be ${COMPRESSION}, got true (boolean)`],
  ["an unknown compression algorithm", { clients: one, compression: { algorithm: 'lzma' } }, `options.compression.algorithm must be ${COMPRESSION}, got "lzma" (string)`],
  ['a brotli level of 12', { clients: one, compression: { algorithm: 'brotli', level: 12 } }, 'options.compression.level must be an integer from 0 to 11 for brotli, got 12 (number)'],
  ['a gzip level of -1', { clients: one, compression: { algorithm: 'gzip', level: -1 } }, 'options.compression.level must be an integer from 0 to 9 for gzip, got -1 (number)'],
  ['a negative threshold', { clients: one, compression: { algorithm: 'deflate', threshold: -5 } }, 'options.compression.threshold must be an integer number of bytes ≥ 0, got -5 (number)'],
  ['an unknown compression key', { clients: one, compression: { algorithm: 'gzip', quality: 3 } }, 'options.compression.quality is not a compression option (known: algorithm, level, threshold)'],
  ['encryption: true', { clients: one, encryption: true }, `options.encryption must be ${ENCRYPTION}, got boolean`],
  ['encryption given a bare key string', { clients: one, encryption: SECRET_TEXT }, `options.encryption must be ${ENCRYPTION}, got string`],
  ['encryption without keys', { clients: one, encryption: {} }, `${KEYS}, got undefined`],
  ['an empty key list', { clients: one, encryption: { keys: [] } }, `${KEYS}, got an empty array`],
  ['a 16-byte key', { clients: one, encryption: { keys: [Buffer.alloc(16, 7)] } }, 'options.encryption.keys[0] must be 32 bytes, got 16 bytes'],
  [
    'a key that is not base64 of 32 bytes',
    { clients: one, encryption: { keys: [SECRET_TEXT] } },
    "options.encryption.keys[0] must be the base64 text of 32 bytes (44 characters ending in '='), got a string of 26 characters that is not",
  ],
  ['a key of the wrong type', { clients: one, encryption: { keys: [Buffer.alloc(32, 1), 42] } }, 'options.encryption.keys[1] must be 32 bytes (a Buffer, a Uint8Array or base64 text), got number'],
  [
    'the same key twice (once as base64)',
    { clients: one, encryption: { keys: [Buffer.alloc(32, 9), Buffer.alloc(32, 1), Buffer.alloc(32, 9).toString('base64')] } },
    'options.encryption.keys[2] is the same key as keys[0]: each key must be listed once',
  ],
  [
    'more keys than the key id names',
    { clients: one, encryption: { keys: Array.from({ length: 256 }, (_, i) => Buffer.alloc(32, i)) } },
    "options.encryption.keys has 256 keys; the envelope's key id names at most 255",
  ],
  ['an unknown encryption key', { clients: one, encryption: { keys: [Buffer.alloc(32)], cipher: 'aes' } }, 'options.encryption.cipher is not an encryption option (known: keys)'],
];

test('no key material appears in any encryption TypeError', t => {
  for (const [, options, message] of invalid) {
    t.false(message.includes(SECRET_TEXT), message);
    const keys = (options as { encryption?: { keys?: unknown[] } } | undefined)?.encryption?.keys ?? [];
    for (const key of keys) if (Buffer.isBuffer(key)) t.false(message.includes(key.toString('base64')), message);
  }
});

test('each configured key is copied into 32 bytes of its own (a pooled task clones only those, not an 8 KB shared slab)', t => {
  const given = Buffer.alloc(32, 5);
  const keys = encryptionOption({ keys: [given, Buffer.alloc(32, 6).toString('base64'), new Uint8Array(32).fill(7)] })!;
  t.deepEqual(
    keys.map(k => [k.secret.byteOffset, k.secret.buffer.byteLength, k.secret[0]]),
    [
      [0, 32, 5],
      [0, 32, 6],
      [0, 32, 7],
    ],
  );
  given.fill(0);
  t.is(keys[0]!.secret[0], 5, 'a copy: the caller may reuse its buffer');
});

test(
  'zstd is refused on a Node without zlib.zstdCompressSync, naming the Node versions that have it',
  t => {
    const has = typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';
    if (has) {
      t.notThrows(() => void new RedisStore({ clients: one, compression: 'zstd' }).close());
      return;
    }
    rejects(t, { clients: one, compression: 'zstd' }, `options.compression 'zstd' needs Node 22.15+ or 23.8+ (zlib.zstdCompressSync); this is Node ${process.versions.node}: use 'brotli', 'gzip' or 'deflate'`);
  },
);

for (const [what, options, message] of invalid) {
  test(`the constructor throws a TypeError naming the option for ${what}`, t => {
    rejects(t, options, message);
  });
}

test('a legacy { port } entry defaults to host 127.0.0.1 and works', async t => {
  const store = await open(t, [], { clients: [{ port: servers[0]!.port }] });
  t.is(store.stats().members[0]!.label, `127.0.0.1:${servers[0]!.port}`);
  const data = sessionWith({ form: 'legacy' });
  await promised(store.set('sid', asSession(data)));
  t.deepEqual(await store.get('sid'), data);
});

for (const [what, entry] of [
  ['{ url }', (s: RedisServer) => ({ url: s.url })],
  ['{ socket: { port, host } }', (s: RedisServer) => ({ socket: { port: s.port, host: '127.0.0.1' } })],
  ['a legacy entry with host and enable_offline_queue (ignored)', (s: RedisServer) => ({ port: s.port, host: '127.0.0.1', enable_offline_queue: true })],
] as const) {
  test(`a node-redis style ${what} entry works`, async t => {
    const store = await open(t, [], { clients: [entry(servers[0]!)] });
    t.is(store.stats().members[0]!.label, servers[0]!.label);
    const data = sessionWith({ form: what });
    await promised(store.set('sid', asSession(data)));
    t.deepEqual(await store.get('sid'), data);
  });
}

for (const opened of [false, true]) {
  test(`an already-created node-redis client${opened ? ' that is open' : ''} is used as it is${opened ? '' : ', connected by the store,'} and left open by close()`, async t => {
    const client = createClient({ socket: { port: servers[0]!.port, host: '127.0.0.1' } }) as RedisClientType;
    client.on('error', () => undefined);
    t.teardown(() => (client.isOpen ? client.destroy() : undefined));
    if (opened) await client.connect();
    const store = new RedisStore({ clients: [client], prefix: uniquePrefix(t), commandTimeout: 5000 });
    t.teardown(() => promised(store.close()));
    t.is(store.clients[0], client);
    await promised(store.ready({ timeout: 15_000 }));
    t.true(client.isReady, 'the store connected it');
    const data = sessionWith({ form: 'client' });
    await promised(store.set('sid', asSession(data)));
    t.deepEqual(await store.get('sid'), data);
    await promised(store.close());
    t.true(client.isOpen, 'close() left it open');
    t.is((await rawValue(client, store.prefix + 'sid'))?.toString(), JSON.stringify(data), 'and its owner can still use it');
  });
}

test('the legacy db key selects that database', async t => {
  const store = await open(t, [], { clients: [{ port: servers[0]!.port, db: 3 }] });
  await promised(store.set('sid', asSession(sessionWith())));
  const db0 = await direct(t, servers[0]!);
  t.is(await db0.exists(store.prefix + 'sid'), 0, 'not in db 0');
  await db0.select(3);
  t.is(await db0.exists(store.prefix + 'sid'), 1, 'in db 3');
});

test('clients, prefix, serializer and ttl are exposed as given, with their defaults', async t => {
  const store = await open(t, servers, { prefix: 'mine:' });
  t.is(store.clients.length, 1);
  t.is(typeof store.clients[0]!.sendCommand, 'function');
  t.true(store.clients[0]!.isReady);
  t.is(store.prefix, 'mine:');
  t.is(store.serializer, 'json');
  t.is(store.ttl, undefined);

  const defaults = await open(t, [], { clients: [{ port: servers[0]!.port }, { port: servers[0]!.port }], prefix: undefined });
  t.is(defaults.prefix, 'session');
  t.is(defaults.clients.length, 2);
  t.not(defaults.clients[0], defaults.clients[1]);

  const ttl = (s: { n?: number }) => s.n ?? 60;
  const custom = await open(t, servers, { serializer: json, ttl, prefix: 'x:' });
  t.is(custom.serializer, json);
  t.is(custom.ttl, ttl);
  t.is(custom.prefix, 'x:');
  const sixty = await open(t, servers, { ttl: 60 });
  t.is(sixty.ttl, 60);
  const never = await open(t, servers, { ttl: false });
  t.is(never.ttl, false);
});
