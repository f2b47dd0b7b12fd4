// The codec: a session → the bytes stored on every member, and stored bytes → a session. One
// encode serves every member. Work runs inline or in the pool as the offload policy says;
// a synchronous result is returned as is, so the inline path costs no extra tick.
import { DecodeError, isCodecAbort } from '../errors.js';
import type { Options, SerializerChoice } from '../options.js';
import type { CodecPool } from '../pool.js';
import { FLAG_PROTO_ESCAPED, Format, HEADER_SIZE, hasEnvelope, readHeader, type Header } from './envelope.js';
import { jsonText, parseJson, utf8Bytes } from './json.js';
import { unpackFrom } from './msgpack.js';
import { packModule, unpackModule } from './module.js';
import { checkDepth, jsonOnly, MAX_DEPTH, NotJson } from './json-only.js';
import { toJsonTree } from './normalize.js';
import { enveloped, packMsgpack } from './pack.js';
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
  readonly stats: CodecStats = { encodeInline: 0, encodeOffloaded: 0, decodeInline: 0, decodeOffloaded: 0, decodeFailures: 0 };
  readonly #serializer: SerializerChoice;
  readonly #policy: OffloadPolicy;
  readonly #pool: CodecPool;
  readonly #shareBytes: boolean;
  /** Payloads a worker encoded (transferred bytes) that no write has released yet. */
  readonly #pooled = new WeakSet<Buffer>();

  constructor(options: Options, pool: CodecPool) {
    this.#serializer = options.serializer;
    this.#policy = new OffloadPolicy(options.offload, options.offloadThreshold, options.serializer);
    this.#pool = pool;
    this.#shareBytes = options.members.length > 1;
  }

  /** Whether this configuration writes text (JSON, or a plain-object serializer's strings), so a
   * value it reads may come back from Redis as a string rather than as bytes. */
  get writesText(): boolean {
    return this.#serializer.kind === 'json' || this.#serializer.kind === 'object';
  }

  /**
   * The stored form of a session. Throws (or rejects) when it cannot be encoded: a cycle, a
   * BigInt, a serializer that throws.
   * @param knownSize the size this session had when last read or written, if known
   */
  encode(session: unknown, knownSize: number | undefined): Payload | Promise<Payload> {
    const s = this.#serializer;
    if (s.kind === 'object') {
      const out = s.serializer.stringify(session);
      if (typeof out !== 'string') {
        throw new TypeError(`options.serializer.stringify must return a string, got ${out === null ? 'null' : typeof out} (binary serializers go in a { module })`);
      }
      this.stats.encodeInline++;
      return out;
    }
    if (this.#policy.encodeInPool(session, knownSize)) return this.#encodeInPool(s, session);
    const payload = this.#encodeInline(s, session);
    this.stats.encodeInline++;
    return payload;
  }

  #encodeInline(s: Exclude<SerializerChoice, { kind: 'object' }>, session: unknown): Payload | Promise<Payload> {
    switch (s.kind) {
      case 'json': {
        const text = jsonText(session);
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
      if (outcomes.every(outcome => outcome.ok)) detach(payload);
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
      throw this.#failed(error);
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
  decode(stored: Buffer | string, header: Header | undefined): SessionObject | Promise<SessionObject> {
    try {
      if (header?.format === Format.module && typeof stored !== 'string') return this.#decodeModule(stored);
      this.stats.decodeInline++;
      return plainObject(this.#decodeInline(stored, header));
    } catch (error) {
      throw this.#failed(error, stored, header);
    }
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
      case Format.json:
        return depthChecked(parseJson(stored, HEADER_SIZE), stored.length - HEADER_SIZE);
      case Format.msgpack:
        return jsonOnly(unpackFrom(stored, HEADER_SIZE), (header.flags & FLAG_PROTO_ESCAPED) !== 0);
      default:
        throw new NotJson(`has format ${header.format}, which is not a session`);
    }
  }

  #decodeModule(stored: Buffer): Promise<SessionObject> {
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
      throw this.#failed(error, stored, { format: Format.module, flags: 0, version: UNVERSIONED });
    });
  }

  /** The DecodeError for `stored`: it names the format and the byte length, and neither quotes
   * nor carries what failed to parse (JSON.parse's own messages quote the input, and a
   * serializer's may too): stored bytes are session contents. */
  #failed(error: unknown, stored?: Buffer | string, header?: Header): DecodeError {
    this.stats.decodeFailures++;
    if (error instanceof DecodeError) return error;
    const what = stored === undefined ? 'stored value' : `stored ${formatName(header, this.#serializer)} value of ${byteLength(stored)} bytes`;
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
