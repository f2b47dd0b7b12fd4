// Connecting the configured members for one command: each through the store's own Member (so
// clusters and Sentinel work as in the store), waited for with a bound, closed at the end.
import { Member, type MemberListener } from '../members/member.js';
import type { ConfiguredMember } from './config.js';

export interface Opened {
  readonly member: Member;
  readonly configured: ConfiguredMember;
  /** Why it is not usable (its first connection error), when it is not. */
  readonly problem: string | undefined;
}

export interface OpenOptions {
  /** Bound on each command, ms. */
  readonly commandTimeout: number;
  /** How long to wait for a member to become usable, ms. */
  readonly connectTimeout: number;
}

/** Starts every member and waits until each is usable, has failed once, or `connectTimeout` passed. */
export async function openMembers(configured: readonly ConfiguredMember[], options: OpenOptions): Promise<Opened[]> {
  const problems = new Map<Member, string>();
  const waiters = new Map<Member, () => void>();
  const listener: MemberListener = {
    usable: member => waiters.get(member)?.(),
    unusable: () => undefined,
    error: (member, error) => {
      if (!member.usable && !problems.has(member)) problems.set(member, oneLine(error.message));
      if (!member.usable) waiters.get(member)?.();
    },
  };
  const members = configured.map(c => new Member(c.entry, { commandTimeout: options.commandTimeout, unref: false }, listener));
  await Promise.all(
    members.map(member => {
      const settled = new Promise<void>(resolve => {
        const timer = setTimeout(() => {
          if (!member.usable && !problems.has(member)) problems.set(member, `not ready within ${options.connectTimeout} ms`);
          resolve();
        }, options.connectTimeout);
        waiters.set(member, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      member.start();
      if (member.usable) waiters.get(member)!();
      return settled;
    }),
  );
  return members.map((member, i) => ({ member, configured: configured[i]!, problem: member.usable ? undefined : (problems.get(member) ?? 'not usable') }));
}

export async function closeMembers(opened: readonly { member: Member }[]): Promise<void> {
  await Promise.all(opened.map(o => o.member.close()));
}

/** node-redis error messages can span lines (AggregateError); the CLI prints one. */
export function oneLine(text: string): string {
  return text.split('\n')[0]!.trim() || 'failed';
}
