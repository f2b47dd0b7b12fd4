// Hedged reads (Dean and Barroso, "The Tail at Scale"): which members a get asks first, and how
// long it waits for them before asking the rest. Both are on every hedged get's path, so neither
// allocates nor sorts there: the ranking is cached until a member's latency quantiles move, and
// one timer per store serves every read waiting on a hedge (a get usually ends long before its
// hedge delay, and a timer per get was a measurable share of a small pair's main-thread time).
import type { Member } from './member.js';

/** The hedge delay never goes below this: loopback p95s are well under a millisecond, and a
 * delay that short would hedge whenever this process's own event loop is briefly busy. */
const MIN_HEDGE_MS = 2;
/** A member that has answered nothing yet (just connected) gets this delay. */
const UNKNOWN_HEDGE_MS = 50;

/**
 * How long a read waits for `member` before asking the others: its recent p95 answer time, so
 * about one read in twenty is hedged while the member behaves as it did, at least MIN_HEDGE_MS,
 * and at most half of commandTimeout, so the others still get half of it to answer.
 */
function hedgeDelayMs(member: Member, commandTimeout: number): number {
  return Math.min(Math.max(member.slowMs ?? UNKNOWN_HEDGE_MS, MIN_HEDGE_MS), commandTimeout / 2);
}

/**
 * The members a read asks first, for one store: ordered by recent median (rebuilt when a member's
 * quantiles were recomputed; ties to the earlier member), each read takes the first `count` that
 * are usable and answering; when fewer are, then silent ones (usable, but quiet for longer than
 * their hedge delay), then members that are not usable.
 */
export class HedgePlan {
  readonly #members: readonly Member[];
  readonly #count: number;
  readonly #commandTimeout: number;
  #versions = -1;
  #order: number[] = [];
  #delays: number[] = [];
  /** For count 1: [i] per member, so that a read's first choice is never a new array. */
  readonly #singles: (readonly number[])[];
  /** The hedge delay of the members the last `first()` returned (ms). */
  delay = 0;

  constructor(members: readonly Member[], count: number, commandTimeout: number) {
    this.#members = members;
    this.#count = count;
    this.#commandTimeout = commandTimeout;
    this.#singles = members.map((_, i) => Object.freeze([i]));
  }

  /** The members to ask first (never mutate the array); their hedge delay is then `delay`. */
  first(now: number): readonly number[] {
    const members = this.#members;
    let versions = 0;
    for (const member of members) versions += member.latencyVersion; // each only grows
    if (versions !== this.#versions) this.#rebuild(versions);
    const count = this.#count;
    let chosen: number[] | undefined;
    let delay = 0;
    for (const i of this.#order) {
      const member = members[i]!;
      if (!member.usable || member.silentMs(now) > this.#delays[i]!) continue;
      delay = Math.max(delay, this.#delays[i]!);
      if (count === 1) {
        this.delay = delay;
        return this.#singles[i]!;
      }
      (chosen ??= []).push(i);
      if (chosen.length === count) {
        this.delay = delay;
        return chosen;
      }
    }
    // Too few members usable and answering: the silent ones next, members not usable last.
    const first = chosen ?? [];
    for (const silent of [true, false]) {
      for (const i of this.#order) {
        const member = members[i]!;
        const fits = silent ? member.usable && member.silentMs(now) > this.#delays[i]! : !member.usable;
        if (!fits || first.length === count) continue;
        first.push(i);
      }
    }
    this.delay = Math.max(...first.map(i => this.#delays[i]!));
    return first;
  }

  #rebuild(versions: number): void {
    this.#versions = versions;
    const members = this.#members;
    this.#delays = members.map(member => hedgeDelayMs(member, this.#commandTimeout));
    const typical = members.map(member => member.typicalMs);
    this.#order = members.map((_, i) => i).sort((a, b) => typical[a]! - typical[b]! || a - b);
  }
}

/** A read waiting on its hedge delay. */
export interface Hedgeable {
  /** performance.now() at which the read asks the rest of the members. */
  readonly hedgeAt: number;
  /** Still undecided with members not asked yet. */
  readonly waiting: boolean;
  /** Ask the rest (called only while `waiting`, but it may have changed since). */
  hedge(): void;
}

/**
 * One timer for every hedged read of a store: armed for the earliest deadline, it hedges the
 * reads that are due and still waiting, drops those that ended, and re-arms for the rest. It is
 * unref'd: a read's own commands (their timeouts) keep the process alive while it runs.
 */
export class HedgeClock {
  #waiting: Hedgeable[] = [];
  #timer: NodeJS.Timeout | undefined;
  #armedAt = Infinity;

  add(read: Hedgeable, now: number): void {
    this.#waiting.push(read);
    if (read.hedgeAt < this.#armedAt) this.#arm(read.hedgeAt, now);
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedAt = Infinity;
    this.#waiting = [];
  }

  #arm(at: number, now: number): void {
    clearTimeout(this.#timer);
    this.#armedAt = at;
    this.#timer = setTimeout(this.#fire, Math.max(1, Math.ceil(at - now))).unref();
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#armedAt = Infinity;
    const now = performance.now();
    const waiting = this.#waiting;
    let due: Hedgeable[] | undefined;
    let kept = 0;
    let next = Infinity;
    for (let i = 0; i < waiting.length; i++) {
      const read = waiting[i]!;
      if (!read.waiting) continue;
      // Timers count whole milliseconds: one that fires a fraction early is on time.
      if (read.hedgeAt - now < 1) (due ??= []).push(read);
      else {
        waiting[kept++] = read;
        next = Math.min(next, read.hedgeAt);
      }
    }
    waiting.length = kept;
    if (kept > 0) this.#arm(next, now);
    // A timer that fires late (this process's loop was busy) may find a reply already waiting in
    // the socket: timers run before I/O in a loop turn, so the decision waits for setImmediate,
    // which runs after that turn's I/O.
    if (due) {
      const reads = due;
      setImmediate(() => {
        for (const read of reads) if (read.waiting) read.hedge();
      });
    }
  };
}
