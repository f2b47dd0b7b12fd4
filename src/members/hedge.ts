// Hedged reads (Dean and Barroso, "The Tail at Scale"): which members a get asks first, and how
// long it waits for them before asking the rest.
import type { Member } from './member.js';

/** The hedge delay never goes below this: loopback p95s are well under a millisecond, and a
 * delay that short would hedge whenever this process's own event loop is briefly busy. */
export const MIN_HEDGE_MS = 2;
/** A member that has answered nothing yet (just connected) gets this delay. */
const UNKNOWN_HEDGE_MS = 50;

/**
 * How long a read waits for `member` before asking the others: its recent p95 answer time, so
 * about one read in twenty is hedged while the member behaves as it did, at least MIN_HEDGE_MS,
 * and at most half of commandTimeout, so the others still get half of it to answer.
 */
export function hedgeDelayMs(member: Member, commandTimeout: number): number {
  return Math.min(Math.max(member.slowMs ?? UNKNOWN_HEDGE_MS, MIN_HEDGE_MS), commandTimeout / 2);
}

/** 0: usable and answering; 1: usable but silent for longer than its hedge delay; 2: not usable. */
function rank(member: Member, now: number, commandTimeout: number): number {
  if (!member.usable) return 2;
  return member.silentMs(now) > hedgeDelayMs(member, commandTimeout) ? 1 : 0;
}

/**
 * The indices of the `count` members to ask first: usable ones that are answering, fastest recent
 * median first (ties to the earlier member); then silent ones; members that are not usable last.
 */
export function firstToAsk(members: readonly Member[], count: number, commandTimeout: number): number[] {
  const now = performance.now();
  const order = members.map((member, index) => ({ index, rank: rank(member, now, commandTimeout), typical: member.typicalMs }));
  order.sort((a, b) => a.rank - b.rank || a.typical - b.typical || a.index - b.index);
  return order.slice(0, count).map(o => o.index);
}
