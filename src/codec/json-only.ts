// What a decoded session may hold: only what JSON.parse can yield (plain objects, arrays,
// strings, finite numbers, booleans, null), at most MAX_DEPTH containers deep. Anything else
// (a Date, Map, Set, RegExp, Error, typed array or BigInt from another program's msgpack, a
// value nested 200,000 levels deep) would make express-session fail on every request for that
// session; it is refused here, and the read treats that copy as absent.

/** Containers deep, counting the session object itself as 1. */
export const MAX_DEPTH = 1000;

/** Why a decoded value is not a session; names a type, never quotes content. */
export class NotJson extends Error {}

/** JSON.parse output: every value is JSON already, only the depth can be wrong. */
export function checkDepth(value: unknown): void {
  if (value !== null && typeof value === 'object') depthOf(value as object, 1);
}

function depthOf(value: object, depth: number): void {
  if (depth > MAX_DEPTH) throw tooDeep();
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item !== null && typeof item === 'object') depthOf(item, depth + 1);
    }
    return;
  }
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== null && typeof item === 'object') depthOf(item, depth + 1);
  }
}

/**
 * Any other decoder's output (msgpackr, a serializer's parse): checks every value, and with
 * `unescape` also undoes the `__proto__` key escaping (normalize.ts) in the same walk.
 * @returns the value, or a rebuilt object where an escaped key was renamed
 */
export function jsonOnly(value: unknown, unescape: boolean): unknown {
  return check(value, 1, unescape);
}

const ESCAPED_PROTO_KEY = /^__proto___+$/;

function check(value: unknown, depth: number, unescape: boolean): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new NotJson('holds a non-finite number');
      return value;
    case 'object':
      break;
    default:
      throw new NotJson(`holds a ${typeof value}`);
  }
  if (value === null) return null;
  if (depth > MAX_DEPTH) throw tooDeep();
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) throw notPlain(value);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      // Scalars inline: most values are, and a call per value is a third of the walk.
      if (typeof item === 'string' || typeof item === 'boolean' || item === null) continue;
      value[i] = check(item, depth + 1, unescape);
    }
    return value;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) throw notPlain(value);
  const object = value as Record<string, unknown>;
  let renamed = false;
  for (const key in object) {
    const item = object[key];
    if (unescape && key.charCodeAt(0) === 95 /* _ */ && ESCAPED_PROTO_KEY.test(key)) renamed = true;
    if (typeof item === 'string' || typeof item === 'boolean' || item === null) continue;
    object[key] = check(item, depth + 1, unescape);
  }
  return renamed ? unescapeKeys(object) : object;
}

/** `__proto___` → `__proto__`, `__proto____` → `__proto___`, …, keeping the key order. */
function unescapeKeys(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(input)) {
    const name = ESCAPED_PROTO_KEY.test(key) ? key.slice(0, -1) : key;
    Object.defineProperty(out, name, { value: input[key], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function tooDeep(): NotJson {
  return new NotJson(`is nested more than ${MAX_DEPTH} levels deep`);
}

function notPlain(value: object): NotJson {
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return new NotJson(`holds a ${typeof name === 'string' && /^\w{1,40}$/.test(name) ? name : 'non-plain object'}, which JSON cannot`);
}
