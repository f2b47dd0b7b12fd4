// Issue 9: get(set(x)) equals the JSON round trip for sessions from 0 to 4 MB, with encoded
// sizes hit exactly at every scratch-buffer growth boundary up to 1 MiB (64 KiB … 1 MiB, from a
// few bytes below to a record definition's length above), each encoded by fresh encoder state, for 'json', 'msgpack' and a
// { module } serializer.
import test from 'ava';
import fc from 'fast-check';
import { resetMsgpackEncoder } from '../src/codec/msgpack-encode.js';
import { packMsgpack } from '../src/codec/pack.js';
import type { RedisStore } from '../src/index.js';
import { asSession, HEADER, moduleSerializer, openCodecStore } from './helpers/codec-util.js';
import { fileServers } from './helpers/file-servers.js';

const servers = fileServers(2);
const KIB = 1024;
const BOUNDARIES = [64, 128, 256, 512, 1024].map(k => k * KIB);
/** Stored sizes swept around each boundary. Above it by more: the record definition of the
 * session object itself is written after its values, so a definition that straddles the
 * boundary leaves a stored size up to its own length (about 20 bytes here) past it. */
const BELOW = 4;
const ABOVE = 24;

type Format = 'json' | 'msgpack' | 'module';
type Shape = 'booleans' | 'string';

/** A session padded by `n` elements: booleans (the record definition then comes last) or characters. */
function build(shape: Shape, n: number): Record<string, unknown> {
  const base = { cookie: { originalMaxAge: null, httpOnly: true, path: '/' }, user: { id: 'u-1', roles: ['customer'] } };
  return shape === 'booleans' ? { ...base, arr: new Array<boolean>(n).fill(true) } : { ...base, note: 'x'.repeat(n) };
}

/** The stored size of `session` under `format`, measured with fresh encoder state. */
function storedSize(format: Format, session: unknown): number {
  if (format !== 'msgpack') return (format === 'module' ? HEADER : 0) + Buffer.byteLength(JSON.stringify(session));
  resetMsgpackEncoder();
  return packMsgpack(session, { ms: 1, counter: 0 }).length;
}

/** A session of exactly `target` stored bytes, or undefined when the shape jumps over it. */
function sized(format: Format, shape: Shape, target: number): Record<string, unknown> | undefined {
  let n = Math.max(0, target - storedSize(format, build(shape, 0)));
  for (let i = 0; i < 8; i++) {
    const size = storedSize(format, build(shape, n));
    if (size === target) return build(shape, n);
    n = Math.max(0, n + target - size);
  }
  return undefined;
}

async function roundTrip(store: RedisStore, sid: string, session: Record<string, unknown>): Promise<boolean> {
  resetMsgpackEncoder(); // the state a fresh process encodes with
  await store.set(sid, asSession(session));
  return JSON.stringify(await store.get(sid)) === JSON.stringify(session);
}

const CASES: { format: Format; shape: Shape; boundaries: number[] }[] = [
  { format: 'msgpack', shape: 'booleans', boundaries: BOUNDARIES },
  { format: 'msgpack', shape: 'string', boundaries: BOUNDARIES },
  { format: 'json', shape: 'string', boundaries: BOUNDARIES },
  { format: 'module', shape: 'string', boundaries: [64 * KIB, 1024 * KIB] },
];

function storeFor(t: Parameters<typeof openCodecStore>[0], format: Format): Promise<RedisStore> {
  return openCodecStore(t, servers, { serializer: format === 'module' ? moduleSerializer('codec-json-module') : format, offload: 'never' });
}

for (const { format, shape, boundaries } of CASES) {
  test(`${format} sessions padded with ${shape} round-trip at every stored size from ${BELOW} bytes below to ${ABOVE} above ${boundaries.map(b => `${b / KIB} KiB`).join(', ')}`, async t => {
    const store = await storeFor(t, format);
    const failed: number[] = [];
    let hit = 0;
    for (const boundary of boundaries) {
      for (let k = -BELOW; k <= ABOVE; k++) {
        const session = sized(format, shape, boundary + k);
        if (!session) continue;
        hit++;
        if (!(await roundTrip(store, `s${boundary + k}`, session))) failed.push(boundary + k);
      }
    }
    t.deepEqual(failed, [], 'stored sizes that did not round-trip');
    // The booleans' array header grows at 65,536 elements: a size or two there cannot be hit.
    t.true(hit >= boundaries.length * (BELOW + ABOVE + 1) - 2, `${hit} sizes hit exactly`);
  });
}

for (const format of ['json', 'msgpack'] as const) {
  test(`${format}: random sessions from 0 to 4 MB read back as their JSON round trip`, async t => {
    const store = await storeFor(t, format);
    const arbitrary = fc.record({
      data: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 8 }),
      pad: fc.integer({ min: 0, max: 4 * KIB * KIB }),
      shape: fc.constantFrom<Shape>('booleans', 'string'),
    });
    let i = 0;
    await fc.assert(
      fc.asyncProperty(arbitrary, async ({ data, pad, shape }) => {
        const session = { ...build(shape, shape === 'booleans' ? pad >> 2 : pad), data };
        const back = await (async () => {
          resetMsgpackEncoder();
          await store.set(`r${i}`, asSession(session));
          return store.get(`r${i++}`);
        })();
        return JSON.stringify(back) === JSON.stringify(JSON.parse(JSON.stringify(session)));
      }),
      { numRuns: 12 },
    );
    t.pass();
  });
}
