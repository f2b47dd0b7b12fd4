// The writes: set, touch and destroy, each sent to every member at once and settled by
// writeQuorum, in call order per session id.
import type { Codec, Payload } from './codec/codec.js';
import type { SizeMemo } from './codec/size-memo.js';
import { SessionTooLargeError } from './errors.js';
import type { InFlight } from './in-flight.js';
import { writeToAll } from './members/fan-out.js';
import type { Member } from './members/member.js';
import { writeIfAbsent, type ClearFence } from './members/repair.js';
import type { Options } from './options.js';
import type { RecentWrites } from './recent-writes.js';
import { ONE_DAY_MS, ttlMs } from './ttl.js';
import type { WriteOrder } from './write-order.js';

export interface WriteContext {
  readonly options: Options;
  readonly members: readonly Member[];
  readonly codec: Codec;
  readonly order: WriteOrder;
  readonly sizes: SizeMemo;
  readonly inFlight: InFlight;
  /** A touch's repair must not undo a clear() that ran since the touch was called. */
  readonly fence: ClearFence;
  /** Sessions written or touched within touchAfter: their touches are skipped. */
  readonly recent: RecentWrites;
}

// Replace the value by a tombstone that lives as long as the key had left (one day when it was
// missing or had no expiry), in one step on the server.
const TOMBSTONE_SCRIPT =
  "local ttl = redis.call('PTTL', KEYS[1]) if ttl <= 0 then ttl = tonumber(ARGV[2]) end " +
  "redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl) return 1";

export function setSession(ctx: WriteContext, sid: string, session: unknown): Promise<void> {
  const ttl = ttlMs(session, ctx.options.ttl);
  if (ttl !== null && ttl <= 0) return destroySession(ctx, sid);
  const key = ctx.options.prefix + sid;
  const payload = ctx.codec.encode(session, ctx.sizes.get(sid), key);
  return ctx.order.run(sid, payload, value => {
    const size = payloadSize(value, ctx.options.maxSize);
    if (size > ctx.options.maxSize) return Promise.reject(new SessionTooLargeError(sid, size, ctx.options.maxSize));
    ctx.sizes.set(sid, typeof value === 'string' ? size : (ctx.codec.plainSize(value) ?? size));
    const args = ttl === null ? ['SET', key, value] : ['SET', key, value, 'PX', String(ttl)];
    const fanned = writeToAll(ctx.members, args, ctx.options.writeQuorum, 'set', ctx.inFlight);
    ctx.codec.release(value, () => fanned.outcomes);
    return remembered(ctx, sid, fanned.quorum);
  });
}

export function touchSession(ctx: WriteContext, sid: string, session: unknown): Promise<void> {
  if (ctx.options.disableTouch || ctx.options.ttl === false) return Promise.resolve();
  const ttl = ttlMs(session, ctx.options.ttl);
  if (ttl !== null && ttl <= 0) return destroySession(ctx, sid);
  if (ctx.recent.fresh(sid)) return Promise.resolve();
  const key = ctx.options.prefix + sid;
  const repairAllowed = ctx.fence.ticket();
  return ctx.order.run(sid, null, () => {
    const members = ctx.members;
    const args = ttl === null ? ['PERSIST', key] : ['PEXPIRE', key, String(ttl)];
    const fanned = writeToAll(members, args, ctx.options.writeQuorum, 'touch', ctx.inFlight);
    if (ctx.options.readRepair && ttl !== null) {
      // A member where the expiry found no key gets the session itself (never over a present key).
      ctx.inFlight.track(
        fanned.outcomes.then(async outcomes => {
          const lacking = members.filter((_, i) => outcomes[i]!.ok && (outcomes[i] as { reply: unknown }).reply === 0);
          if (lacking.length === 0) return;
          const payload = await ctx.codec.encode(session, ctx.sizes.get(sid), key);
          if (payloadSize(payload, ctx.options.maxSize) <= ctx.options.maxSize) await writeIfAbsent(lacking, key, payload, ttl, repairAllowed);
        }),
      );
    }
    return remembered(ctx, sid, fanned.quorum);
  });
}

export function destroySession(ctx: WriteContext, sid: string): Promise<void> {
  const key = ctx.options.prefix + sid;
  ctx.sizes.delete(sid);
  ctx.recent.forget(sid);
  return ctx.order.run(sid, null, () => {
    const args = ['EVAL', TOMBSTONE_SCRIPT, '1', key, ctx.codec.tombstone(), String(ONE_DAY_MS)];
    return writeToAll(ctx.members, args, ctx.options.writeQuorum, 'destroy', ctx.inFlight).quorum;
  });
}

/** A write that reached its quorum refreshes the session for touchAfter, as of when it was sent. */
function remembered(ctx: WriteContext, sid: string, quorum: Promise<void>): Promise<void> {
  if (ctx.options.touchAfter === 0) return quorum;
  const sent = performance.now();
  return quorum.then(() => ctx.recent.wrote(sid, sent));
}

/** Bytes a payload takes, without encoding a string when it cannot be near the limit. */
function payloadSize(payload: Payload, limit: number): number {
  if (typeof payload !== 'string') return payload.length;
  return payload.length * 3 <= limit ? payload.length : Buffer.byteLength(payload);
}
