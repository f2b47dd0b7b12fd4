// The sessions the bench stores. Every one is built deterministically (seeded PRNG) and looks
// like what express-session hands a store: a real `Session` (with its non-enumerable `req`/`id`)
// holding a real `Cookie` (getters, `_expires`, `toJSON`), plus the application's data.
//
// Shapes (sizes are the UTF-8 length of `JSON.stringify(session)`):
// - object-heavy: a shopping cart, many small objects (sku/title/qty/price/options/addedAt);
// - string-heavy: a few long text fields (drafts of up to 16 KB of prose each);
// - binary: Buffers inside the session (JSON turns them into {type:'Buffer',data:[…]});
// - cart: exactly 1000 cart items (~170 KB), the design note's example;
// - small: an ordinary ~1 KB login session.
import session from 'express-session';
import { prng } from './stats.js';

export type Shape = 'object' | 'string' | 'binary';
export type SessionKind = Shape | 'cart' | 'small';
export type SessionData = Record<string, unknown>;

export const KB = 1024;
export const SHAPE_LABEL: Record<SessionKind, string> = {
  object: 'object-heavy',
  string: 'string-heavy',
  binary: 'binary',
  cart: 'cart (1000 items)',
  small: 'small',
};

const ADJECTIVES = ['stainless', 'organic', 'wireless', 'vintage', 'compact', 'ergonomic', 'recycled', 'premium', 'foldable', 'waterproof'];
const NOUNS = ['water bottle', 'desk lamp', 'backpack', 'headphones', 'coffee grinder', 'yoga mat', 'notebook', 'phone case', 'sneakers', 'teapot'];
const COLORS = ['black', 'white', 'blue', 'red', 'green', 'grey', 'navy', 'sand'];
const SIZES = ['XS', 'S', 'M', 'L', 'XL'];
const WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were ' +
  'her she there been one all we their has would when if so no will can more other what time up about out into ' +
  'session store redis member worker thread buffer encode decode latency request response cookie express quorum ' +
  'replica network packet kernel memory garbage collector heap string object array number boolean value payload'
).split(' ');

const BASE_TIME = Date.UTC(2026, 0, 15, 9, 30, 0);

/** One cart line, about 170 bytes of JSON. */
export function cartItem(i: number, rnd: () => number): SessionData {
  return {
    sku: `SKU-${String(100000 + i * 7).padStart(7, '0')}`,
    title: `${ADJECTIVES[i % ADJECTIVES.length]} ${NOUNS[(i * 3) % NOUNS.length]}, model ${1000 + i}`,
    qty: 1 + Math.floor(rnd() * 5),
    price: Math.round(rnd() * 20000) / 100,
    options: { color: COLORS[i % COLORS.length], size: SIZES[i % SIZES.length], giftWrap: rnd() < 0.2 },
    addedAt: new Date(BASE_TIME + i * 61_000).toISOString(),
  };
}

function user(id: number): SessionData {
  return { id: `u-${id}`, name: `User Number${id}`, email: `user${id}@example.com`, roles: ['customer'] };
}

export function cartItems(n: number, seed = 1): SessionData[] {
  const rnd = prng(seed);
  return Array.from({ length: n }, (_, i) => cartItem(i, rnd));
}

/** Prose of exactly `length` ASCII characters. */
export function prose(length: number, rnd: () => number): string {
  const parts: string[] = [];
  let n = 0;
  let sentence = 0;
  while (n < length) {
    let w = WORDS[Math.floor(rnd() * WORDS.length)]!;
    if (sentence === 0) w = w[0]!.toUpperCase() + w.slice(1);
    sentence++;
    const end = sentence > 8 + rnd() * 10 ? '. ' : ' ';
    if (end === '. ') sentence = 0;
    parts.push(w + end);
    n += w.length + end.length;
  }
  return parts.join('').slice(0, length);
}

/** The ~1 KB session of an ordinary logged-in user. */
export function smallData(id = 1): SessionData {
  return {
    user: user(id),
    csrfSecret: 'Xq2b7YcHfP0nR4sLmV8tWz1K',
    passport: { user: `u-${id}` },
    flash: {},
    preferences: { lang: 'en-GB', theme: 'dark', currency: 'EUR', timezone: 'Europe/Paris', newsletter: false },
    returnTo: '/account/orders?page=2&sort=date',
    lastSeen: new Date(BASE_TIME).toISOString(),
    visits: 12,
    recentlyViewed: Array.from({ length: 12 }, (_, i) => ({ sku: `SKU-${String(100000 + i * 13).padStart(7, '0')}`, at: BASE_TIME + i * 1000 })),
    abTests: { checkout: 'B', search: 'A', banner: 'control' },
  };
}

/** The named cart: exactly 1000 items. */
export function cartData(id = 1, items = 1000): SessionData {
  return { user: user(id), cart: { currency: 'EUR', coupon: null, items: cartItems(items) } };
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/** Adds a `note` string so the session's JSON reaches `target` bytes (when at least 11 bytes are missing). */
function fill(data: SessionData, target: number, rnd: () => number): void {
  const missing = target - jsonBytes(withCookie(data));
  if (missing >= 11) data.note = prose(missing - 10, rnd); // ,"note":"" is 10 bytes
}

function objectData(target: number): SessionData {
  const rnd = prng(11);
  const items: SessionData[] = [];
  const data: SessionData = { user: user(7), cart: { currency: 'EUR', coupon: null, items } };
  let size = jsonBytes(withCookie(data));
  for (let i = 0; ; i++) {
    const item = cartItem(i, rnd);
    const add = jsonBytes(item) + (items.length ? 1 : 0);
    if (size + add > target) break;
    items.push(item);
    size += add;
  }
  fill(data, target, rnd);
  return data;
}

const DOC = 16 * KB;

function stringData(target: number): SessionData {
  const rnd = prng(22);
  const drafts: SessionData[] = [];
  const data: SessionData = { user: user(8), drafts };
  const doc = (i: number, length: number): SessionData => ({ id: `d-${i}`, title: `Draft ${i}`, body: prose(length, rnd) });
  let size = jsonBytes(withCookie(data));
  for (let i = 0; size < target; i++) {
    const empty = jsonBytes(doc(i, 0)) + (drafts.length ? 1 : 0);
    const room = target - size - empty;
    if (room < 16) break;
    drafts.push(doc(i, Math.min(DOC, room)));
    size += empty + Math.min(DOC, room);
  }
  fill(data, target, rnd);
  return data;
}

function binaryData(target: number): SessionData {
  const rnd = prng(33);
  const maxBytes = Math.ceil(target / 2);
  const pool = Buffer.alloc(maxBytes);
  for (let i = 0; i < maxBytes; i++) pool[i] = Math.floor(rnd() * 256);
  const build = (k: number): SessionData => {
    const a = Math.floor(k / 2);
    const b = Math.floor((k - a) / 2);
    return {
      user: user(9),
      avatar: { mime: 'image/webp', data: Buffer.from(pool.subarray(0, a)) },
      attachments: [
        { name: 'receipt.pdf', mime: 'application/pdf', data: Buffer.from(pool.subarray(a, a + b)) },
        { name: 'signature.png', mime: 'image/png', data: Buffer.from(pool.subarray(a + b, k)) },
      ],
    };
  };
  // The largest byte count whose JSON fits the target. JSON writes a Buffer as
  // {"type":"Buffer","data":[b0,b1,…]}: its size is that of an empty one plus each byte's
  // digits and a comma between bytes, so it is computed from prefix sums, not by stringifying.
  const digits = new Uint32Array(maxBytes + 1);
  for (let i = 0; i < maxBytes; i++) digits[i + 1] = digits[i]! + String(pool[i]).length;
  const empty = jsonBytes(withCookie(build(0)));
  const part = (from: number, to: number) => (to > from ? digits[to]! - digits[from]! + (to - from - 1) : 0);
  const sizeOf = (k: number) => {
    const a = Math.floor(k / 2);
    const b = Math.floor((k - a) / 2);
    return empty + part(0, a) + part(a, a + b) + part(a + b, k);
  };
  let lo = 0;
  let hi = maxBytes;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (sizeOf(mid) <= target) lo = mid;
    else hi = mid - 1;
  }
  const data = build(lo);
  fill(data, target, rnd);
  return data;
}

/** What express-session's cookie serialises to, for sizing data before it is wrapped. */
function withCookie(data: SessionData): SessionData {
  return { cookie: { originalMaxAge: 86_400_000, expires: new Date(BASE_TIME).toISOString(), httpOnly: true, path: '/' }, ...data };
}

/** The data part (no cookie) of a grid session. */
export function sessionData(kind: SessionKind, targetBytes: number): SessionData {
  switch (kind) {
    case 'object':
      return objectData(targetBytes);
    case 'string':
      return stringData(targetBytes);
    case 'binary':
      return binaryData(targetBytes);
    case 'cart':
      return cartData(7);
    case 'small':
      return smallData(7);
  }
}

type CookieCtor = new (options: session.CookieOptions) => session.Cookie;
type SessionCtor = new (req: { sessionID: string }, data: SessionData) => SessionData;

/** A real express-session Cookie, as `req.session.cookie` is. */
export function newCookie(maxAge = 86_400_000): session.Cookie {
  return new (session.Cookie as unknown as CookieCtor)({ maxAge, httpOnly: true, path: '/' });
}

/** A real express-session `Session` holding `data` and a real Cookie, as a store's `set` receives it. */
export function expressSession(sid: string, data: SessionData): SessionData {
  const s = new (session.Session as unknown as SessionCtor)({ sessionID: sid }, {});
  s.cookie = newCookie();
  Object.assign(s, data);
  return s;
}

export { jsonBytes };
