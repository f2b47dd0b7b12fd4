// A JSON-semantics walk: turns a session into exactly the tree `JSON.parse(JSON.stringify(s))`
// would give, without building the string. What goes to a worker or a module serializer starts
// here, so that every pipeline
// round-trips as JSON does:
// `toJSON` (express-session's Cookie hides its fields behind one), Dates as ISO strings,
// undefined/functions/symbols dropped (null in arrays), NaN/±Infinity as null, -0 as 0, and
// `__proto__` kept as an own key without touching any prototype.

const PROTO_KEY = /^__proto__$/;
/** `__proto__`, `__proto___`, …: the keys msgpack escapes one underscore longer. */
const PROTO_LIKE_KEY = /^__proto__+$/;

/**
 * What JSON.stringify serializes for `value` under `key`: its toJSON(key) result when it has one,
 * undefined for what JSON omits (undefined, functions, symbols), a TypeError for a BigInt.
 */
export function jsonValue(value: unknown, key: string | number): unknown {
  if (value !== null && (typeof value === 'object' || typeof value === 'bigint')) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, typeof key === 'number' ? String(key) : key);
  }
  switch (typeof value) {
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    default:
      return value;
  }
}

/** The JSON tree of a session; throws as JSON.stringify would (cycles, BigInt). */
export function toJsonTree(session: unknown): unknown {
  return new Walk(false).value(session, '');
}

/** The JSON tree of a session for msgpackr: `__proto__`-like keys are written one underscore
 * longer (msgpackr renames `__proto__` to `__proto_` when it decodes; json-only.ts undoes
 * the escaping); `escaped` says whether any was. */
export function toMsgpackTree(session: unknown): { tree: unknown; escaped: boolean } {
  const walk = new Walk(true);
  const tree = walk.value(session, '');
  return { tree, escaped: walk.escaped };
}

class Walk {
  readonly #stack: object[] = [];
  readonly #escape: boolean;
  escaped = false;

  constructor(escape: boolean) {
    this.#escape = escape;
  }

  /** The JSON value of `input` under `key`, or undefined when JSON would omit it. */
  value(input: unknown, key: string | number): unknown {
    const value = jsonValue(input, key);
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        return Number.isFinite(value) ? (value === 0 ? 0 : value) : null;
      case 'object':
        if (value === null) return null;
        if (value instanceof Number) return this.value(Number(value), key);
        if (value instanceof String) return String(value);
        if (value instanceof Boolean) return value.valueOf();
        return Array.isArray(value) ? this.#array(value) : this.#object(value);
      default:
        return undefined;
    }
  }

  #enter(value: object): void {
    if (this.#stack.includes(value)) throw new TypeError('Converting circular structure to JSON');
    this.#stack.push(value);
  }

  #array(input: unknown[]): unknown[] {
    this.#enter(input);
    const length = input.length;
    const out = new Array<unknown>(length);
    for (let i = 0; i < length; i++) {
      const v = this.value(input[i], i);
      out[i] = v === undefined ? null : v;
    }
    this.#stack.pop();
    return out;
  }

  #object(input: object): Record<string, unknown> {
    this.#enter(input);
    const out: Record<string, unknown> = {};
    const keys = Object.keys(input);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const v = this.value((input as Record<string, unknown>)[key], key);
      if (v === undefined) continue;
      if (key.charCodeAt(0) === 95 /* _ */ && this.#escape && PROTO_LIKE_KEY.test(key)) {
        this.escaped = true;
        out[key + '_'] = v;
      } else if (key.charCodeAt(0) === 95 /* _ */ && PROTO_KEY.test(key)) {
        Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      } else {
        out[key] = v;
      }
    }
    this.#stack.pop();
    return out;
  }
}
