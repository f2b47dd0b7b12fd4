// The TTL of a write, in milliseconds (null: never expires). A result ≤ 0 means the session has
// already expired: the write deletes it instead.
import type { Options } from './options.js';

export const ONE_DAY_MS = 86_400_000;

interface CookieLike {
  expires?: unknown;
  maxAge?: unknown;
}

export function ttlMs(session: unknown, ttl: Options['ttl']): number | null {
  if (ttl === false) return null;
  if (typeof ttl === 'number') return ttl * 1000;
  if (typeof ttl === 'function') {
    const seconds = ttl(session);
    if (typeof seconds !== 'number' || Number.isNaN(seconds)) {
      throw new TypeError(`options.ttl function must return a number of seconds, got ${typeof seconds === 'number' ? 'NaN' : typeof seconds}`);
    }
    return seconds === Infinity ? null : Math.ceil(seconds * 1000);
  }
  const cookie = (session as { cookie?: CookieLike } | null)?.cookie;
  if (cookie && typeof cookie === 'object') {
    const expires = cookie.expires;
    if (expires instanceof Date || typeof expires === 'string') {
      const at = expires instanceof Date ? expires.getTime() : new Date(expires).getTime();
      if (!Number.isNaN(at)) return at - Date.now();
    }
    if (typeof cookie.maxAge === 'number' && Number.isFinite(cookie.maxAge)) return Math.ceil(cookie.maxAge);
  }
  return ONE_DAY_MS;
}
