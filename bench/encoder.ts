// `npm run bench:encoder [-- --rounds n --ops n]`: the msgpack encoder decision (issue 9).
// Main-thread CPU per cart set+get through a real store on two redis-servers of its own, for the
// fused single-walk encoder and for msgpackr's Packr (records on) over the JSON-normalised tree,
// alternating A/B within each round in one process; the decision figure is the median of the
// per-round ratios. Also the isolated encode of the cart session for each, and what the
// decode-side JSON check costs.
import { RedisStore } from '../src/index.js';
import { HEADER_SIZE } from '../src/codec/envelope.js';
import { checkDepth, jsonOnly } from '../src/codec/json-only.js';
import { unpackFrom } from '../src/codec/msgpack.js';
import { packMsgpack, useMsgpackEncoder, type MsgpackEncoder } from '../src/codec/pack.js';
import { installCleanupHandlers, killEverything } from './lifecycle.js';
import { startRedis } from './redis.js';
import { cartData, expressSession } from './sessions.js';
import { mainThreadCpuMs, median } from './stats.js';
import { parseArgs } from 'node:util';

const ENCODERS: readonly MsgpackEncoder[] = ['fused', 'packr'];
const VERSION = { ms: 1, counter: 0 };

function print(line: string): void {
  process.stdout.write(line + '\n');
}

/** Main-thread CPU ms per set+get of `session` (wall ms when schedstat is unavailable). */
async function setGet(store: RedisStore, sid: string, session: Record<string, unknown>, ops: number): Promise<number> {
  const cpu0 = mainThreadCpuMs();
  const wall0 = performance.now();
  for (let i = 0; i < ops; i++) {
    session.seq = i;
    await store.set(sid, session as never);
    const back = await store.get(sid);
    if ((back as { seq?: number } | null)?.seq !== i) throw new Error('the cart did not round-trip');
  }
  const cpu1 = mainThreadCpuMs();
  return (cpu0 === undefined || cpu1 === undefined ? performance.now() - wall0 : cpu1 - cpu0) / ops;
}

/** Wall µs per encode of `session` (the main thread does nothing else meanwhile). */
function encodeUs(session: unknown, ops: number): number {
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) packMsgpack(session, VERSION);
  return ((performance.now() - t0) * 1000) / ops;
}

/** µs per call of `f`, median of 5 runs of `ops` calls. */
function timeUs(f: () => unknown, ops: number): number {
  const runs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < ops; i++) f();
    runs.push(((performance.now() - t0) * 1000) / ops);
  }
  return median(runs);
}

/** What the decode-side check (json-only.ts) adds to decoding the cart, in each format. */
function validationCost(session: unknown, ops: number): void {
  useMsgpackEncoder('fused');
  const packed = packMsgpack(session, VERSION);
  const text = JSON.stringify(session);
  for (let i = 0; i < 200; i++) jsonOnly(unpackFrom(packed, HEADER_SIZE), false);
  const unpack = timeUs(() => unpackFrom(packed, HEADER_SIZE), ops);
  const unpackChecked = timeUs(() => jsonOnly(unpackFrom(packed, HEADER_SIZE), false), ops);
  const parse = timeUs(() => JSON.parse(text), ops);
  const parseChecked = timeUs(() => checkDepth(JSON.parse(text)), ops);
  print(`decode check on the cart: msgpack unpack ${unpack.toFixed(0)} µs → with the type check ${unpackChecked.toFixed(0)} µs (+${(unpackChecked - unpack).toFixed(0)} µs); JSON.parse ${parse.toFixed(0)} µs → with the depth check ${parseChecked.toFixed(0)} µs (+${(parseChecked - parse).toFixed(0)} µs)`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '9' }, ops: { type: 'string', default: '300' } } });
  const rounds = Number(values.rounds);
  const ops = Number(values.ops);
  installCleanupHandlers();
  const targets = await Promise.all([startRedis(), startRedis()]);
  const store = new RedisStore({ clients: targets.map(t => ({ url: t.url })), prefix: 'bench-encoder:', serializer: 'msgpack', offload: 'never' });
  store.on('error', (error: Error) => process.stderr.write(`bench: store error: ${error.name}: ${error.message}\n`));
  try {
    await store.ready({ timeout: 10_000 });
    const sid = 'cart-1';
    const session = expressSession(sid, cartData(7));
    print(`cart session: ${Buffer.byteLength(JSON.stringify(session))} B of JSON; ${rounds} rounds × ${ops} set+get per encoder, A/B order alternating`);
    for (const e of ENCODERS) {
      useMsgpackEncoder(e);
      print(`  ${e}: ${packMsgpack(session, VERSION).length} B stored`);
      await setGet(store, sid, session, ops * 2); // warm both paths before any figure counts
      encodeUs(session, 500);
    }
    const perOp: Record<MsgpackEncoder, number[]> = { fused: [], packr: [] };
    const encode: Record<MsgpackEncoder, number[]> = { fused: [], packr: [] };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? ENCODERS : [...ENCODERS].reverse();
      for (const e of order) {
        useMsgpackEncoder(e);
        perOp[e].push(await setGet(store, sid, session, ops));
        encode[e].push(encodeUs(session, ops));
      }
      print(`  round ${round + 1}: set+get fused ${perOp.fused.at(-1)!.toFixed(3)} ms, packr ${perOp.packr.at(-1)!.toFixed(3)} ms; encode fused ${encode.fused.at(-1)!.toFixed(0)} µs, packr ${encode.packr.at(-1)!.toFixed(0)} µs`);
    }
    const ratio = median(perOp.fused.map((f, i) => f / perOp.packr[i]!));
    const encodeRatio = median(encode.fused.map((f, i) => f / encode.packr[i]!));
    print(`main-thread CPU per cart set+get, median: fused ${median(perOp.fused).toFixed(3)} ms, packr ${median(perOp.packr).toFixed(3)} ms`);
    print(`  fused ÷ packr, median of per-round ratios: ${ratio.toFixed(3)} (fused is ${((1 - ratio) * 100).toFixed(1)}% cheaper; keeping it needs ≥ 20%)`);
    print(`isolated encode of the cart, median: fused ${median(encode.fused).toFixed(0)} µs, packr ${median(encode.packr).toFixed(0)} µs (ratio ${encodeRatio.toFixed(3)})`);
    validationCost(session, ops);
  } finally {
    await store.close();
    await Promise.all(targets.map(t => t.stop()));
    killEverything();
  }
}

await main();
