// Fan-out: one operation sent to every member at once. A quorum write succeeds as soon as
// `needed` members acknowledged and fails as soon as that became impossible; the rest complete
// in the background. A scan walks one member's keys page by page, each SCAN bounded by
// commandTimeout.
import { QuorumError } from '../errors.js';
import type { Member, Outcome } from './member.js';
import { bySlot } from './slot.js';

export interface Fanned {
  /** Settles when the quorum is reached (resolves) or cannot be (rejects with QuorumError). */
  readonly quorum: Promise<void>;
  /** Every member's outcome, in member order, once all have settled. */
  readonly outcomes: Promise<Outcome[]>;
}

/** Work in flight, counted until every member's outcome is in (close() waits for it). */
export interface Counter {
  begin(): void;
  end(): void;
}

/** Sends one command to every member; the tally decides the quorum. */
export function writeToAll(members: readonly Member[], args: readonly (string | Buffer)[], needed: number, operation: string, inFlight?: Counter): Fanned {
  const tally = new Tally(members, needed, operation, inFlight);
  // Write replies are statuses and integers: no Buffer mapping, which costs node-redis time per command.
  for (let i = 0; i < members.length; i++) members[i]!.send(args, false, outcome => tally.record(i, outcome));
  return tally;
}

/** The quorum over outcomes already under way (one promise per member, member order). */
export function settleQuorum(members: readonly Member[], calls: readonly Promise<Outcome>[], needed: number, operation: string): Fanned {
  const tally = new Tally(members, needed, operation);
  calls.forEach((call, i) => void call.then(outcome => tally.record(i, outcome)));
  return tally;
}

class Tally implements Fanned {
  readonly quorum: Promise<void>;
  #outcomes: Promise<Outcome[]> | undefined;
  readonly #members: readonly Member[];
  readonly #needed: number;
  readonly #operation: string;
  readonly #results: Outcome[];
  readonly #failed: { label: string; error: Error }[] = [];
  readonly #inFlight: Counter | undefined;
  #acks = 0;
  #remaining: number;
  #decided = false;
  #resolve!: () => void;
  #reject!: (error: Error) => void;
  #all: ((outcomes: Outcome[]) => void) | undefined;

  constructor(members: readonly Member[], needed: number, operation: string, inFlight?: Counter) {
    this.#inFlight = inFlight;
    inFlight?.begin();
    this.#members = members;
    this.#needed = needed;
    this.#operation = operation;
    this.#remaining = members.length;
    this.#results = new Array<Outcome>(members.length);
    this.quorum = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  get outcomes(): Promise<Outcome[]> {
    this.#outcomes ??= this.#remaining === 0 ? Promise.resolve(this.#results) : new Promise<Outcome[]>(resolve => (this.#all = resolve));
    return this.#outcomes;
  }

  record(index: number, outcome: Outcome): void {
    this.#results[index] = outcome;
    if (!this.#decided) {
      if (outcome.ok) {
        if (++this.#acks >= this.#needed) {
          this.#decided = true;
          this.#resolve();
        }
      } else {
        this.#failed.push({ label: this.#members[index]!.label, error: outcome.error });
        if (this.#failed.length > this.#members.length - this.#needed) {
          this.#decided = true;
          this.#reject(new QuorumError(this.#operation, this.#needed, this.#members.length, this.#failed));
        }
      }
    }
    if (--this.#remaining === 0) {
      this.#inFlight?.end();
      this.#all?.(this.#results);
    }
  }
}

/** A member's command failed during a scan: that member does not count as answering. */
export class ScanFailure extends Error {
  readonly member: Member;
  constructor(member: Member, cause: Error) {
    super(`member ${member.label} stopped answering a scan`, { cause });
    this.member = member;
  }
}

/**
 * The keys on one member that match `pattern`, one SCAN page at a time: on each master of a
 * cluster in turn (as its client knows the topology when the walk starts). The next SCAN is sent
 * when a page is handed out, so it travels while the caller works on that page: a walk holds at
 * most two pages, however large the database. Throws ScanFailure if a SCAN fails.
 */
export async function* scanPages(member: Member, pattern: string, count: number): AsyncGenerator<string[]> {
  for (const node of member.nodes()) {
    const scan = (cursor: string) => node.call(['SCAN', cursor, 'MATCH', pattern, 'COUNT', String(count)], false);
    let next: Promise<Outcome> | undefined = scan('0');
    while (next) {
      const outcome = await next;
      if (!outcome.ok) throw new ScanFailure(member, outcome.error);
      const [cursor, page] = outcome.reply as [string, string[]];
      next = String(cursor) === '0' ? undefined : scan(String(cursor));
      if (page.length > 0) yield page;
    }
  }
}

/** What a walk over several members' SCAN pages needs (see `settlePages`). */
export interface PageWalk {
  readonly pattern: string;
  /** SCAN COUNT. */
  readonly count: number;
  /** Pages of one member being settled at once: each waits on round trips, so a few overlap. */
  readonly inFlight: number;
  /** Settles one page of member `owner` (its index in `members`). */
  settle(owner: number, keys: string[]): Promise<void>;
  /** A SCAN or a `settle` that failed; the walk goes on until `stopped` says otherwise. */
  failed(error: unknown): void;
  /** Checked before each page: true, and no member starts another. */
  stopped(): boolean;
}

/**
 * Every member's keys, page by page, every member at once, each page handed to `walk.settle`
 * while the next SCAN travels. Resolves once every page handed out has settled: none is left
 * running, none is dropped unseen. Memory stays a few pages' worth per member.
 */
export async function settlePages(members: readonly Member[], walk: PageWalk): Promise<void> {
  await Promise.all(
    members.map(async (member, owner) => {
      const settling = new Set<Promise<void>>();
      try {
        for await (const keys of scanPages(member, walk.pattern, walk.count)) {
          if (walk.stopped()) break;
          const page: Promise<void> = walk.settle(owner, keys).catch(error => walk.failed(error)).finally(() => settling.delete(page));
          settling.add(page);
          if (settling.size >= walk.inFlight) await Promise.race(settling);
        }
      } catch (error) {
        walk.failed(error);
      }
      await Promise.all(settling);
    }),
  );
}

/** `keys` in the groups one multi-key command may name on this member: all of them on a server
 * (one command per page), one group per hash slot on a cluster (keys in different slots are
 * CROSSSLOT there). */
export function keyGroups<T extends string | Buffer>(member: Member, keys: T[]): T[][] {
  return member.kind === 'cluster' ? bySlot(keys) : [keys];
}
