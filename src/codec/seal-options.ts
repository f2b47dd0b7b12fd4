// The `compression` and `encryption` options, checked and normalised. A key is never quoted in an
// error: messages name the option and the key's position only.
import { fail } from '../describe.js';
import { ALGORITHMS, keyId, MAX_KEYS, zstdAvailable, type Algorithm, type Compression, type Key } from './seal.js';

export type CompressionOption = false | Algorithm | { algorithm: Algorithm; level?: number; threshold?: number };
export type EncryptionOption = false | { keys: (Uint8Array | string)[] };

/** Defaults chosen by measurement on the bench's sessions (docs/stored-format.md#compression):
 * brotli 4 stores the 170 KB cart in about a tenth of its JSON for under a millisecond. */
export const DEFAULT_ALGORITHM: Algorithm = 'brotli';
export const DEFAULT_LEVEL: Record<Algorithm, number> = { brotli: 4, gzip: 6, deflate: 6, zstd: 3 };
/** Below 4 KB a session saves at most a few hundred bytes a member for a third more main-thread
 * time per operation (the 1 KB session: 2× smaller, +0.03 ms). */
export const DEFAULT_COMPRESSION_THRESHOLD = 4096;
const LEVELS: Record<Algorithm, readonly [number, number]> = { brotli: [0, 11], gzip: [0, 9], deflate: [0, 9], zstd: [1, 22] };

export function compressionOption(value: unknown): Compression | undefined {
  if (value === undefined || value === false) return undefined;
  const expected = "false, 'brotli', 'gzip', 'deflate', 'zstd', or { algorithm, level, threshold }";
  if (typeof value === 'string') return compression('options.compression', value, undefined, undefined, expected);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('options.compression', expected, value);
  const c = value as Record<string, unknown>;
  for (const key of Object.keys(c)) {
    if (key !== 'algorithm' && key !== 'level' && key !== 'threshold') {
      throw new TypeError(`options.compression.${key} is not a compression option (known: algorithm, level, threshold)`);
    }
  }
  return compression('options.compression.algorithm', c.algorithm ?? DEFAULT_ALGORITHM, c.level, c.threshold, expected);
}

function compression(name: string, algorithm: unknown, level: unknown, threshold: unknown, expected: string): Compression {
  if (!(ALGORITHMS as readonly unknown[]).includes(algorithm)) fail(name, expected, algorithm);
  const a = algorithm as Algorithm;
  if (a === 'zstd' && !zstdAvailable()) {
    throw new TypeError(
      `options.compression 'zstd' needs Node 22.15+ or 23.8+ (zlib.zstdCompressSync); this is Node ${process.versions.node}: use 'brotli', 'gzip' or 'deflate'`,
    );
  }
  const [min, max] = LEVELS[a];
  const l = level ?? DEFAULT_LEVEL[a];
  if (!Number.isInteger(l) || (l as number) < min || (l as number) > max) fail('options.compression.level', `an integer from ${min} to ${max} for ${a}`, l);
  const t = threshold ?? DEFAULT_COMPRESSION_THRESHOLD;
  if (!Number.isInteger(t) || (t as number) < 0) fail('options.compression.threshold', 'an integer number of bytes ≥ 0', t);
  return Object.freeze({ algorithm: a, level: l as number, threshold: t as number });
}

const BASE64_32 = /^[A-Za-z0-9+/]{43}=$/;

export function encryptionOption(value: unknown): readonly Key[] | undefined {
  if (value === undefined || value === false) return undefined;
  const expected = 'false or { keys: [key, ...] } (each key 32 bytes: a Buffer, a Uint8Array or base64 text)';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    // Never quoted: a bare key passed here would be secret.
    throw new TypeError(`options.encryption must be ${expected}, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  const e = value as Record<string, unknown>;
  for (const key of Object.keys(e)) {
    if (key !== 'keys') throw new TypeError(`options.encryption.${key} is not an encryption option (known: keys)`);
  }
  const list = e.keys;
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError(`options.encryption.keys must be a non-empty array of keys (each 32 bytes: a Buffer, a Uint8Array or base64 text), got ${Array.isArray(list) ? 'an empty array' : list === null ? 'null' : typeof list}`);
  }
  if (list.length > MAX_KEYS) {
    throw new TypeError(`options.encryption.keys has ${list.length} keys; the envelope's key id names at most ${MAX_KEYS}`);
  }
  const secrets = list.map((k, i) => secret(k, i));
  for (let i = 1; i < secrets.length; i++) {
    const first = secrets.findIndex(s => Buffer.compare(s, secrets[i]!) === 0);
    if (first < i) throw new TypeError(`options.encryption.keys[${i}] is the same key as keys[${first}]: each key must be listed once`);
  }
  return Object.freeze(secrets.map(s => Object.freeze({ id: keyId(s), secret: s })));
}

function secret(key: unknown, index: number): Buffer {
  const name = `options.encryption.keys[${index}]`;
  if (key instanceof Uint8Array) {
    if (key.length !== 32) throw new TypeError(`${name} must be 32 bytes, got ${key.length} bytes`);
    return owned(key); // a copy: the caller may reuse its buffer
  }
  if (typeof key === 'string') {
    if (!BASE64_32.test(key)) throw new TypeError(`${name} must be the base64 text of 32 bytes (44 characters ending in '='), got a string of ${key.length} characters that is not`);
    return owned(Buffer.from(key, 'base64'));
  }
  throw new TypeError(`${name} must be 32 bytes (a Buffer, a Uint8Array or base64 text), got ${key === null ? 'null' : typeof key}`);
}

/** A copy in an ArrayBuffer of its own. Buffer.from would place 32 bytes in Node's shared 8 KB
 * pool, and a pooled task's spec carries the key by structured clone, which copies the whole
 * ArrayBuffer behind a view: 8 KB of unrelated bytes with every seal and open sent to a worker. */
function owned(key: Uint8Array): Buffer {
  const out = Buffer.alloc(32);
  out.set(key);
  return out;
}
