// length, ids, all and clear: over the union of every member that answers, with SCAN restricted
// to keys under the prefix. A key counts as a session when the newest valid value any member
// holds for it is a session, not a tombstone.
//
// Bounded by the page, not the database: each member's keys are walked one SCAN page at a time,
// and a page is settled before the next SCAN is sent. Settling a page asks every member for the
// header and size of its keys (one script call per member per page), and decides each key on
// the page of the first member (in `clients` order) that holds it, so a key on several members
// is decided once. A member that fails anywhere in the walk is left out and the walk starts over
// without it: the answer is then the exact union over the members that answered throughout.
import type { Codec, SessionObject } from './codec/codec.js';
import type { Header } from './codec/envelope.js';
import { Format, HEADER_SIZE } from './codec/envelope.js';
import { compareVersions, type Version } from './codec/version.js';
import { memberDecodeError, memberTooLarge } from './codec/decode-error.js';
import { type DecodeError, isCodecAbort, NoMemberError, type SessionTooLargeError } from './errors.js';
import { keyGroups, ScanFailure, scanPages, settlePages, settleQuorum } from './members/fan-out.js';
import type { Member, Outcome } from './members/member.js';
import type { ClearFence } from './members/repair.js';
import type { Options } from './options.js';
import { scanPattern } from './keys.js';

export interface ScanContext {
  readonly options: Options;
  readonly members: readonly Member[];
  readonly codec: Codec;
  /** Repairs wait while a clear() runs (see ClearFence). */
  readonly fence: ClearFence;
  decodeFailed(error: DecodeError): void;
  /** A stored value larger than maxSize (emitted on `error`). */
  storedTooLarge(error: SessionTooLargeError): void;
}

// Per key: its first bytes (the envelope, if any) and its length; '' and 0 for a missing key or
// one that is not a string. One call per member per page instead of one command per key.
// (redis.pcall: STRLEN of another type returns an error table instead of raising.)
const HEADERS_SCRIPT =
  'local r = {} for i, k in ipairs(KEYS) do ' +
  "local n = redis.pcall('STRLEN', k) " +
  "if type(n) == 'number' and n > 0 then r[2 * i - 1] = redis.call('GETRANGE', k, 0, ARGV[1]) r[2 * i] = n " +
  "else r[2 * i - 1] = '' r[2 * i] = 0 end end return r";

/** Pages of one member's walk settled at once (script calls, and GETs for all()). */
const PAGES_IN_FLIGHT = 4;

/** One member's valid copy of a key. */
interface Copy {
  readonly member: Member;
  readonly header: Header | undefined;
  readonly version: Version;
}

/** A key whose newest valid copy is a session; `copies`: those newer than any tombstone, newest
 * first (the value can still fail to decode, then the next one is tried). */
interface Found {
  readonly key: string;
  readonly copies: Copy[];
}

/**
 * Walks every session under the prefix, calling `visit` with each page's sessions (each key
 * once) and awaiting it before the next page. `restart` is called before a walk starts over
 * without a member that failed; the caller drops what it gathered.
 */
async function walk(ctx: ScanContext, operation: string, visit: (found: Found[]) => void | Promise<void>, restart: () => void): Promise<void> {
  let members = ctx.members;
  for (;;) {
    const failed = await walkOnce(ctx, members, visit);
    if (failed.size === 0) return;
    members = members.filter(m => !failed.has(m));
    if (members.length === 0) {
      throw new NoMemberError(`${operation}: no member answered (${ctx.members.map(m => m.label).join(', ')})`);
    }
    restart();
  }
}

/**
 * One walk over `members`, every member's pages in parallel; resolves with the members that
 * failed. Any other error (the pool failing a decode, close()) stops every member's walk and is
 * thrown once all of them have settled: no page is left running, none is dropped unseen.
 */
async function walkOnce(ctx: ScanContext, members: readonly Member[], visit: (found: Found[]) => void | Promise<void>): Promise<Set<Member>> {
  const failed = new Set<Member>();
  let fatal: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    if (error instanceof ScanFailure) failed.add(error.member);
    else fatal ??= { error };
  };
  const stopped = () => failed.size > 0 || fatal !== undefined;
  await settlePages(members, {
    pattern: scanPattern(ctx.options.prefix),
    count: ctx.options.scanCount,
    inFlight: PAGES_IN_FLIGHT,
    stopped, // the walk starts over, or fails, anyway
    failed: fail,
    settle: async (owner, keys) => {
      const held = await Promise.all(members.map(m => headers(m, keys)));
      if (!stopped()) await visit(settlePage(ctx, members, owner, keys, held));
    },
  });
  if (fatal) throw fatal.error;
  return failed;
}

/** The first bytes and length of each key on one member (one script call per page; per hash
 * slot on a cluster). */
async function headers(member: Member, keys: string[]): Promise<{ stored: Buffer; size: number }[]> {
  const groups = keyGroups(member, keys);
  const replies = await Promise.all(groups.map(group => member.call(['EVAL', HEADERS_SCRIPT, String(group.length), ...group, String(HEADER_SIZE - 1)])));
  const read = (reply: (Buffer | number)[], i: number) => ({ stored: reply[2 * i] as Buffer, size: Number(reply[2 * i + 1]) });
  for (const outcome of replies) if (!outcome.ok) throw new ScanFailure(member, outcome.error);
  if (groups.length === 1) return keys.map((_, i) => read((replies[0] as { reply: (Buffer | number)[] }).reply, i));
  const byKey = new Map<string, { stored: Buffer; size: number }>();
  groups.forEach((group, g) => group.forEach((key, i) => byKey.set(key, read((replies[g] as { reply: (Buffer | number)[] }).reply, i))));
  return keys.map(key => byKey.get(key)!);
}

/** The sessions of one page of member `owner`: the keys no earlier member holds, newest valid copy first. */
function settlePage(ctx: ScanContext, members: readonly Member[], owner: number, keys: string[], held: { stored: Buffer; size: number }[][]): Found[] {
  const found: Found[] = [];
  keys.forEach((key, k) => {
    // Decided on the page of the first member that holds it (whatever it holds).
    for (let j = 0; j < owner; j++) if (held[j]![k]!.size > 0) return;
    if (held[owner]![k]!.size === 0) return; // gone meanwhile, or not a string
    const copies: (Copy & { tombstone: boolean })[] = [];
    members.forEach((member, j) => {
      const { stored, size } = held[j]![k]!;
      if (size === 0) return;
      if (size > ctx.options.maxSize) {
        ctx.storedTooLarge(tooLarge(ctx, key, size, member));
        return;
      }
      try {
        const header = ctx.codec.header(stored);
        copies.push({ member, header, version: ctx.codec.version(header), tombstone: header?.format === Format.tombstone });
      } catch (error) {
        ctx.decodeFailed(memberDecodeError(error, member));
      }
    });
    copies.sort((a, b) => compareVersions(b.version, a.version));
    // The copies newer than the newest tombstone: an older one must not outlive a destroy.
    const live = copies.findIndex(c => c.tombstone);
    const sessions = live === -1 ? copies : copies.slice(0, live);
    if (sessions.length > 0) found.push({ key, copies: sessions });
  });
  return found;
}

function tooLarge(ctx: ScanContext, key: string, size: number, member: Member): SessionTooLargeError {
  const sid = key.slice(ctx.options.prefix.length);
  return memberTooLarge(sid, size, ctx.options.maxSize, member);
}

export async function sessionIds(ctx: ScanContext): Promise<string[]> {
  const prefixLength = ctx.options.prefix.length;
  let ids: string[] = [];
  await walk(
    ctx,
    'ids',
    found => {
      for (const { key } of found) ids.push(key.slice(prefixLength));
    },
    () => (ids = []),
  );
  return ids;
}

export async function sessionCount(ctx: ScanContext): Promise<number> {
  let count = 0;
  await walk(ctx, 'length', found => void (count += found.length), () => (count = 0));
  return count;
}

export async function allSessions(ctx: ScanContext): Promise<(SessionObject & { id: string })[]> {
  const prefixLength = ctx.options.prefix.length;
  let sessions: (SessionObject & { id: string })[] = [];
  await walk(
    ctx,
    'all',
    async found => {
      const page = await Promise.all(found.map(f => fetchSession(ctx, f)));
      for (const [i, session] of page.entries()) if (session) sessions.push(Object.assign(session, { id: found[i]!.key.slice(prefixLength) }));
    },
    () => (sessions = []),
  );
  return sessions;
}

/** The value of the newest copy that still decodes (the next one when it does not); null when none does. */
async function fetchSession(ctx: ScanContext, found: Found): Promise<SessionObject | null> {
  for (const copy of found.copies) {
    const outcome = await copy.member.call(['GET', found.key]);
    if (!outcome.ok) throw new ScanFailure(copy.member, outcome.error);
    const stored = outcome.reply as Buffer | null;
    if (!stored || stored.length === 0) continue; // gone meanwhile
    if (stored.length > ctx.options.maxSize) {
      ctx.storedTooLarge(tooLarge(ctx, found.key, stored.length, copy.member));
      continue;
    }
    try {
      const header = ctx.codec.header(stored);
      if (header?.format === Format.tombstone) return null; // destroyed meanwhile
      return await ctx.codec.decode(stored, header, found.key);
    } catch (error) {
      if (isCodecAbort(error)) throw error;
      ctx.decodeFailed(memberDecodeError(error, copy.member));
    }
  }
  return null;
}

/**
 * Deletes every key under the prefix on every member, page by page (UNLINK each SCAN page before
 * the next SCAN); settles by writeQuorum. Repairs are held back until every member's part has
 * settled (see ClearFence).
 */
export function clearSessions(ctx: ScanContext): Promise<void> {
  const pattern = scanPattern(ctx.options.prefix);
  ctx.fence.begin();
  const calls = ctx.members.map(async (member): Promise<Outcome> => {
    let deleted = 0;
    try {
      for await (const keys of scanPages(member, pattern, ctx.options.scanCount)) {
        const outcomes = await Promise.all(keyGroups(member, keys).map(group => member.call(['UNLINK', ...group], false)));
        const failed = outcomes.find(outcome => !outcome.ok);
        if (failed) return failed;
        deleted += keys.length;
      }
      return { ok: true, reply: deleted };
    } catch (error) {
      return { ok: false, kind: 'error', error: error instanceof ScanFailure ? (error.cause as Error) : (error as Error) };
    }
  });
  void Promise.all(calls).then(() => ctx.fence.end());
  return settleQuorum(ctx.members, calls, ctx.options.writeQuorum, 'clear').quorum;
}
