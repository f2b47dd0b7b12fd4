// `npm run bench:encoder [-- --rounds n --ops n --out DIR]`: which msgpack encoder the store keeps.
// Main-thread CPU per cart set+get through a real store on two redis-servers of its own, for the
// fused single-walk encoder and for msgpackr's Packr (records on) over the JSON-normalised tree,
// alternating A/B within each round in one process; the decision figure is the median of the
// per-round ratios, and the fused encoder stays only when it is at least 20% cheaper. Also the
// isolated encode of the cart session for each, and what the decode-side JSON check costs.
// Prints the figures and writes them to DIR/encoder.json (default bench/results/).
import { RedisStore } from '../src/index.js';
import { HEADER_SIZE } from '../src/codec/envelope.js';
import { checkDepth, jsonOnly } from '../src/codec/json-only.js';
import { unpackFrom } from '../src/codec/msgpack.js';
import { packMsgpack, useMsgpackEncoder, type MsgpackEncoder } from '../src/codec/pack.js';
import { installCleanupHandlers, killEverything } from './lifecycle.js';
import { collectMeta, loadAverage, ROOT } from './meta.js';
import { startRedis } from './redis.js';
import type { EncoderResults } from './results.js';
import { cartData, expressSession } from './sessions.js';
import { mainThreadCpuMs, median, round } from './stats.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ENCODERS: readonly MsgpackEncoder[] = ['fused', 'packr'];
/** The fused encoder is kept only when its set+get costs at least this much less than Packr's. */
const KEEP_FUSED_IF_CHEAPER_BY = 0.2;
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
function validationCost(session: unknown, ops: number): EncoderResults['decodeCheck'] {
  useMsgpackEncoder('fused');
  const packed = packMsgpack(session, VERSION);
  const text = JSON.stringify(session);
  for (let i = 0; i < 200; i++) jsonOnly(unpackFrom(packed, HEADER_SIZE), false);
  const unpack = timeUs(() => unpackFrom(packed, HEADER_SIZE), ops);
  const unpackChecked = timeUs(() => jsonOnly(unpackFrom(packed, HEADER_SIZE), false), ops);
  const parse = timeUs(() => JSON.parse(text), ops);
  const parseChecked = timeUs(() => checkDepth(JSON.parse(text)), ops);
  print(`decode check on the cart: msgpack unpack ${unpack.toFixed(0)} µs → with the type check ${unpackChecked.toFixed(0)} µs (+${(unpackChecked - unpack).toFixed(0)} µs); JSON.parse ${parse.toFixed(0)} µs → with the depth check ${parseChecked.toFixed(0)} µs (+${(parseChecked - parse).toFixed(0)} µs)`);
  return { msgpack: { unpackUs: round(unpack), checkedUs: round(unpackChecked) }, json: { parseUs: round(parse), checkedUs: round(parseChecked) } };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rounds: { type: 'string', default: '9' }, ops: { type: 'string', default: '300' }, out: { type: 'string' } },
  });
  const rounds = Number(values.rounds);
  const ops = Number(values.ops);
  if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(ops) || ops < 1) throw new TypeError('--rounds and --ops are integers ≥ 1');
  const command = ['npm run bench:encoder', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  const started = Date.now();
  const loadStart = loadAverage();
  installCleanupHandlers();
  const targets = await Promise.all([startRedis(), startRedis()]);
  const store = new RedisStore({ clients: targets.map(t => ({ url: t.url })), prefix: 'bench-encoder:', serializer: 'msgpack', offload: 'never' });
  store.on('error', (error: Error) => process.stderr.write(`bench: store error: ${error.name}: ${error.message}\n`));
  try {
    await store.ready({ timeout: 10_000 });
    const sid = 'cart-1';
    const session = expressSession(sid, cartData(7));
    const jsonBytes = Buffer.byteLength(JSON.stringify(session));
    const storedBytes = { fused: 0, packr: 0 };
    print(`cart session: ${jsonBytes} B of JSON; ${rounds} rounds × ${ops} set+get per encoder, A/B order alternating`);
    for (const e of ENCODERS) {
      useMsgpackEncoder(e);
      storedBytes[e] = packMsgpack(session, VERSION).length;
      print(`  ${e}: ${storedBytes[e]} B stored`);
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
    const decodeCheck = validationCost(session, ops);
    const decision = round(ratio, 3) <= 1 - KEEP_FUSED_IF_CHEAPER_BY ? 'fused' : 'packr';
    print(`decision: ${decision === 'fused' ? 'keep the fused encoder' : "use msgpackr's Packr"}`);
    const report: EncoderResults = {
      meta: { ...collectMeta(targets[0]!.version, false), seconds: Math.round((Date.now() - started) / 1000), loadStart, loadEnd: loadAverage() },
      command,
      rounds,
      ops,
      clock: mainThreadCpuMs() === undefined ? 'wall' : 'main-thread CPU',
      session: { jsonBytes, storedBytes },
      keepFusedIfCheaperBy: KEEP_FUSED_IF_CHEAPER_BY,
      perRound: {
        setGetMs: { fused: perOp.fused.map(v => round(v, 4)), packr: perOp.packr.map(v => round(v, 4)) },
        encodeUs: { fused: encode.fused.map(v => round(v)), packr: encode.packr.map(v => round(v)) },
      },
      median: {
        setGetMs: { fused: round(median(perOp.fused), 4), packr: round(median(perOp.packr), 4) },
        encodeUs: { fused: round(median(encode.fused)), packr: round(median(encode.packr)) },
      },
      ratio: round(ratio, 3),
      encodeRatio: round(encodeRatio, 3),
      decision,
      decodeCheck,
    };
    const outDir = values.out ? resolve(values.out) : join(ROOT, 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'encoder.json'), JSON.stringify(report, null, 2) + '\n');
    print(`written to ${join(outDir, 'encoder.json')}`);
  } finally {
    await store.close();
    await Promise.all(targets.map(t => t.stop()));
    killEverything();
  }
}

await main();
