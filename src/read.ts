// The read: GET on every member at once, each reply kept as bytes and only the winner's decoded.
// readQuorum 1 (the seed's rule): the first valid session wins; tombstones and misses count as
// absent. Above 1: once that many members answered and one of them holds something, the newest
// value among the answers wins, and a tombstone beats older data. Members that lack the key are
// then repaired from the winner, off the request path.
//
// reads: 'hedged' asks only the fastest answering member (readQuorum of them) first, and the rest
// when one of those fails, when they answered and nothing could be decided from them (a miss, a
// tombstone, an unreadable value), or when they have not answered within the hedge delay (see
// members/hedge.ts). From there the read goes on as above over every member asked.
//
// Small text sessions are read as strings instead: node-redis's Buffer replies measured about a
// tenth of a small get+set pair's main-thread time dearer, while UTF-8 decoding the loser's reply
// of a small session costs next to nothing. Values that turn out to be binary (another
// configuration's envelope) are read again as bytes.
import type { Codec, SessionObject } from './codec/codec.js';
import { Format, textEnvelope, type Header, type TextEnvelope } from './codec/envelope.js';
import { compareVersions, UNVERSIONED, type Version } from './codec/version.js';
import { memberDecodeError, memberTooLarge } from './codec/decode-error.js';
import { type DecodeError, isCodecAbort, NoMemberError, type SessionTooLargeError } from './errors.js';
import type { Member, Outcome } from './members/member.js';
import type { HedgeClock, Hedgeable, HedgePlan } from './members/hedge.js';
import { repairFrom, type ClearFence } from './members/repair.js';
import type { InFlight } from './in-flight.js';
import type { Options } from './options.js';

export interface ReadContext {
  /** prefix and maxSize */
  readonly options: Options;
  readonly members: readonly Member[];
  readonly codec: Codec;
  readonly readQuorum: number;
  readonly readRepair: boolean;
  /** A member's stored value could not be decoded (emitted on `error`). */
  decodeFailed(error: DecodeError): void;
  /** A member's stored value is larger than maxSize (emitted on `error`). */
  storedTooLarge(error: SessionTooLargeError): void;
  /** Repairs wait while a clear() runs (see ClearFence). */
  readonly fence: ClearFence;
  /** A read decided from fewer answers than readQuorum. */
  countBelowQuorum(): void;
  /** reads: 'hedged' (with readQuorum below the member count): whom to ask first, and the
   * store's one timer for the reads waiting on their hedge delay. */
  readonly hedging: { readonly plan: HedgePlan; readonly clock: HedgeClock } | undefined;
  /** A hedged read asked the rest of the members. */
  countHedge(): void;
  /** Work in flight, including what a read leaves in the background (close() waits for it). */
  readonly inFlight: InFlight;
}

/** Sessions last seen below this size (bytes) are read as text when the configuration writes
 * text and readQuorum is 1 (text carries no write version to compare). Measured against bytes,
 * main thread per set+get pair on two members: 0.87× at 1 KB, 0.94× at 14 KB, 0.98× at 60 KB,
 * 1.04× at 250 KB, where decoding the losing member's reply too starts to cost more. */
export const TEXT_READ_LIMIT = 32 * 1024;

interface Candidate {
  readonly index: number;
  /** A string only when read as text, and then never enveloped. */
  readonly stored: Buffer | string;
  readonly header: Header | undefined;
  readonly tombstone: boolean;
  readonly version: Version;
}

export interface ReadResult {
  readonly session: SessionObject | null;
  /** The winner's stored size, for the offload policy of the next write. */
  readonly size: number | undefined;
}

/** @param knownSize the stored size last seen for this session, if any */
export function readSession(ctx: ReadContext, key: string, knownSize: number | undefined): Promise<ReadResult> {
  const text = knownSize !== undefined && knownSize < Math.min(TEXT_READ_LIMIT, ctx.codec.textBelow) && ctx.readQuorum === 1;
  return new Read(ctx, key, text).result;
}

class Read implements Hedgeable {
  readonly result: Promise<ReadResult>;
  readonly #ctx: ReadContext;
  readonly #key: string;
  readonly #candidates: Candidate[] = [];
  readonly #missing: number[] = [];
  /** Taken when the read starts: its repair must not undo a clear() that ran meanwhile. */
  readonly #repairAllowed: () => boolean;
  readonly #text: boolean;
  /** The members a hedged read asked first (a shared array: never mutated); how many are asked. */
  #first: readonly number[] | undefined;
  #askedCount = 0;
  hedgeAt = Infinity;
  #answered = 0;
  #settled = 0;
  #decoding = false;
  #done = false;
  #wrapped = false;
  #winner: Candidate | undefined;
  #resolve!: (result: ReadResult) => void;
  #reject!: (error: Error) => void;

  constructor(ctx: ReadContext, key: string, text: boolean) {
    this.#ctx = ctx;
    this.#key = key;
    this.#repairAllowed = ctx.fence.ticket();
    this.result = new Promise<ReadResult>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#text = text;
    const members = ctx.members;
    // Counted until every member asked has answered (or timed out) and any repair has been sent.
    ctx.inFlight.begin();
    const hedging = ctx.hedging;
    if (!hedging) {
      this.#askedCount = members.length;
      const args = ['GET', key];
      for (let i = 0; i < members.length; i++) members[i]!.send(args, !text, outcome => this.#onOutcome(i, outcome, text));
      return;
    }
    const now = performance.now();
    this.#first = hedging.plan.first(now);
    this.hedgeAt = now + hedging.plan.delay;
    this.#ask(this.#first);
    if (this.waiting) hedging.clock.add(this, now);
  }

  #ask(indices: readonly number[]): void {
    const args = ['GET', this.#key];
    const members = this.#ctx.members;
    const text = this.#text;
    this.#askedCount += indices.length;
    for (const i of indices) members[i]!.send(args, !text, outcome => this.#onOutcome(i, outcome, text));
  }

  get waiting(): boolean {
    return !this.#done && this.#askedCount < this.#ctx.members.length;
  }

  /** Ask every member not asked yet (once, and only while undecided). */
  hedge(): void {
    if (!this.waiting) return;
    this.#ctx.countHedge();
    const first = this.#first!;
    this.#ask(this.#ctx.members.flatMap((_, i) => (first.includes(i) ? [] : [i])));
  }

  /** @param asText the command asked for a string reply (a refetch asks for bytes, so it ends there) */
  #onOutcome(index: number, outcome: Outcome, asText: boolean): void {
    const reply = outcome.ok ? outcome.reply : undefined;
    const envelope = asText && typeof reply === 'string' ? textEnvelope(reply) : undefined;
    if (envelope === 'binary' && !this.#done) {
      // Another configuration wrote it, and UTF-8 decoding mangled it: read it again as bytes.
      this.#ctx.members[index]!.send(['GET', this.#key], true, bytes => this.#onOutcome(index, bytes, false));
      return;
    }
    this.#settled++;
    if (outcome.ok) {
      this.#answered++;
      // Once decided, later answers only matter to repair: a miss there is all it needs to know.
      if (!this.#done) this.#classify(index, outcome.reply, envelope);
      else if (outcome.reply === null) this.#missing.push(index);
    } else if (!this.#done) {
      this.hedge(); // a member asked first failed: the others are needed
    }
    this.#step();
  }

  /** Decide if possible, then wrap up once every member asked has settled and no more will be. */
  #step(): void {
    this.#advance();
    if (this.#wrapped || this.#settled < this.#askedCount) return;
    // Undecided with every answer in: a decode is still running (it steps again when it settles)
    // or the others are about to be asked. Wrapping up now would lose the repair.
    if (!this.#done) return;
    this.#wrapped = true;
    const repair = this.#repair();
    if (repair) void repair.finally(() => this.#ctx.inFlight.end());
    else this.#ctx.inFlight.end();
  }

  /** @param envelope set when the reply was read as text (then readQuorum is 1) */
  #classify(index: number, reply: unknown, envelope: TextEnvelope | undefined): void {
    if (reply === null || reply === undefined) {
      this.#missing.push(index);
      return;
    }
    if (this.#tooLarge(index, reply as Buffer | string)) return;
    if (envelope !== undefined) {
      // A tombstone is absent (readQuorum 1); anything else is plain text.
      if (envelope === 'none') this.#candidates.push({ index, stored: reply as string, header: undefined, tombstone: false, version: UNVERSIONED });
      return;
    }
    const stored = Buffer.isBuffer(reply) ? reply : Buffer.from(String(reply));
    let header: Header | undefined;
    try {
      header = this.#ctx.codec.header(stored);
    } catch (error) {
      this.#invalid(index, error);
      return;
    }
    const tombstone = header?.format === Format.tombstone;
    if (tombstone && this.#ctx.readQuorum === 1) return; // the seed's rule: a tombstone is absent
    this.#candidates.push({ index, stored, header, tombstone, version: this.#ctx.codec.version(header) });
  }

  /** Decide when enough is known; decode one candidate at a time, best first. */
  #advance(): void {
    if (this.#done || this.#decoding) return;
    const quorum = this.#ctx.readQuorum;
    const candidates = this.#candidates;
    if (candidates.length === 0 || (quorum > 1 && this.#answered < quorum)) {
      // Undecided until every member asked has settled; then ask the rest, if any are left.
      if (this.#settled < this.#askedCount) return;
      if (this.#askedCount < this.#ctx.members.length) {
        this.hedge();
        return;
      }
      if (candidates.length === 0) {
        this.#finish(null);
        return;
      }
      // Every member answered or failed: decide from fewer answers than readQuorum.
    }
    // readQuorum 1: the first valid answer wins. Above: the newest answer wins.
    const best = quorum === 1 ? candidates[0]! : candidates.reduce((a, b) => (compareVersions(b.version, a.version) > 0 ? b : a));
    if (best.tombstone) {
      this.#finish(null, best);
      return;
    }
    this.#decode(best);
  }

  #decode(candidate: Candidate): void {
    const drop = (error: unknown) => {
      this.#candidates.splice(this.#candidates.indexOf(candidate), 1);
      this.#invalid(candidate.index, error);
    };
    let decoded: SessionObject | Promise<SessionObject>;
    try {
      decoded = this.#ctx.codec.decode(candidate.stored, candidate.header, this.#key);
    } catch (error) {
      drop(error);
      this.#step();
      return;
    }
    if (!(decoded instanceof Promise)) {
      this.#finish(decoded, candidate);
      return;
    }
    this.#decoding = true;
    decoded.then(
      session => {
        this.#decoding = false;
        this.#finish(session, candidate);
        this.#step();
      },
      (error: unknown) => {
        this.#decoding = false;
        if (isCodecAbort(error)) {
          // The worker decoding it died or hung, or the store closed: the get fails, as any
          // operation whose codec work failed does, rather than log the user out.
          this.#abort(error);
          this.#step();
          return;
        }
        drop(error);
        this.#step();
      },
    );
  }

  #abort(error: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.#reject(error);
  }

  /** A value over maxSize is not decoded (nor repaired from): it reads as absent on that member. */
  #tooLarge(index: number, reply: Buffer | string): boolean {
    const limit = this.#ctx.options.maxSize;
    if (typeof reply === 'string' ? reply.length * 3 <= limit : reply.length <= limit) return false;
    const size = storedSize(reply);
    if (size <= limit) return false;
    const member = this.#ctx.members[index]!;
    const sid = this.#key.slice(this.#ctx.options.prefix.length);
    this.#ctx.storedTooLarge(memberTooLarge(sid, size, limit, member));
    return true;
  }

  #invalid(index: number, error: unknown): void {
    this.#ctx.decodeFailed(memberDecodeError(error, this.#ctx.members[index]!));
  }

  #finish(session: SessionObject | null, winner?: Candidate): void {
    if (this.#done) return;
    this.#done = true;
    this.#winner = winner;
    if (this.#answered === 0) {
      const labels = this.#ctx.members.map(m => m.label).join(', ');
      this.#reject(new NoMemberError(`get: no member answered (${labels})`));
      return;
    }
    if (this.#answered < this.#ctx.readQuorum) this.#ctx.countBelowQuorum();
    this.#resolve({ session, size: session && winner ? (this.#ctx.codec.plainSize(session) ?? storedSize(winner.stored)) : undefined });
  }

  /** After every member settled: copy the winning session to the members that lack the key. */
  #repair(): Promise<void> | undefined {
    const winner = this.#winner;
    if (!this.#ctx.readRepair || !winner || winner.tombstone || this.#missing.length === 0) return;
    const members = this.#ctx.members;
    return repairFrom(members[winner.index]!, this.#missing.map(i => members[i]!), this.#key, winner.stored, this.#repairAllowed);
  }
}

function storedSize(stored: Buffer | string): number {
  return typeof stored === 'string' ? Buffer.byteLength(stored) : stored.length;
}
