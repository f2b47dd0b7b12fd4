// The codec: a session → the bytes stored on every member, and stored bytes → a session. One
// encode serves every member. Work runs inline or in the pool as the offload policy says;
// a synchronous result is returned as is, so the inline path costs no extra tick. Compression
// and encryption (seal.ts) come after serializing and before parsing, inline or in the pool.
import { DecodeError, isCodecAbort, SessionTooLargeError, sidHash } from '../errors.js';
import type { Options, SerializerChoice } from '../options.js';
import type { CodecPool } from '../pool.js';
import { FLAG_PROTO_ESCAPED, FLAGS_SEALED, Format, HEADER_SIZE, hasEnvelope, readHeader, type Header } from './envelope.js';
import { jsonText, parseJson, utf8Bytes } from './json.js';
import { unpackFrom } from './msgpack.js';
import { packModule, unpackModule } from './module.js';
import { checkDepth, jsonOnly, MAX_DEPTH, NotJson } from './json-only.js';
import { toJsonTree } from './normalize.js';
import { enveloped, packMsgpack, textPlain } from './pack.js';
import { FLAG_ENCRYPTED, COMPRESSION_MASK, NONCE_SIZE, TAG_SIZE, open, OpenFailure, seal, sealsPayload, type Compression, type Key, type OpenSpec, type SealSpec } from './seal.js';
import { OffloadPolicy } from './policy.js';
import { detach } from './release.js';
import { nextVersion, UNVERSIONED, type Version } from './version.js';

/** What SET sends: a string for small JSON (node-redis writes it straight to the socket), else bytes. */
export type Payload = string | Buffer;
export type SessionObject = Record<string, unknown>;

export interface CodecStats {
  /** Sessions encoded on the main thread. */
  encodeInline: number;
  /** Sessions encoded in the worker pool. */
  encodeOffloaded: number;
  /** Stored values decoded on the main thread. */
  decodeInline: number;
  /** Stored values decoded in the worker pool (`{ module }` serializers). */
  decodeOffloaded: number;
  /** Stored values that could not be read as a session (each also reported on `error`). */
  decodeFailures: number;
  /** Payload bytes of the values compressed so far, before compression. */
  bytesBeforeCompression: number;
  /** The same values' payload bytes after compression (before encryption). */
  bytesAfterCompression: number;
  /** Stored values that failed authentication or had no configured key (wrong key, changed
   * bytes, copied to another id); each is also counted in decodeFailures. */
  decryptFailures: number;
  /** Stored values that did not decompress, or would inflate past maxSize (also in decodeFailures). */
  decompressFailures: number;
  /** Compressions/encryptions done on the main thread, and in the pool. */
  sealInline: number;
  sealOffloaded: number;
  /** Decryptions/decompressions done on the main thread, and in the pool. */
  openInline: number;
  openOffloaded: number;
}

/** JSON text longer than this is turned into bytes once and shared by every member's SET. */
const SHARED_BYTES_FROM = 4096;

let releasing = true;

/** For bench/gc.ts only: whether `release` detaches offloaded bytes in this thread (true) or
 * leaves them to the GC. */
export function useRelease(on: boolean): void {
  releasing = on;
}

export class Codec {
  readonly stats: CodecStats = {
    encodeInline: 0,
    encodeOffloaded: 0,
    decodeInline: 0,
    decodeOffloaded: 0,
    decodeFailures: 0,
    bytesBeforeCompression: 0,
    bytesAfterCompression: 0,
    decryptFailures: 0,
    decompressFailures: 0,
    sealInline: 0,
    sealOffloaded: 0,
    openInline: 0,
    openOffloaded: 0,
  };
  readonly #serializer: SerializerChoice;
  readonly #policy: OffloadPolicy;
  readonly #pool: CodecPool;
  readonly #shareBytes: boolean;
  /** Payloads a worker encoded (transferred bytes) that no write has released yet. */
  readonly #pooled = new WeakSet<Buffer>();
  readonly #compression: Compression | undefined;
  readonly #keys: readonly Key[] | undefined;
  readonly #prefixLength: number;
  readonly #maxSize: number;
  /** The size a sealed value (or a session read from one) has unsealed: what the offload policy
   * and the text-read choice go by. */
  readonly #plainSizes = new WeakMap<object, number>();

  constructor(options: Options, pool: CodecPool) {
    this.#serializer = options.serializer;
    this.#policy = new OffloadPolicy(options.offload, options.offloadThreshold, options.serializer);
    this.#pool = pool;
    this.#shareBytes = options.members.length > 1;
    this.#compression = options.compression;
    this.#keys = options.keys;
    this.#prefixLength = options.prefix.length;
    this.#maxSize = options.maxSize;
  }

  /** Sessions last seen (unsealed) below this size were stored as text by this configuration
   * (JSON, or a plain-object serializer's strings), so may be fetched as strings: 0 when
   * encrypting (every value is enveloped), the compression threshold when compressing. */
  get textBelow(): number {
    if (this.#keys || (this.#serializer.kind !== 'json' && this.#serializer.kind !== 'object')) return 0;
    return this.#compression ? this.#compression.threshold : Infinity;
  }

  /** The unsealed size of a value this codec sealed, or of a session it read from a sealed value. */
  plainSize(value: object): number | undefined {
    return this.#plainSizes.get(value);
  }

  /**
   * The stored form of a session. Throws (or rejects) when it cannot be encoded: a cycle, a
   * BigInt, a serializer that throws.
   * @param knownSize the size this session had when last read or written, if known
   * @param key the Redis key (prefix + session id), bound to an encrypted value
   */
  encode(session: unknown, knownSize: number | undefined, key: string): Payload | Promise<Payload> {
    const s = this.#serializer;
    const spec = this.#sealSpec(key);
    if (s.kind === 'object') {
      const out = s.serializer.stringify(session);
      if (typeof out !== 'string') {
        throw new TypeError(`options.serializer.stringify must return a string, got ${out === null ? 'null' : typeof out} (binary serializers go in a { module })`);
      }
      this.stats.encodeInline++;
      return spec ? this.#seal(textPlain(out, Format.module, spec, nextVersion()), spec, key) : out;
    }
    if (this.#policy.encodeInPool(session, knownSize)) return spec ? this.#encodeSealedInPool(s, session, spec, key) : this.#encodeInPool(s, session);
    const payload = this.#encodeInline(s, session, spec);
    this.stats.encodeInline++;
    if (!spec || typeof payload === 'string') return payload;
    return payload instanceof Promise ? payload.then(p => this.#seal(p as Buffer, spec, key)) : this.#seal(payload, spec, key);
  }

  /** What seal needs for this key; undefined when neither compression nor encryption is on. */
  #sealSpec(key: string): SealSpec | undefined {
    if (!this.#compression && !this.#keys) return undefined;
    return { compression: this.#compression, key: this.#keys?.[0], aad: key };
  }

  /** A plain value (enveloped, or text below the compression threshold) → what is stored. */
  #seal(plain: Buffer, spec: SealSpec, key: string): Payload | Promise<Payload> {
    if (!hasEnvelope(plain)) return plain;
    const before = plain.length - HEADER_SIZE;
    // Under the compression threshold and not encrypted: nothing to do, no copy, no pool trip.
    if (!sealsPayload(spec, before)) return plain;
    this.#checkSize(before, key);
    if (this.#policy.sealInPool(plain.length)) {
      this.stats.sealOffloaded++;
      return this.#pool.seal(plain, spec).then(bytes => {
        if (releasing) this.#pooled.add(bytes);
        return this.#sealed(bytes, before);
      });
    }
    this.stats.sealInline++;
    return this.#sealed(seal(plain, spec).bytes, before);
  }

  #encodeSealedInPool(s: Exclude<SerializerChoice, { kind: 'object' }>, session: unknown, spec: SealSpec, key: string): Promise<Payload> {
    const tree = toJsonTree(session);
    this.stats.encodeOffloaded++;
    this.stats.sealOffloaded++;
    const task = { format: s.kind, tree, version: nextVersion(), href: s.kind === 'module' ? s.href : undefined, seal: spec };
    return this.#pool.encodeSealed(task).then(({ bytes, before }) => {
      if (releasing) this.#pooled.add(bytes);
      if (!hasEnvelope(bytes)) return bytes; // JSON below the threshold: plain text
      this.#checkSize(before, key);
      return this.#sealed(bytes, before);
    });
  }

  /** Unsealed, a value must still fit maxSize, or no reader would open it (see OpenSpec.maxPayload). */
  #checkSize(payload: number, key: string): void {
    if (HEADER_SIZE + payload > this.#maxSize) throw new SessionTooLargeError(key.slice(this.#prefixLength), HEADER_SIZE + payload, this.#maxSize);
  }

  #sealed(bytes: Buffer, before: number): Buffer {
    const flags = bytes[6]!;
    if ((flags & COMPRESSION_MASK) !== 0) {
      this.stats.bytesBeforeCompression += before;
      this.stats.bytesAfterCompression += bytes.length - HEADER_SIZE - ((flags & FLAG_ENCRYPTED) !== 0 ? NONCE_SIZE + TAG_SIZE : 0);
    }
    this.#plainSizes.set(bytes, HEADER_SIZE + before);
    return bytes;
  }

  #encodeInline(s: Exclude<SerializerChoice, { kind: 'object' }>, session: unknown, spec: SealSpec | undefined): Payload | Promise<Payload> {
    switch (s.kind) {
      case 'json': {
        const text = jsonText(session);
        // The threshold is in bytes; text.length is a lower bound, so count bytes only below it.
        if (spec && sealsPayload(spec, text.length < (spec.compression?.threshold ?? 0) ? Buffer.byteLength(text) : text.length)) {
          return textPlain(text, Format.json, spec, nextVersion());
        }
        return this.#shareBytes && text.length > SHARED_BYTES_FROM ? utf8Bytes(text) : text;
      }
      case 'msgpack':
        return packMsgpack(session, nextVersion());
      case 'module':
        return packModule(s.href, toJsonTree(session), nextVersion());
    }
  }

  #encodeInPool(s: Exclude<SerializerChoice, { kind: 'object' }>, session: unknown): Promise<Payload> {
    // The walk keeps what a structured clone would lose (toJSON, the Cookie's getters).
    const tree = toJsonTree(session);
    this.stats.encodeOffloaded++;
    const task = { format: s.kind, tree, version: nextVersion(), href: s.kind === 'module' ? s.href : undefined };
    // A worker that died or ran too long fails this write (WorkerError): never re-run inline,
    // since the serializer's own code may be what killed it.
    return this.#pool.encode(task).then(bytes => {
      if (releasing) this.#pooled.add(bytes);
      return bytes;
    });
  }

  /**
   * Frees the bytes of an offloaded encode once every member has answered the write that sent
   * them (see release.ts); other payloads, and writes a member did not answer (node-redis may
   * still hold the bytes), are left to the GC.
   * @param sent every member's outcome of the one write that carried `payload`
   */
  release(payload: Payload, sent: () => Promise<readonly { ok: boolean }[]>): void {
    if (typeof payload === 'string' || !this.#pooled.delete(payload)) return;
    void sent().then(outcomes => {
      if (!outcomes.every(outcome => outcome.ok)) return;
      try {
        detach(payload);
      } catch {
        // already detached or not detachable: the GC frees it as before
      }
    });
  }

  /** A tombstone: what `destroy` leaves, so that repair cannot bring the session back. */
  tombstone(): Buffer {
    return enveloped(Format.tombstone, 0, nextVersion(), new Uint8Array(0));
  }

  /** The envelope of a stored value (undefined for plain JSON or a custom serializer's output);
   * throws DecodeError for an envelope this version cannot read. */
  header(stored: Buffer): Header | undefined {
    if (!hasEnvelope(stored)) return undefined;
    try {
      return readHeader(stored);
    } catch (error) {
      throw this.#failed(error, undefined);
    }
  }

  /** The write version of a stored value; plain values have none and count as oldest. */
  version(header: Header | undefined): Version {
    return header?.version ?? UNVERSIONED;
  }

  /**
   * A stored value → a session object. Throws (or rejects with) DecodeError when the bytes do not
   * decode to a plain object. Tombstones never get here (see `header`).
   */
  decode(stored: Buffer | string, header: Header | undefined, key: string): SessionObject | Promise<SessionObject> {
    if (header && (header.flags & FLAGS_SEALED) !== 0 && typeof stored !== 'string') return this.#open(stored, header, key);
    try {
      if (header?.format === Format.module && typeof stored !== 'string' && this.#serializer.kind !== 'object') return this.#decodeModule(stored, key);
      this.stats.decodeInline++;
      return plainObject(this.#decodeInline(stored, header));
    } catch (error) {
      throw this.#failed(error, key, stored, header);
    }
  }

  /** Decrypt and/or decompress (inline or in the pool), then decode the plain value. */
  #open(stored: Buffer, header: Header, key: string): SessionObject | Promise<SessionObject> {
    const spec: OpenSpec = {
      keys: (this.#keys ?? []).filter(k => k.id === stored[7]).map(k => k.secret),
      aad: key,
      maxPayload: this.#maxSize - HEADER_SIZE,
    };
    const fail = (error: unknown) => this.#failed(error, key, stored, header);
    if (this.#policy.openInPool(stored.length)) {
      this.stats.openOffloaded++;
      return this.#pool.open(stored, spec).then(
        plain => this.#decodeOpened(plain, key),
        (error: unknown) => {
          if (isCodecAbort(error)) throw error;
          throw fail(error);
        },
      );
    }
    this.stats.openInline++;
    let plain: Buffer;
    try {
      plain = open(stored, spec);
    } catch (error) {
      throw fail(error);
    }
    return this.#decodeOpened(plain, key);
  }

  #decodeOpened(plain: Buffer, key: string): SessionObject | Promise<SessionObject> {
    const remember = (session: SessionObject) => {
      this.#plainSizes.set(session, plain.length);
      return session;
    };
    const decoded = this.decode(plain, readHeader(plain), key);
    return decoded instanceof Promise ? decoded.then(remember) : remember(decoded);
  }

  /** @param stored a string only when read as text (then never enveloped, see Read) */
  #decodeInline(stored: Buffer | string, header: Header | undefined): unknown {
    if (typeof stored === 'string' || !header) {
      // Plain JSON, or a plain-object serializer's output.
      const text = typeof stored === 'string' ? stored : stored.toString('utf8');
      const s = this.#serializer;
      return s.kind === 'object' ? jsonOnly(s.serializer.parse(text), false) : depthChecked(JSON.parse(text), text.length);
    }
    switch (header.format) {
      case Format.module:
        // Here only for a { stringify, parse } object: its text, enveloped to be sealed.
        return this.#decodeInline(stored.toString('utf8', HEADER_SIZE), undefined);
      case Format.json:
        return depthChecked(parseJson(stored, HEADER_SIZE), stored.length - HEADER_SIZE);
      case Format.msgpack:
        return jsonOnly(unpackFrom(stored, HEADER_SIZE), (header.flags & FLAG_PROTO_ESCAPED) !== 0);
      default:
        throw new NotJson(`has format ${header.format}, which is not a session`);
    }
  }

  #decodeModule(stored: Buffer, key: string): Promise<SessionObject> {
    const s = this.#serializer;
    if (s.kind !== 'module') {
      throw new DecodeError('stored value was written by a { module } serializer; configure the same module to read it');
    }
    const inPool = this.#policy.decodeInPool(stored.length);
    if (inPool) this.stats.decodeOffloaded++;
    else this.stats.decodeInline++;
    // A worker that died or ran too long on this value (a WorkerError) makes it unreadable here,
    // never re-run inline: the module's parse may be what killed it.
    const decoded = inPool ? this.#pool.decode(s.href, stored) : unpackModule(s.href, stored);
    return decoded.then(value => plainObject(jsonOnly(value, false))).catch((error: unknown) => {
      if (isCodecAbort(error)) throw error; // says nothing about the stored value
      throw this.#failed(error, key, stored, { format: Format.module, flags: 0, version: UNVERSIONED });
    });
  }

  /** The DecodeError for `stored`: it names the format and the byte length, and neither quotes
   * nor carries what failed to parse (JSON.parse's own messages quote the input, and a
   * serializer's may too): stored bytes are session contents. */
  #failed(error: unknown, key: string | undefined, stored?: Buffer | string, header?: Header): DecodeError {
    this.stats.decodeFailures++;
    if (error instanceof DecodeError) return error;
    const sid = key === undefined ? '' : ` of session ${sidHash(key.slice(this.#prefixLength))}`;
    const what = stored === undefined ? 'stored value' : `stored ${sealName(header)}${formatName(header, this.#serializer)} value${sid}, ${byteLength(stored)} bytes,`;
    if (error instanceof OpenFailure) {
      if (error.reason === 'decompress') this.stats.decompressFailures++;
      else this.stats.decryptFailures++;
      return new DecodeError(`${what} ${error.message}`);
    }
    if (error instanceof NotJson) return new DecodeError(`${what} ${error.message}`);
    const name = error instanceof Error && /^\w{1,40}$/.test(error.name) ? error.name : 'error';
    return new DecodeError(`${what} could not be decoded (${name})`);
  }
}

/** @param length the text's length (or an upper bound): nesting past MAX_DEPTH takes at least
 * two brackets a level, so shorter texts (every small session) skip the walk. */
function depthChecked(value: unknown, length: number): unknown {
  if (length > 2 * MAX_DEPTH) checkDepth(value);
  return value;
}

function plainObject(value: unknown): SessionObject {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto === Object.prototype || proto === null) return value as SessionObject;
  }
  const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  throw new NotJson(`decoded to ${kind}, not a session object`);
}

function sealName(header: Header | undefined): string {
  if (!header) return '';
  const algorithm = ['', 'gzip ', 'deflate ', 'brotli ', 'zstd '][header.flags & COMPRESSION_MASK] ?? '';
  return ((header.flags & FLAG_ENCRYPTED) !== 0 ? 'encrypted ' : '') + algorithm;
}

function formatName(header: Header | undefined, serializer: SerializerChoice): string {
  if (!header) return serializer.kind === 'object' ? 'serializer-text' : 'JSON-text';
  switch (header.format) {
    case Format.json:
      return 'JSON';
    case Format.msgpack:
      return 'msgpack';
    case Format.module:
      return 'module-serializer';
    default:
      return `format-${header.format}`;
  }
}

function byteLength(stored: Buffer | string): number {
  return typeof stored === 'string' ? Buffer.byteLength(stored) : stored.length;
}
