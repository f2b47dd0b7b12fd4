// Issue 9, defects 1 and 2, and the differential check that keeps the fused msgpack encoder
// honest: what it writes decodes exactly as what msgpackr's own Packr writes over the
// JSON-normalised tree, and both equal the JSON round trip.
import test from 'ava';
import fc from 'fast-check';
import { deepStrictEqual } from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Unpackr } from 'msgpackr';
import { packMsgpack, useMsgpackEncoder } from '../src/codec/pack.js';
import { unpackFrom } from '../src/codec/msgpack.js';
import { jsonOnly } from '../src/codec/json-only.js';
import { asSession, HEADER, jsonRoundTrip, openCodecStore } from './helpers/codec-util.js';
import { fileServers } from './helpers/file-servers.js';
import { sessionWith } from './helpers/store.js';

const servers = fileServers(2);

/** Runs `body` (an async ESM snippet with `store` and `ok(boolean)` in scope) in a fresh node process. */
function freshProcess(body: string, ports: number[]): Promise<string> {
  const index = new URL('../src/index.js', import.meta.url).href;
  const script = `import { RedisStore } from ${JSON.stringify(index)};
const store = new RedisStore({ clients: ${JSON.stringify(ports.map(port => ({ port })))}, prefix: 'fresh' + process.pid + ':', serializer: 'msgpack', offload: 'never', writeQuorum: 'all' });
store.on('error', e => console.log('error', e.name));
await store.ready({ timeout: 20000 });
const ok = v => console.log(v ? 'ok' : 'corrupt');
try { ${body} } finally { await store.close(); }`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out.trim()));
  });
}

test('a msgpack session whose record definition lands on the 64 KiB scratch boundary round-trips in a fresh process', async t => {
  const out = await freshProcess(
    `const s = { cookie: { originalMaxAge: null }, arr: Array(65495).fill(true) };
await store.set('edge', s);
ok(JSON.stringify(await store.get('edge')) === JSON.stringify(s));`,
    servers.map(s => s.port),
  );
  t.is(out, 'ok');
});

test("a set started from a toJSON while another session is being encoded leaves both sessions intact", async t => {
  const store = await openCodecStore(t, servers, { serializer: 'msgpack', offload: 'never' });
  const inner = sessionWith({ inner: true, items: Array.from({ length: 50 }, (_, i) => ({ sku: `I-${i}`, qty: i })) });
  let started: Promise<void> | undefined;
  const hook = {
    toJSON() {
      started ??= store.set('inner', asSession(inner));
      return { hooked: true };
    },
  };
  const outer = sessionWith({
    before: Array.from({ length: 50 }, (_, i) => ({ sku: `O-${i}`, price: i * 1.5 })),
    hook,
    after: Array.from({ length: 50 }, (_, i) => ({ sku: `A-${i}`, title: `after ${i}`, tags: ['x', i] })),
  });
  await store.set('outer', asSession(outer));
  t.truthy(started, 'the toJSON ran during the outer encode');
  await started;
  t.deepEqual(await store.get('outer'), jsonRoundTrip(outer));
  t.deepEqual(await store.get('inner'), jsonRoundTrip(inner));
});

test('a set started from a getter while another session is being encoded leaves both sessions intact', async t => {
  const store = await openCodecStore(t, servers, { serializer: 'msgpack', offload: 'never' });
  const inner = sessionWith({ inner: 'getter', list: [1, 2, 3] });
  let started: Promise<void> | undefined;
  const outer: Record<string, unknown> = sessionWith({ before: { a: 1, b: [true, false] } });
  Object.defineProperty(outer, 'lazy', {
    enumerable: true,
    get() {
      started ??= store.set('inner2', asSession(inner));
      return { computed: 42 };
    },
  });
  outer.after = { c: 'd', e: [{ f: 1 }, { f: 2 }] };
  await store.set('outer2', asSession(outer));
  await started;
  t.deepEqual(await store.get('outer2'), jsonRoundTrip(outer));
  t.deepEqual(await store.get('inner2'), jsonRoundTrip(inner));
});

// ---- differential: fused vs Packr ----

const unpackr = new Unpackr({ useRecords: true, mapsAsObjects: true });
const KEYS = ['id', 'sku', 'qty', 'price', 'title', 'options', '__proto__', '__proto_', '__proto___', 'a', 'b', ''];
const shaped = fc.array(fc.dictionary(fc.constantFrom(...KEYS), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }), { maxLength: 120 });
const session = fc.record({ cookie: fc.constant({ originalMaxAge: 60_000, path: '/' }), data: fc.jsonValue({ maxDepth: 5 }), items: shaped, wide: fc.dictionary(fc.string(), fc.integer(), { maxKeys: 40 }) });

/** Payload of `packMsgpack` with `encoder`, and the session the store would decode from it. */
function encodeWith(encoder: 'fused' | 'packr', value: unknown): { raw: unknown; decoded: unknown } {
  useMsgpackEncoder(encoder);
  try {
    const bytes = packMsgpack(value, { ms: 1, counter: 0 });
    return { raw: unpackr.unpack(bytes.subarray(HEADER)), decoded: jsonOnly(unpackFrom(bytes, HEADER), (bytes[6]! & 0x10) !== 0) };
  } finally {
    useMsgpackEncoder('fused');
  }
}

test('for random JSON trees the fused encoder decodes exactly as Packr over the normalised tree, and both as the JSON round trip', t => {
  fc.assert(
    fc.property(session, value => {
      const fused = encodeWith('fused', value);
      const packr = encodeWith('packr', value);
      deepStrictEqual(fused.raw, packr.raw);
      deepStrictEqual(fused.decoded, packr.decoded);
      deepStrictEqual(fused.decoded, jsonRoundTrip(value));
    }),
    { numRuns: 300 },
  );
  t.pass();
});
