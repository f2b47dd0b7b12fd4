// A msgpack encoder with JSON semantics folded in: one walk of the session writes exactly the
// msgpack of `JSON.parse(JSON.stringify(session))` (toJSON called once per value, Dates as ISO
// strings, undefined/functions/symbols dropped or null in arrays, NaN/±Infinity as nil, -0 as 0,
// cycles and BigInt refused as JSON refuses them), in msgpackr's record format: the first object
// of each shape is preceded by its key list (ext 0x72), later ones by a one-byte id. msgpackr's
// unpack reads it (natively accelerated), and building objects from records is what makes
// decoding 4–5× faster than JSON.parse. Running the walk once instead of normalising and then
// packing is what keeps a heavy session near one walk each way on the main thread.
import { HEADER_SIZE } from './envelope.js';
import { jsonValue } from './normalize.js';

const PROTO_KEY = /^__proto__+$/;
/** Objects with more keys are written as plain maps: such shapes rarely repeat. */
const MAX_RECORD_KEYS = 32;
/** msgpackr's one-byte record ids. */
const FIRST_ID = 0x40;
const END_ID = 0x80;
/** The shape trie is dropped when it grows past this many nodes (dynamic keys would leak). */
const MAX_SHAPE_NODES = 10_000;

interface Shape {
  readonly next: Map<string, Shape>;
  /** The child most recently taken: shapes repeat, so this usually saves the Map lookup. */
  lastKey: string | undefined;
  lastNext: Shape | undefined;
  /** The key list from the root: the record definition of this shape. */
  readonly keys: readonly string[];
  /** The message in which this shape got `id`. */
  message: number;
  id: number;
  /** Pre-order index (within the message) of the first object whose record defines the shape. */
  definedAt: number;
}

const newShape = (keys: readonly string[]): Shape => ({ next: new Map(), lastKey: undefined, lastNext: undefined, keys, message: -1, id: 0, definedAt: 0 });

let buffer = Buffer.allocUnsafeSlow(64 * 1024);
let view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
let pos = 0;
let shapes = newShape([]);
let shapeNodes = 0;
let message = 0;
let nextId = FIRST_ID;
/** Ids promised to objects still being written (each may need a new one when it ends). */
let reserved = 0;
/** Pre-order index of objects in this message: the order their record bytes have in the stream. */
let objects = 0;
let escaped = false;
let active = false;
const ancestors: object[] = [];
// Per-object scratch: surviving keys and their values, LIFO across nesting levels (`top` is the
// next free slot; the arrays only grow).
const keyStack: string[] = [];
const valueStack: unknown[] = [];
let top = 0;

export interface Encoded {
  /** Header room (HEADER_SIZE bytes, to be filled by the caller) followed by the msgpack bytes. */
  readonly bytes: Buffer;
  /** Some key was a `__proto__`-like name, escaped one underscore longer (see normalize.ts). */
  readonly escaped: boolean;
}

/** Whether an encode is under way in this thread: a toJSON or getter it calls may start another
 * (a `set` of its own), which must not use this module's state (see pack.ts). */
export function encoding(): boolean {
  return active;
}
/** Tests only: the state a fresh process starts with (64 KiB scratch, no shapes). */
export function resetMsgpackEncoder(): void {
  buffer = Buffer.allocUnsafeSlow(64 * 1024);
  view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  shapes = newShape([]);
  shapeNodes = 0;
}

/** Encodes `session` after HEADER_SIZE bytes of room; throws as JSON.stringify would. Not
 * re-entrant: callers check `encoding()` first. */
export function encodeMsgpack(session: unknown): Encoded {
  active = true;
  pos = HEADER_SIZE;
  message++;
  nextId = FIRST_ID;
  reserved = 0;
  objects = 0;
  escaped = false;
  ancestors.length = 0;
  top = 0;
  try {
    const value = jsonValue(session, '');
    if (value === undefined) throw new TypeError(`a session must be an object, got ${typeof session}`);
    write(value);
    const out = Buffer.allocUnsafe(pos);
    buffer.copy(out, 0, 0, pos);
    return { bytes: out, escaped };
  } finally {
    active = false;
    if (buffer.length > 8 * 1024 * 1024) {
      pos = 0; // nothing to keep: do not keep a huge scratch buffer either
      allocate(64 * 1024);
    }
  }
}

function allocate(size: number): void {
  const next = Buffer.allocUnsafeSlow(size);
  buffer.copy(next, 0, 0, pos);
  buffer = next;
  view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function ensure(bytes: number): void {
  if (pos + bytes > buffer.length) allocate(Math.max(buffer.length * 2, pos + bytes + 1024));
}

/** Writes a resolved value (toJSON already applied to it, never undefined). */
function write(value: unknown): void {
  switch (typeof value) {
    case 'string':
      writeString(value);
      return;
    case 'number':
      writeNumber(value);
      return;
    case 'boolean':
      ensure(1);
      buffer[pos++] = value ? 0xc3 : 0xc2;
      return;
    case 'object':
      if (value === null) {
        ensure(1);
        buffer[pos++] = 0xc0;
      } else if (Array.isArray(value)) {
        writeArray(value);
      } else if (Object.getPrototypeOf(value) === Object.prototype) {
        writeObject(value);
      } else if (value instanceof Number) {
        writeNumber(Number(value));
      } else if (value instanceof String) {
        writeString(String(value));
      } else if (value instanceof Boolean) {
        write(value.valueOf());
      } else {
        writeObject(value);
      }
      return;
    default:
      throw new TypeError(`cannot encode a ${typeof value}`);
  }
}

/** Strings, numbers and booleans are their own JSON value: no toJSON to look up, no call made
 * (about a tenth of the encode of an object-heavy session). */
function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function enter(value: object): void {
  if (ancestors.includes(value)) throw new TypeError('Converting circular structure to JSON');
  ancestors.push(value);
}

function writeArray(array: unknown[]): void {
  enter(array);
  const length = array.length;
  writeContainerHeader(ARRAY, length);
  for (let i = 0; i < length; i++) {
    const raw = array[i];
    const item = isScalar(raw) ? raw : jsonValue(raw, i);
    if (item === undefined) {
      ensure(1);
      buffer[pos++] = 0xc0;
    } else {
      write(item);
    }
  }
  ancestors.pop();
}

// An object is written in one pass: one byte is kept for its record id, its values are written
// while its shape is looked up key by key, and the id goes in at the end. A shape seen for the
// first time in this message is defined there instead (the definition is moved in before the
// values). Ids are never reused within a message, so that the record in force at each point of
// the stream is the one the reader has seen last; when they run out, objects become plain maps.
function writeObject(object: object): void {
  enter(object);
  const keys = Object.keys(object);
  if (keys.length > MAX_RECORD_KEYS || nextId + reserved >= END_ID) {
    writeMap(object, keys);
  } else {
    reserved++;
    const order = objects++;
    ensure(1);
    const idAt = pos++;
    let shape = shapes;
    for (let i = 0; i < keys.length; i++) {
      const raw = (object as Record<string, unknown>)[keys[i]!];
      const value = isScalar(raw) ? raw : jsonValue(raw, keys[i]!);
      if (value === undefined) continue;
      shape = child(shape, storedKey(keys[i]!));
      write(value);
    }
    reserved--;
    if (shape.keys.length === 0) buffer[idAt] = 0x80; // nothing survived: an empty map
    else if (shape.message === message && shape.definedAt < order) buffer[idAt] = shape.id;
    else define(shape, idAt, order);
  }
  ancestors.pop();
}

/** The key as stored: `__proto__`-like names one underscore longer (see normalize.ts). */
function storedKey(key: string): string {
  if (key.charCodeAt(0) !== 95 /* _ */ || !PROTO_KEY.test(key)) return key;
  escaped = true;
  return key + '_';
}

function child(shape: Shape, key: string): Shape {
  if (shape.lastKey === key) return shape.lastNext!;
  let next = shape.next.get(key);
  if (!next) {
    if (++shapeNodes > MAX_SHAPE_NODES) {
      // Shapes in use keep working (they are referenced from the stack); the trie starts afresh.
      shapes = newShape([]);
      shapeNodes = 0;
    }
    next = newShape([...shape.keys, key]);
    shape.next.set(key, next);
  }
  shape.lastKey = key;
  shape.lastNext = next;
  return next;
}

/** Puts the record definition of `shape` at `at`, before the values already written after it. */
function define(shape: Shape, at: number, order: number): void {
  if (shape.message !== message) {
    shape.message = message;
    shape.id = nextId++;
  }
  shape.definedAt = order;
  const valuesEnd = pos;
  ensure(3); // the key list makes its own room; these three bytes need theirs
  buffer[pos++] = 0xd4; // fixext 1, type 0x72 ('r'): a record definition
  buffer[pos++] = 0x72;
  buffer[pos++] = shape.id;
  writeContainerHeader(ARRAY, shape.keys.length);
  for (const key of shape.keys) writeString(key);
  const definition = Buffer.from(buffer.subarray(valuesEnd, pos));
  buffer.copyWithin(at + definition.length, at + 1, valuesEnd);
  definition.copy(buffer, at);
  pos = valuesEnd - 1 + definition.length;
}

/** A plain msgpack map (wide objects, or once record ids ran out). */
function writeMap(object: object, keys: string[]): void {
  const base = top;
  for (let i = 0; i < keys.length; i++) {
    const value = jsonValue((object as Record<string, unknown>)[keys[i]!], keys[i]!);
    if (value === undefined) continue;
    keyStack[top] = storedKey(keys[i]!);
    valueStack[top++] = value;
  }
  writeMapHeader(base, top - base);
  for (let i = base; i < top; i++) valueStack[i] = undefined; // let the values be collected
  top = base;
}

/** A plain msgpack map: the keys and values on the scratch stacks from `base`. */
function writeMapHeader(base: number, count: number): void {
  writeContainerHeader(MAP, count);
  for (let i = base; i < base + count; i++) {
    writeString(keyStack[i]!);
    write(valueStack[i]);
  }
}

// fix, 16-bit and 32-bit header bytes of msgpack arrays and maps.
const ARRAY = [0x90, 0xdc, 0xdd] as const;
const MAP = [0x80, 0xde, 0xdf] as const;

function writeContainerHeader(kind: typeof ARRAY | typeof MAP, count: number): void {
  ensure(5);
  if (count < 16) {
    buffer[pos++] = kind[0] | count;
  } else if (count < 0x10000) {
    buffer[pos++] = kind[1];
    buffer[pos++] = count >> 8;
    buffer[pos++] = count & 0xff;
  } else {
    buffer[pos++] = kind[2];
    view.setUint32(pos, count);
    pos += 4;
  }
}

function writeNumber(n: number): void {
  ensure(9);
  if (Number.isInteger(n)) {
    if (n >= 0) {
      // 0x40–0x7f would read as record ids: positive fixints stop at 0x3f, as msgpackr's do.
      if (n < 0x40) {
        buffer[pos++] = n;
        return;
      }
      if (n < 0x100) {
        buffer[pos++] = 0xcc;
        buffer[pos++] = n;
        return;
      }
      if (n < 0x10000) {
        buffer[pos++] = 0xcd;
        buffer[pos++] = n >> 8;
        buffer[pos++] = n & 0xff;
        return;
      }
      if (n < 0x100000000) {
        buffer[pos++] = 0xce;
        view.setUint32(pos, n);
        pos += 4;
        return;
      }
    } else {
      if (n >= -0x20) {
        buffer[pos++] = 0x100 + n;
        return;
      }
      if (n >= -0x80) {
        buffer[pos++] = 0xd0;
        buffer[pos++] = 0x100 + n;
        return;
      }
      if (n >= -0x8000) {
        buffer[pos++] = 0xd1;
        view.setInt16(pos, n);
        pos += 2;
        return;
      }
      if (n >= -0x80000000) {
        buffer[pos++] = 0xd2;
        view.setInt32(pos, n);
        pos += 4;
        return;
      }
    }
  } else if (!Number.isFinite(n)) {
    buffer[pos++] = 0xc0; // JSON writes NaN and ±Infinity as null
    return;
  }
  buffer[pos++] = 0xcb;
  view.setFloat64(pos, n);
  pos += 8;
}

function writeString(s: string): void {
  const length = s.length;
  if (length < 64) {
    // Short strings (most values): encoded by hand, ASCII first; fixstr when the bytes fit.
    ensure(length * 3 + 2);
    const buf = buffer;
    const start = pos + (length < 32 ? 1 : 2);
    let at = start;
    let i = 0;
    for (; i < length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[at++] = c;
    }
    if (i < length) at = writeUtf8Tail(buf, s, i, at);
    const bytes = at - start;
    if (start === pos + 1 && bytes < 32) {
      buf[pos] = 0xa0 | bytes;
    } else {
      if (start === pos + 1) {
        buf.copyWithin(start + 1, start, at); // non-ASCII made it longer than a fixstr holds
        at++;
      }
      buf[pos] = 0xd9;
      buf[pos + 1] = bytes;
    }
    pos = at;
    return;
  }
  // Longer strings: native UTF-8, with a header sized for the worst case (3 bytes a unit).
  const most = length * 3;
  ensure(most + 5);
  const headerSize = most < 0x100 ? 2 : most < 0x10000 ? 3 : 5;
  const bytes = buffer.utf8Write(s, pos + headerSize);
  if (headerSize === 2) {
    buffer[pos] = 0xd9;
    buffer[pos + 1] = bytes;
  } else if (headerSize === 3) {
    buffer[pos] = 0xda;
    buffer[pos + 1] = bytes >> 8;
    buffer[pos + 2] = bytes & 0xff;
  } else {
    buffer[pos] = 0xdb;
    view.setUint32(pos + 1, bytes);
  }
  pos += headerSize + bytes;
}

/** UTF-8 of `s` from unit `i` on, at `at`; returns the end. Lone surrogates become U+FFFD. */
function writeUtf8Tail(buf: Buffer, s: string, i: number, at: number): number {
  for (; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[at++] = c;
    } else if (c < 0x800) {
      buf[at++] = 0xc0 | (c >> 6);
      buf[at++] = 0x80 | (c & 0x3f);
    } else {
      if (c >= 0xd800 && c <= 0xdbff) {
        const low = s.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
          i++;
          buf[at++] = 0xf0 | (c >> 18);
          buf[at++] = 0x80 | ((c >> 12) & 0x3f);
          buf[at++] = 0x80 | ((c >> 6) & 0x3f);
          buf[at++] = 0x80 | (c & 0x3f);
          continue;
        }
        c = 0xfffd;
      } else if (c >= 0xdc00 && c <= 0xdfff) {
        c = 0xfffd;
      }
      buf[at++] = 0xe0 | (c >> 12);
      buf[at++] = 0x80 | ((c >> 6) & 0x3f);
      buf[at++] = 0x80 | (c & 0x3f);
    }
  }
  return at;
}

declare global {
  interface Buffer {
    /** Node's internal UTF-8 writer (what Buffer#write uses), without argument parsing. */
    utf8Write(value: string, offset?: number, length?: number): number;
  }
}
