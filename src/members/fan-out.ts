// Fan-out: one operation sent to every member at once. A quorum write succeeds as soon as
// `needed` members acknowledged and fails as soon as that became impossible; the rest complete
// in the background. A scan walks one member's keys, each SCAN bounded by commandTimeout.
import { QuorumError } from '../errors.js';
import type { Member, Outcome } from './member.js';

export interface Fanned {
  /** Settles when the quorum is reached (resolves) or cannot be (rejects with QuorumError). */
  readonly quorum: Promise<void>;
  /** Every member's outcome, in member order, once all have settled. */
  readonly outcomes: Promise<Outcome[]>;
}

export function writeToAll(
  members: readonly Member[],
  args: readonly (string | Buffer)[],
  needed: number,
  operation: string,
): Fanned {
  return settleQuorum(members, members.map(m => m.call(args)), needed, operation);
}

/** The quorum over outcomes already under way (one promise per member, member order). */
export function settleQuorum(
  members: readonly Member[],
  calls: readonly Promise<Outcome>[],
  needed: number,
  operation: string,
): Fanned {
  const total = members.length;
  let acks = 0;
  const failed: { label: string; error: Error }[] = [];
  let resolveQuorum!: () => void;
  let rejectQuorum!: (error: Error) => void;
  let settled = false;
  const quorum = new Promise<void>((resolve, reject) => {
    resolveQuorum = resolve;
    rejectQuorum = reject;
  });
  const outcomes = Promise.all(
    calls.map((call, i) =>
      call.then(outcome => {
        if (!settled) {
          if (outcome.ok) {
            if (++acks >= needed) {
              settled = true;
              resolveQuorum();
            }
          } else {
            failed.push({ label: members[i]!.label, error: outcome.error });
            if (failed.length > total - needed) {
              settled = true;
              rejectQuorum(new QuorumError(operation, needed, total, failed));
            }
          }
        }
        return outcome;
      }),
    ),
  );
  return { quorum, outcomes };
}

/** Every key on one member that matches `pattern`; throws the outcome's error if a SCAN fails. */
export async function scanMember(member: Member, pattern: string, count: number): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const outcome = await member.call(['SCAN', cursor, 'MATCH', pattern, 'COUNT', String(count)], false);
    if (!outcome.ok) throw outcome.error;
    const [next, page] = outcome.reply as [string, string[]];
    cursor = String(next);
    for (const key of page) keys.push(key);
  } while (cursor !== '0');
  return keys;
}
