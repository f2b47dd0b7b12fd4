// Issue 3 acceptance: for every serializer × offload combination, a session set then read back
// equals its JSON round trip (property test over real redis-server processes), keeps `__proto__`
// keys as own properties and pollutes no prototype; lone surrogates under 'json' and 'msgpack'.
import { randomBytes } from 'node:crypto';
import test from 'ava';
import fc from 'fast-check';
import { deepStrictEqual } from 'node:assert/strict';
import type { ExpredisOptions } from '../src/index.js';
import { asSession, jsonRoundTrip, moduleSerializer, realCookie, within, openCodecStore } from './helpers/codec-util.js';
import { fileServers } from './helpers/file-servers.js';
import { directClient, rawValue, sessionWith } from './helpers/store.js';

const servers = fileServers(2);

/** A plain `{ stringify, parse }` object that is JSON. */
const plainJson = {
  stringify: (session: unknown) => JSON.stringify(session),
  parse: (text: string) => JSON.parse(text) as unknown,
};

type SerializerName = 'json' | 'msgpack' | 'module' | 'object';
const SERIALIZERS: Record<SerializerName, () => ExpredisOptions['serializer']> = {
  json: () => 'json',
  msgpack: () => 'msgpack',
  module: () => moduleSerializer('codec-json-module'),
  object: () => plainJson,
};
const OFFLOADS = ['auto', 'always', 'never'] as const;
const RUNS = 100;

// ---- arbitraries ----

/** An object with toJSON on its prototype (a class instance): JSON calls it with the key. */
class Wrapped {
  constructor(readonly inner: unknown) {}
  toJSON(key: string): unknown {
    return { wrappedUnder: key, inner: this.inner };
  }
}

/** An object literal whose own toJSON method decides what JSON sees. */
function ownToJson(inner: unknown): Record<string, unknown> {
  return {
    hidden: 'JSON never sees this',
    toJSON(key: string) {
      return { ownToJsonUnder: key, inner };
    },
  };
}

/** Builds an object from entries with defineProperty, so that `__proto__` is an own key. */
function ownObject(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const PROTO_LIKE = ['__proto__', '__proto___', '__proto_', '__proto____', 'constructor', 'prototype', 'toJSON', 'hasOwnProperty', '0', '7', ''];

const key = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 5 }) },
  { weight: 3, arbitrary: fc.constantFrom(...PROTO_LIKE) },
);

const specialNumbers = fc.constantFrom(
  -0, 0, NaN, Infinity, -Infinity, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE,
  Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 2 ** 32, 2 ** 32 - 1, -(2 ** 31) - 1, 63, 64, 127, 128, 255, 256,
  -32, -33, 1e21, 1e-7, 0.1 + 0.2,
);

const leaf = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  // Longer strings take the encoders' long-string paths (64+ code units).
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 40, maxLength: 200 }) },
  { weight: 3, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 2, arbitrary: specialNumbers },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.date() }, // invalid dates included: JSON writes null
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      () => 'a function',
      Symbol('a symbol'),
      new Number(-0), new String('boxed'), new Boolean(false),
    ),
  },
  // Objects JSON sees through their own enumerable keys or a toJSON of their class.
  { weight: 1, arbitrary: fc.constantFrom<() => unknown>(...exoticObjects()).map(make => make()) },
);

/** Values whose JSON form is not obvious: Buffers, typed arrays, Maps, class instances, accessors, null prototypes. */
function exoticObjects(): (() => unknown)[] {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
  }
  return [
    () => Buffer.from([0, 1, 254, 255]),
    () => new Uint8Array([7, 8, 9]),
    () => new Map([['k', 1]]),
    () => new Set([1, 2]),
    () => new Point(1, -0),
    () => Object.assign(Object.create(null) as object, { nullProto: true }),
    () => Object.defineProperties({ plain: 1 }, { hidden: { value: 'not enumerable', enumerable: false }, computed: { get: () => 'from a getter', enumerable: true } }),
    () => ({ [Symbol('symbolKey')]: 'dropped', kept: 1 }),
    () => new Date(Number.NaN),
    () => Object.assign(new Date(0), { extra: 'JSON ignores it' }),
  ];
}

const { tree } = fc.letrec<{ tree: unknown; array: unknown[]; object: Record<string, unknown>; withToJson: unknown }>(tie => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object'), tie('withToJson')),
  array: fc.oneof(fc.array(tie('tree'), { maxLength: 5 }), fc.sparseArray(tie('tree'), { maxLength: 7 })),
  object: fc.array(fc.tuple(key, tie('tree')), { maxLength: 6 }).map(ownObject),
  withToJson: fc.oneof(
    tie('tree').map(inner => new Wrapped(inner) as unknown),
    tie('tree').map(inner => ownToJson(inner) as unknown),
  ),
}));

/** An express-session Cookie, or the plain cookie object a loaded session carries. */
const cookie = fc.oneof(
  fc.integer({ min: 60_000, max: 86_400_000 }).map(maxAge => realCookie(maxAge) as unknown),
  fc.integer({ min: 60_000, max: 86_400_000 }).map(maxAge => sessionWith({}, maxAge).cookie),
);

const sessionArb = fc
  .record({
    entries: fc.array(fc.tuple(key, tree), { maxLength: 8 }),
    cookie,
    createdAt: fc.date({ noInvalidDate: true }),
    protoPayload: fc.boolean(),
  })
  .map(({ entries, cookie: c, createdAt, protoPayload }) => {
    // A top-level toJSON method would turn the whole session into something else: not a session.
    const kept = entries.filter(([k, v]) => !(k === 'toJSON' && typeof v === 'function'));
    const all: [string, unknown][] = [...kept, ['createdAt', createdAt], ['cookie', c]];
    // An own `__proto__` key whose value would be dangerous if it were assigned as a prototype.
    if (protoPayload) all.push(['__proto__', ownObject([['polluted', 'yes'], ['isAdmin', true], ['__proto__', { deeper: 1 }]])]);
    return ownObject(all);
  });

// ---- checks ----

const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();

/** Throws unless no prototype got polluted. */
function assertNoPollution(): void {
  deepStrictEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeNames, 'Object.prototype gained properties');
  const probe = {} as Record<string, unknown>;
  for (const name of ['polluted', 'isAdmin', 'deeper', 'inner']) {
    if (probe[name] !== undefined) throw new Error(`a fresh object inherits ${name}`);
  }
  if (Object.getPrototypeOf(Array.prototype) !== Object.prototype) throw new Error('Array.prototype was re-parented');
}

/**
 * Throws unless `actual` mirrors `expected` (a JSON.parse tree): every object has
 * Object.prototype, and every own `__proto__` key of `expected` is an own key of `actual`.
 */
function assertOwnProtoKeys(actual: unknown, expected: unknown, path = '$'): void {
  if (expected === null || typeof expected !== 'object') return;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) throw new Error(`${path} is not an array`);
    expected.forEach((item, i) => assertOwnProtoKeys((actual as unknown[])[i], item, `${path}[${i}]`));
    return;
  }
  if (actual === null || typeof actual !== 'object') throw new Error(`${path} is not an object`);
  if (Object.getPrototypeOf(actual) !== Object.prototype) throw new Error(`${path} does not have Object.prototype as prototype`);
  for (const k of Object.keys(expected)) {
    if (!Object.hasOwn(actual, k)) throw new Error(`${path} lacks own key ${JSON.stringify(k)}`);
    assertOwnProtoKeys((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], `${path}[${JSON.stringify(k)}]`);
  }
}

/** Compressed from the first byte and encrypted: every generated session goes through seal and open. */
const SEALED: Partial<ExpredisOptions> = { compression: { algorithm: 'gzip', level: 1, threshold: 0 }, encryption: { keys: [randomBytes(32)] } };

for (const serializerName of Object.keys(SERIALIZERS) as SerializerName[]) {
  for (const [offload, sealed] of [...OFFLOADS.map(o => [o, false] as const), ['never', true] as const, ['always', true] as const]) {
    if (serializerName === 'object' && offload === 'always') continue; // a TypeError by design (options tests)
    const variant = sealed ? ', compressed and encrypted' : '';
    test.serial(`serializer ${serializerName} with offload '${offload}'${variant}: set then get equals the JSON round trip for generated sessions`, async t => {
      t.timeout(60_000);
      // Under 'auto' a low threshold sends the larger generated sessions to the pool (module
      // serializer; string-heavy JSON), so both sides of the policy are exercised.
      const threshold = offload === 'auto' ? { offloadThreshold: 512 } : {};
      const store = await openCodecStore(t, servers, { serializer: SERIALIZERS[serializerName](), offload, ...threshold, ...(sealed ? SEALED : {}) });
      const errors: Error[] = [];
      store.on('error', (error: Error) => errors.push(error));
      let n = 0;
      await fc.assert(
        fc.asyncProperty(sessionArb, async session => {
          const sid = `p${n++}`;
          const expected = jsonRoundTrip(session);
          await within(store.set(sid, asSession(session)), 10_000, 'set');
          const got = await within(store.get(sid), 10_000, 'get');
          deepStrictEqual(got, expected);
          // The same text as well: key order is part of what JSON gives.
          if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error('key order or text differs from the JSON round trip');
          assertOwnProtoKeys(got, expected);
          assertNoPollution();
          // Written again, now with its stored size known to the offload policy, then read again.
          await within(store.set(sid, asSession(session)), 10_000, 'second set');
          deepStrictEqual(await within(store.get(sid), 10_000, 'second get'), expected);
        }),
        { numRuns: RUNS, interruptAfterTimeLimit: 50_000, markInterruptAsFailure: true },
      );
      t.deepEqual(errors, [], 'no error events');
      const { codec } = store.stats();
      t.log(`${n} cases; codec stats ${JSON.stringify(codec)}`);
      t.true(n >= RUNS, 'every case ran');
      t.is(codec.decodeFailures, 0);
    });
  }
}

test('an own __proto__ key round-trips as an own key under every configuration, and __proto_ / __proto___ stay as they were', async t => {
  const session = JSON.parse(
    '{"cookie":{"originalMaxAge":60000,"path":"/"},"__proto__":{"polluted":"yes"},"__proto_":1,"__proto___":2,"nested":{"__proto__":[{"__proto__":null}],"__proto____":3}}',
  ) as Record<string, unknown>;
  t.true(Object.hasOwn(session, '__proto__'), 'the fixture itself has an own __proto__');
  for (const serializerName of Object.keys(SERIALIZERS) as SerializerName[]) {
    for (const offload of OFFLOADS) {
      if (serializerName === 'object' && offload === 'always') continue;
      const store = await openCodecStore(t, servers, { serializer: SERIALIZERS[serializerName](), offload, commandTimeout: 5000 });
      await store.set('proto', asSession(session));
      const got = (await store.get('proto')) as Record<string, unknown> | null;
      const what = `${serializerName}/${offload}`;
      t.deepEqual(Object.keys(got ?? {}), ['cookie', '__proto__', '__proto_', '__proto___', 'nested'], what);
      t.is(Object.getPrototypeOf(got), Object.prototype, what);
      t.true(Object.hasOwn(got!, '__proto__'), what);
      t.is(JSON.stringify(got), JSON.stringify(session), what);
      t.is((got as { polluted?: unknown }).polluted, undefined, `${what}: the __proto__ value did not become the prototype`);
      t.is(({} as { polluted?: unknown }).polluted, undefined, `${what}: Object.prototype untouched`);
    }
  }
});

// Lone surrogates are not valid code points. JSON.stringify escapes them (\udXXX), so 'json'
// keeps them exactly; msgpack strings are UTF-8, where they become U+FFFD.
const LONE = {
  short: 'a\ud800b',
  trailing: 'x\udfff',
  long: 'L'.repeat(80) + '\udc00' + 'M'.repeat(10) + '\ud83d',
  pairThenLone: '\ud83d\ude00\ud83d',
};
const wellFormed = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

test('lone surrogates round-trip exactly under json, the JSON module and the plain JSON object, with every offload', async t => {
  const session = { ...sessionWith(), ...LONE, keys: { ['k\ud800']: 1, ['\udbff']: 2 } };
  for (const serializerName of ['json', 'module', 'object'] as const) {
    for (const offload of OFFLOADS) {
      if (serializerName === 'object' && offload === 'always') continue;
      const store = await openCodecStore(t, servers, { serializer: SERIALIZERS[serializerName](), offload });
      await store.set('lone', asSession(session));
      const got = await store.get('lone');
      t.deepEqual(got, jsonRoundTrip(session), `${serializerName}/${offload}`);
      t.is((got as Record<string, unknown> | null)?.long, LONE.long, `${serializerName}/${offload}: exact code units`);
    }
  }
  // Also when read straight from a member: the stored text is JSON with \u escapes.
  const client = await directClient(t, servers[0]!);
  const store = await openCodecStore(t, servers, { serializer: 'json', offload: 'never' });
  await store.set('lone-raw', asSession(session));
  const raw = await rawValue(client, store.prefix + 'lone-raw');
  t.is(raw?.toString('utf8'), JSON.stringify(session));
});

test('lone surrogates under msgpack come back as strings with U+FFFD in their place (documented loss)', async t => {
  for (const offload of ['never', 'always'] as const) {
    const store = await openCodecStore(t, servers, { serializer: 'msgpack', offload });
    await store.set('lone', asSession({ ...sessionWith(), ...LONE }));
    const got = (await store.get('lone')) as Record<string, unknown> | null;
    t.truthy(got, offload);
    for (const [name, value] of Object.entries(LONE)) {
      t.is(typeof got?.[name], 'string', `${offload}: ${name} is a string`);
      t.is(got?.[name], wellFormed(value), `${offload}: ${name} has U+FFFD for each lone surrogate`);
    }
    t.log(`${offload}: ${JSON.stringify(LONE.short)} came back as ${JSON.stringify(got?.short)}`);
  }
});
