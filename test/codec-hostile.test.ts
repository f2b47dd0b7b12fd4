// Issue 9, defects 3 and 8 (codec half): a stored value another program wrote that JSON cannot
// hold (msgpack extension types, cycles, BigInt, undefined, nesting past 1,000 levels) is a
// DecodeError and reads as absent, so another member's valid copy wins; 64-bit integers read as
// numbers. A DecodeError names the member, the format and the byte length, never the content.
import test, { type ExecutionContext } from 'ava';
import { Packr } from 'msgpackr';
import { inspect } from 'node:util';
import { DecodeError, type RedisStore } from '../src/index.js';
import { asSession, FORMAT, HEADER, openCodecStore } from './helpers/codec-util.js';
import { fileServers } from './helpers/file-servers.js';
import { directClient, sessionWith, uniquePrefix } from './helpers/store.js';

const servers = fileServers(2);

/** An enveloped value of `format`, versioned an hour ahead so that a newest-wins read tries it first. */
function enveloped(format: number, payload: Uint8Array): Buffer {
  const out = Buffer.alloc(HEADER + payload.length);
  out.set([0x00, 0xe5, 0x52, 0x44, 1, format, 0, 0]);
  const ms = Date.now() + 3_600_000;
  out.writeUInt16BE(Math.floor(ms / 0x100000000), 8);
  out.writeUInt32BE(ms >>> 0, 10);
  out.set(payload, HEADER);
  return out;
}

/** What another program's msgpackr writes with every extension on. */
const foreign = new Packr({ structuredClone: true, moreTypes: true, useRecords: false });
const cookie = { originalMaxAge: 60_000, httpOnly: true, path: '/' };

function cyclic(): Record<string, unknown> {
  const a: Record<string, unknown> = { name: 'a' };
  a.self = a;
  return a;
}

/** msgpack bytes of `{ cookie, deep: [[[…null…]]] }`, `levels` arrays deep under the session. */
function deepMsgpack(levels: number): Buffer {
  const head = foreign.pack({ cookie, deep: 0 });
  // Replace the trailing 0 (positive fixint 0x00) by the nested arrays.
  return Buffer.concat([head.subarray(0, head.length - 1), Buffer.alloc(levels, 0x91), Buffer.from([0xc0])]);
}

function deepJson(levels: number): string {
  return `{"cookie":${JSON.stringify(cookie)},"deep":${'['.repeat(levels)}null${']'.repeat(levels)}}`;
}

const HOSTILE_MSGPACK: Record<string, () => Uint8Array> = {
  'a cycle (structured-clone references)': () => foreign.pack({ cookie, loop: cyclic() }),
  'a Set': () => foreign.pack({ cookie, tags: new Set(['a', 'b']) }),
  'a RegExp': () => foreign.pack({ cookie, pattern: /a+b/g }),
  'an Error': () => foreign.pack({ cookie, failure: new Error('boom') }),
  'a typed array': () => foreign.pack({ cookie, samples: new Float64Array([1.5, 2.5]) }),
  'binary (bin 8)': () => foreign.pack({ cookie, blob: Buffer.from([1, 2, 3]) }),
  'a timestamp (Date)': () => foreign.pack({ cookie, at: new Date(Date.UTC(2026, 0, 1)) }),
  'a BigInt wider than 64 bits': () => foreign.pack({ cookie, big: 2n ** 80n }),
  'undefined (ext 0)': () => foreign.pack({ cookie, missing: undefined }),
  'NaN': () => foreign.pack({ cookie, ratio: NaN }),
  'nesting 200,000 levels deep': () => deepMsgpack(200_000),
  'nesting 1,001 levels deep (the session is level 1)': () => deepMsgpack(1000),
};

interface Seen {
  errors: Error[];
}

async function twoMembers(t: ExecutionContext): Promise<{ store: RedisStore; seen: Seen; prefix: string }> {
  const prefix = uniquePrefix(t);
  const store = await openCodecStore(t, servers, { serializer: 'msgpack', readQuorum: 'all', readRepair: false, prefix });
  const seen: Seen = { errors: [] };
  store.on('error', (error: Error) => seen.errors.push(error));
  return { store, seen, prefix };
}

/** Writes the valid copy through the store, then `hostile` raw (newer) on member 0 only. */
async function plant(t: ExecutionContext, { store, prefix }: { store: RedisStore; prefix: string }, sid: string, hostile: Buffer | string): Promise<Record<string, unknown>> {
  const valid = sessionWith({ user: 'ada', visits: 3 });
  await store.set(sid, asSession(valid));
  const client = await directClient(t, servers[0]!);
  await client.set(prefix + sid, hostile);
  return JSON.parse(JSON.stringify(valid)) as Record<string, unknown>;
}

for (const [name, bytes] of Object.entries(HOSTILE_MSGPACK)) {
  test(`a msgpack value holding ${name} on one member is a DecodeError and the other member's valid copy wins`, async t => {
    const members = await twoMembers(t);
    const { store, seen } = members;
    const expected = await plant(t, members, 'hostile', enveloped(FORMAT.msgpack, bytes()));
    t.deepEqual(await store.get('hostile'), expected);
    t.true(seen.errors.length >= 1, 'the hostile copy was reported');
    for (const error of seen.errors) {
      t.true(error instanceof DecodeError);
      t.is((error as DecodeError).code, 'ERR_EXPREDIS_DECODE');
    }
  });
}

test('a value nested 200,000 levels deep in enveloped JSON on one member is a DecodeError and the other copy wins', async t => {
  const members = await twoMembers(t);
  const { store, seen } = members;
  const expected = await plant(t, members, 'deep-json', enveloped(FORMAT.json, Buffer.from(deepJson(200_000))));
  t.deepEqual(await store.get('deep-json'), expected);
  t.true(seen.errors.some(e => e instanceof DecodeError));
});

test('plain JSON text nested 200,000 levels deep reads as absent with a DecodeError; 1,000 levels (the session is the first) read back', async t => {
  const prefix = uniquePrefix(t);
  const store = await openCodecStore(t, servers.slice(0, 1), { serializer: 'json', prefix });
  const errors: Error[] = [];
  store.on('error', (error: Error) => errors.push(error));
  const client = await directClient(t, servers[0]!);
  const key = prefix + 'deep';
  await client.set(key, deepJson(200_000));
  t.is(await store.get('deep'), null);
  t.true(errors.length === 1 && errors[0] instanceof DecodeError);
  await client.set(key, deepJson(999));
  const back = (await store.get('deep')) as { deep: unknown } | null;
  t.truthy(back);
  t.is(JSON.stringify(back!.deep).length, 999 * 2 + 4);
});

test('64-bit integers in msgpack read as numbers, as JSON.parse reads them', async t => {
  const members = await twoMembers(t);
  const { store, seen } = members;
  // msgpackr writes BigInts that fit in 64 bits as uint64 / int64.
  const payload = foreign.pack({ cookie, big: 2n ** 60n + 1n, negative: -(2n ** 62n), small: 5n });
  await plant(t, members, 'int64', enveloped(FORMAT.msgpack, payload));
  const back = (await store.get('int64')) as Record<string, unknown>;
  t.deepEqual(seen.errors, []);
  t.deepEqual(back, JSON.parse(`{"cookie":${JSON.stringify(cookie)},"big":${2n ** 60n + 1n},"negative":${-(2n ** 62n)},"small":5}`));
  t.is(typeof back.big, 'number');
});

const SECRET = 'sk_live_SECRET-4f9a2c';

const UNREADABLE: Record<string, () => Buffer | string> = {
  'plain JSON text that does not parse': () => `{"cookie":{},"token":"${SECRET}",`,
  'enveloped JSON that does not parse': () => enveloped(FORMAT.json, Buffer.from(`{"token":"${SECRET}" oops}`)),
  'msgpack that is cut short': () => enveloped(FORMAT.msgpack, foreign.pack({ cookie, token: SECRET, more: 'x'.repeat(40) }).subarray(0, 40)),
  'msgpack holding a Date next to a secret': () => enveloped(FORMAT.msgpack, foreign.pack({ token: SECRET, at: new Date(0) })),
  'JSON text that is not an object': () => JSON.stringify(SECRET),
};

for (const [name, value] of Object.entries(UNREADABLE)) {
  test(`a DecodeError for ${name} names the member, the format and the byte length, and quotes nothing stored`, async t => {
    const prefix = uniquePrefix(t);
    const store = await openCodecStore(t, servers.slice(0, 1), { serializer: 'json', prefix });
    const errors: Error[] = [];
    store.on('error', (error: Error) => errors.push(error));
    const client = await directClient(t, servers[0]!);
    const stored = value();
    await client.set(prefix + 'secret', stored);
    t.is(await store.get('secret'), null);
    t.is(errors.length, 1);
    const error = errors[0]!;
    t.true(error instanceof DecodeError);
    // Everything the error says, its cause chain included, without the stack frames.
    const text = inspect({ ...error, message: error.message, cause: error.cause }, { depth: 5 });
    t.false(text.includes('SECRET'), text);
    t.false(error.message.includes('SECRET'), error.message);
    t.true(error.message.includes(`127.0.0.1:${servers[0]!.port}`), error.message);
    t.true(error.message.includes(`${Buffer.byteLength(stored)} bytes`), error.message);
    t.regex(error.message, /JSON|msgpack/);
  });
}
