// Compression and encryption at rest: pure byte work on an enveloped value, the same code in
// both threads. `seal` turns a plain enveloped value (header + serialized payload) into what is
// stored; `open` turns it back. Layout (docs/stored-format.md):
//
//   header (16 bytes; flags bits 0-2 the compression id, bit 3 encrypted, byte 7 the key id)
//   payload: compressed or not; when encrypted, nonce (12) ‖ AES-256-GCM ciphertext ‖ tag (16),
//   the additional data being the 16 header bytes then the UTF-8 Redis key (prefix + session id).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import { HEADER_SIZE } from './envelope.js';

export const ALGORITHMS = ['gzip', 'deflate', 'brotli', 'zstd'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];
/** The compression id each algorithm has in the envelope's flags (bits 0-2). */
export const COMPRESSION_ID: Record<Algorithm, number> = { gzip: 1, deflate: 2, brotli: 3, zstd: 4 };
export const COMPRESSION_MASK = 0x07;
export const FLAG_ENCRYPTED = 0x08;
export const NONCE_SIZE = 12;
export const TAG_SIZE = 16;
/** Key ids 1-255 (0: not encrypted), so at most this many keys. */
export const MAX_KEYS = 255;

export interface Compression {
  readonly algorithm: Algorithm;
  readonly level: number;
  /** Payloads (serialized bytes, before the envelope) shorter than this are stored as they are. */
  readonly threshold: number;
}

export interface Key {
  /** 1-255, derived from the key itself (so it survives reordering the list). */
  readonly id: number;
  readonly secret: Uint8Array;
}

/** What seal needs; it crosses to the workers as it is (structured clone). */
export interface SealSpec {
  readonly compression: Compression | undefined;
  /** The key that encrypts (the first configured), if any. */
  readonly key: Key | undefined;
  /** The Redis key (prefix + session id), bound as additional data. */
  readonly aad: string;
}

export interface OpenSpec {
  /** The configured keys with the value's key id (usually one). */
  readonly keys: readonly Uint8Array[];
  readonly aad: string;
  /** The longest payload decompression may produce (maxSize minus the header): a bomb stops there. */
  readonly maxPayload: number;
}

/** Why a stored value did not open. */
export class OpenFailure extends Error {
  readonly reason: 'key' | 'auth' | 'decompress';
  constructor(reason: OpenFailure['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

/** The envelope's key id of a key: 1 + the first byte of a SHA-256 of it, mod 255. Two keys may
 * share an id; open then tries each (GCM authentication tells the right one). */
export function keyId(secret: Uint8Array): number {
  return 1 + (createHash('sha256').update('expredis key id\0').update(secret).digest()[0]! % MAX_KEYS);
}

export function zstdAvailable(): boolean {
  return typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';
}

/** Whether a plain payload of this length is stored sealed (compressed and/or encrypted). */
export function sealsPayload(spec: Pick<SealSpec, 'compression' | 'key'>, payloadLength: number): boolean {
  return spec.key !== undefined || (spec.compression !== undefined && payloadLength >= spec.compression.threshold);
}

export interface Sealed {
  readonly bytes: Buffer;
  /** Payload bytes before and after compression (equal when not compressed). */
  readonly before: number;
  readonly after: number;
}

/** @param plain a whole enveloped value whose flags carry no compression or encryption */
export function seal(plain: Uint8Array, spec: SealSpec): Sealed {
  const header = Buffer.from(plain.subarray(0, HEADER_SIZE));
  let payload = plain.subarray(HEADER_SIZE);
  const before = payload.length;
  const c = spec.compression;
  if (c && payload.length >= c.threshold) {
    payload = compress(c, payload);
    header[6]! |= COMPRESSION_ID[c.algorithm];
  }
  const after = payload.length;
  if (!spec.key) return { bytes: concat(header, payload), before, after };
  header[6]! |= FLAG_ENCRYPTED;
  header[7] = spec.key.id;
  const nonce = randomBytes(NONCE_SIZE);
  const cipher = createCipheriv('aes-256-gcm', spec.key.secret, nonce);
  cipher.setAAD(Buffer.concat([header, Buffer.from(spec.aad, 'utf8')]));
  const body = cipher.update(payload);
  const final = cipher.final();
  return { bytes: Buffer.concat([header, nonce, body, final, cipher.getAuthTag()]), before, after };
}

/** A sealed stored value → the plain enveloped value (flags bits 0-3 and the key id cleared).
 * Throws OpenFailure: no key, authentication failed, or the payload did not decompress within
 * `maxPayload` bytes (a bomb is cut off there, never inflated whole). */
export function open(stored: Uint8Array, spec: OpenSpec): Buffer {
  const flags = stored[6]!;
  let payload: Uint8Array = stored.subarray(HEADER_SIZE);
  if ((flags & FLAG_ENCRYPTED) !== 0) payload = decrypt(stored, spec);
  const id = flags & COMPRESSION_MASK;
  if (id !== 0) {
    try {
      payload = decompress(id, payload, spec.maxPayload);
    } catch (error) {
      const why = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? `inflates past ${spec.maxPayload} bytes` : 'did not decompress';
      throw new OpenFailure('decompress', why);
    }
  }
  const out = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
  out.set(stored.subarray(0, HEADER_SIZE), 0);
  out[6] = flags & ~(COMPRESSION_MASK | FLAG_ENCRYPTED);
  out[7] = 0;
  out.set(payload, HEADER_SIZE);
  return out;
}

function decrypt(stored: Uint8Array, spec: OpenSpec): Uint8Array {
  if (spec.keys.length === 0) throw new OpenFailure('key', `is encrypted with key id ${stored[7]}, which no configured key has`);
  if (stored.length < HEADER_SIZE + NONCE_SIZE + TAG_SIZE) throw new OpenFailure('auth', 'is too short to be encrypted');
  const aad = Buffer.concat([stored.subarray(0, HEADER_SIZE), Buffer.from(spec.aad, 'utf8')]);
  const nonce = stored.subarray(HEADER_SIZE, HEADER_SIZE + NONCE_SIZE);
  const body = stored.subarray(HEADER_SIZE + NONCE_SIZE, stored.length - TAG_SIZE);
  const tag = stored.subarray(stored.length - TAG_SIZE);
  for (const secret of spec.keys) {
    const decipher = createDecipheriv('aes-256-gcm', secret, nonce);
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    const text = decipher.update(body);
    try {
      const final = decipher.final();
      return final.length === 0 ? text : Buffer.concat([text, final]);
    } catch {
      // another key with the same id may be the right one
    }
  }
  throw new OpenFailure('auth', 'failed authentication (wrong key, changed bytes, or copied from another session id)');
}

function compress(c: Compression, payload: Uint8Array): Buffer {
  switch (c.algorithm) {
    case 'gzip':
      return zlib.gzipSync(payload, { level: c.level });
    case 'deflate':
      return zlib.deflateSync(payload, { level: c.level });
    case 'brotli':
      return zlib.brotliCompressSync(payload, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: c.level, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: payload.length },
      });
    case 'zstd':
      return zstd().zstdCompressSync(payload, { params: { [ZSTD_C_COMPRESSION_LEVEL]: c.level } });
  }
}

function decompress(id: number, payload: Uint8Array, maxOutputLength: number): Buffer {
  const options = { maxOutputLength: Math.max(1, maxOutputLength) };
  switch (id) {
    case 1:
      return zlib.gunzipSync(payload, options);
    case 2:
      return zlib.inflateSync(payload, options);
    case 3:
      return zlib.brotliDecompressSync(payload, options);
    case 4:
      if (!zstdAvailable()) throw new Error('zstd is not available in this Node');
      return zstd().zstdDecompressSync(payload, options);
    default:
      throw new Error(`unknown compression id ${id}`);
  }
}

/** ZSTD_c_compressionLevel (zlib.constants on the Node versions that have zstd). */
const ZSTD_C_COMPRESSION_LEVEL = 100;

interface ZstdZlib {
  zstdCompressSync(data: Uint8Array, options: object): Buffer;
  zstdDecompressSync(data: Uint8Array, options: object): Buffer;
}

function zstd(): ZstdZlib {
  return zlib as unknown as ZstdZlib;
}

function concat(header: Buffer, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
  out.set(header, 0);
  out.set(payload, HEADER_SIZE);
  return out;
}
