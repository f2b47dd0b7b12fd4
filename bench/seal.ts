// The figures behind compression's defaults and the byte-work crossover of offload 'auto'
// (docs/stored-format.md#compression, docs/offload.md): `npm run build && node dist/bench/seal.js`.
// Ratio and ms of each algorithm on the bench's sessions, then the main-thread time (event-loop
// active ms) of seal and open inline against in a warm worker.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import * as zlib from 'node:zlib';
import { CodecPool } from '../src/pool.js';
import { Format } from '../src/codec/envelope.js';
import { packMsgpack, textPlain } from '../src/codec/pack.js';
import { keyId, open, seal, type SealSpec } from '../src/codec/seal.js';
import { cartData, expressSession, sessionData, smallData, KB } from './sessions.js';

const VERSION = { ms: 0, counter: 0 };
const quality = (q: number) => ({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: q } });
const ALGORITHMS: Record<string, [(b: Uint8Array) => Buffer, (b: Uint8Array) => Buffer]> = {
  'gzip 1': [b => zlib.gzipSync(b, { level: 1 }), b => zlib.gunzipSync(b)],
  'gzip 6': [b => zlib.gzipSync(b, { level: 6 }), b => zlib.gunzipSync(b)],
  'deflate 6': [b => zlib.deflateSync(b, { level: 6 }), b => zlib.inflateSync(b)],
  'brotli 1': [b => zlib.brotliCompressSync(b, quality(1)), b => zlib.brotliDecompressSync(b)],
  'brotli 4': [b => zlib.brotliCompressSync(b, quality(4)), b => zlib.brotliDecompressSync(b)],
  'brotli 5': [b => zlib.brotliCompressSync(b, quality(5)), b => zlib.brotliDecompressSync(b)],
};

function ms(fn: () => unknown, n: number): number {
  for (let i = 0; i < 3; i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - start) / 1e6 / n;
}

async function active(fn: () => unknown, n: number): Promise<number> {
  for (let i = 0; i < 20; i++) await fn();
  const before = performance.eventLoopUtilization();
  for (let i = 0; i < n; i++) await fn();
  return performance.eventLoopUtilization(before).active / n;
}

const sessions: Record<string, Record<string, unknown>> = {
  cart: expressSession('a', cartData()),
  'string-heavy 170 KB': expressSession('b', sessionData('string', 170 * KB)),
  'object-heavy 16 KB': expressSession('c', sessionData('object', 16 * KB)),
  'string-heavy 4 KB': expressSession('d', sessionData('string', 4 * KB)),
  small: expressSession('e', smallData()),
};

console.log('## compression: ratio, compress ms / decompress ms');
for (const [name, session] of Object.entries(sessions)) {
  for (const format of ['json', 'msgpack']) {
    const raw = format === 'json' ? Buffer.from(JSON.stringify(session)) : packMsgpack(session, VERSION).subarray(16);
    const n = raw.length > 50_000 ? 20 : 200;
    const cells = Object.entries(ALGORITHMS).map(([a, [c, d]]) => {
      const packed = c(raw);
      return `${a} ${(raw.length / packed.length).toFixed(1)}× ${ms(() => c(raw), n).toFixed(3)}/${ms(() => d(packed), n).toFixed(3)}`;
    });
    console.log(`${name} ${format} (${raw.length} B): ${cells.join(' | ')}`);
  }
}

console.log('\n## byte work, main-thread ms: seal inline / pool, open inline / pool (brotli 4 + AES-256-GCM)');
const secret = randomBytes(32);
const spec: SealSpec = { compression: { algorithm: 'brotli', level: 4, threshold: 4096 }, key: { id: keyId(secret), secret }, aad: 'session:abc' };
const openSpec = { keys: [secret], aad: 'session:abc', maxPayload: 8 * 1024 * KB };
const pool = new CodecPool({ minThreads: 1, maxThreads: 1, idleTimeout: 30_000 }, () => undefined);
for (const [kind, size] of [['object', 4], ['object', 16], ['string', 16], ['object', 32], ['object', 64], ['string', 64], ['cart', 0]] as const) {
  const session = kind === 'cart' ? sessions.cart! : expressSession('x', sessionData(kind, size * KB));
  const plain = textPlain(JSON.stringify(session), Format.json, spec, VERSION);
  const stored = seal(plain, spec).bytes;
  const copy = await active(() => Buffer.from(plain), 200);
  const sealInline = await active(() => seal(plain, spec), 200);
  const sealPool = (await active(() => pool.seal(Buffer.from(plain), spec), 200)) - copy;
  const openInline = await active(() => open(stored, openSpec), 200);
  const openPool = await active(() => pool.open(stored, openSpec), 200);
  const f = (x: number) => x.toFixed(3);
  console.log(`${kind} ${plain.length} B (stored ${stored.length} B): seal ${f(sealInline)} / ${f(sealPool)}, open ${f(openInline)} / ${f(openPool)}`);
}
await pool.close();
