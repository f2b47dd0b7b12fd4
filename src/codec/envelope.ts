// The envelope: a 16-byte header that makes a stored value self-describing. Plain JSON (the
// default) carries none, so connect-redis and other services read it; every other format and
// every tombstone does. Layout (big-endian), documented in docs/stored-format.md:
//
//   0  4  magic 00 E5 52 44 ("\0\xE5RD": no JSON text and no msgpack map starts with it)
//   4  1  envelope version (1)
//   5  1  format: 0 tombstone, 1 JSON, 2 msgpack, 3 custom module
//   6  1  flags: bits 0-2 compression (0 none; 1 gzip, 2 deflate, 3 brotli, 4 zstd),
//                bit 3 encrypted (AES-256-GCM, see seal.ts), bit 4 msgpack map keys named __proto__ are escaped,
//                bit 5 a module serializer's payload is binary (parse gets a Buffer, else a string),
//                bits 6-7 reserved (0)
//   7  1  key id of the encryption key (0 when not encrypted)
//   8  6  write version: milliseconds since the epoch
//  14  2  write version: counter within that millisecond
//  16     payload
import { DecodeError } from '../errors.js';
import type { Version } from './version.js';

export const HEADER_SIZE = 16;
export const ENVELOPE_VERSION = 1;
const MAGIC0 = 0x00;
const MAGIC1 = 0xe5;
const MAGIC2 = 0x52;
const MAGIC3 = 0x44;

/** `module` is any custom serializer's output: a `{ module }`'s, or a `{ stringify, parse }`
 * object's when compressed or encrypted (else that is stored as it is). */
export const Format = { tombstone: 0, json: 1, msgpack: 2, module: 3 } as const;
export type FormatCode = (typeof Format)[keyof typeof Format];
export const FLAG_PROTO_ESCAPED = 0x10;
export const FLAG_MODULE_BINARY = 0x20;
/** Bits 0-2: the compression id (1-4); bit 3: encrypted. */
export const FLAGS_SEALED = 0x0f;
const MAX_COMPRESSION_ID = 4;
const KNOWN_FLAGS = FLAG_PROTO_ESCAPED | FLAG_MODULE_BINARY | FLAGS_SEALED;

export interface Header {
  readonly format: FormatCode;
  readonly flags: number;
  readonly version: Version;
}

export function hasEnvelope(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === MAGIC0 && bytes[1] === MAGIC1 && bytes[2] === MAGIC2 && bytes[3] === MAGIC3;
}

/** What a value read as text is: plain text, a tombstone, or some other enveloped (binary) value. */
export type TextEnvelope = 'none' | 'tombstone' | 'binary';

/**
 * The envelope test on a value read as text: node-redis decodes replies as UTF-8, where the lone
 * 0xE5 of the magic becomes U+FFFD. The version and format bytes after it are ASCII and survive,
 * so a tombstone is recognised; any other enveloped value was mangled and must be read as bytes.
 */
export function textEnvelope(text: string): TextEnvelope {
  if (text.length < 6 || text.charCodeAt(0) !== MAGIC0 || text.charCodeAt(1) !== 0xfffd || text.charCodeAt(2) !== MAGIC2 || text.charCodeAt(3) !== MAGIC3) {
    return 'none';
  }
  return text.charCodeAt(4) === ENVELOPE_VERSION && text.charCodeAt(5) === Format.tombstone ? 'tombstone' : 'binary';
}

export function writeHeader(target: Uint8Array, format: FormatCode, flags: number, version: Version): void {
  target[0] = MAGIC0;
  target[1] = MAGIC1;
  target[2] = MAGIC2;
  target[3] = MAGIC3;
  target[4] = ENVELOPE_VERSION;
  target[5] = format;
  target[6] = flags;
  target[7] = 0;
  const view = new DataView(target.buffer, target.byteOffset, HEADER_SIZE);
  view.setUint16(8, Math.floor(version.ms / 0x100000000));
  view.setUint32(10, version.ms >>> 0);
  view.setUint16(14, version.counter);
}

/** The header of an enveloped value; throws DecodeError for one this version cannot read. */
export function readHeader(bytes: Uint8Array): Header {
  if (bytes.length < HEADER_SIZE) throw new DecodeError(`stored value is ${bytes.length} bytes, shorter than the ${HEADER_SIZE}-byte envelope`);
  if (bytes[4] !== ENVELOPE_VERSION) throw new DecodeError(`stored value has envelope version ${bytes[4]}, this expredis reads version ${ENVELOPE_VERSION}`);
  const format = bytes[5] as FormatCode;
  if (format > Format.module) throw new DecodeError(`stored value has unknown format ${format}`);
  const flags = bytes[6]!;
  if ((flags & ~KNOWN_FLAGS) !== 0 || (flags & 0x07) > MAX_COMPRESSION_ID) {
    throw new DecodeError(`stored value uses envelope flags 0x${flags.toString(16)} that this version does not know`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_SIZE);
  const ms = view.getUint16(8) * 0x100000000 + view.getUint32(10);
  return { format, flags, version: { ms, counter: view.getUint16(14) } };
}
