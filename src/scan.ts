// length, ids, all and clear: over the union of every member that answers, with SCAN restricted
// to keys under the prefix. A key counts as a session when the newest value any member holds
// for it is a session, not a tombstone.
import type { Codec, SessionObject } from './codec/codec.js';
import type { Header } from './codec/envelope.js';
import { HEADER_SIZE } from './codec/envelope.js';
import { compareVersions, type Version } from './codec/version.js';
import { memberDecodeError } from './codec/decode-error.js';
import { type DecodeError, NoMemberError } from './errors.js';
import { scanMember, settleQuorum } from './members/fan-out.js';
import type { Member, Outcome } from './members/member.js';
import type { Options } from './options.js';
import { scanPattern } from './keys.js';

export interface ScanContext {
  readonly options: Options;
  readonly members: readonly Member[];
  readonly codec: Codec;
  decodeFailed(error: DecodeError): void;
}

interface Holding {
  member: Member;
  /** The value (all) or its first bytes (enough for the envelope). */
  stored: Buffer;
  header: Header | undefined;
  version: Version;
}

/** Per key, the newest holding across members; only keys whose newest holding is a session. */
async function inventory(ctx: ScanContext, values: boolean, operation: string): Promise<Map<string, Holding>> {
  const pattern = scanPattern(ctx.options.prefix);
  const best = new Map<string, Holding>();
  const results = await Promise.all(
    ctx.members.map(async member => {
      try {
        const keys = await scanMember(member, pattern, ctx.options.scanCount);
        return { member, keys, held: await fetchAll(member, keys, values) };
      } catch {
        return undefined; // counted by the member; the union is over members that answer
      }
    }),
  );
  if (!results.some(Boolean)) {
    throw new NoMemberError(`${operation}: no member answered (${ctx.members.map(m => m.label).join(', ')})`);
  }
  for (const result of results) {
    if (!result) continue;
    result.keys.forEach((key, i) => {
      const stored = result.held[i];
      if (!stored) return; // gone meanwhile, or not a string
      let header: Header | undefined;
      try {
        header = ctx.codec.header(stored);
      } catch (error) {
        ctx.decodeFailed(memberDecodeError(error, result.member));
        return;
      }
      const holding = { member: result.member, stored, header, version: ctx.codec.version(header) };
      const seen = best.get(key);
      if (!seen || compareVersions(holding.version, seen.version) > 0) best.set(key, holding);
    });
  }
  for (const [key, holding] of best) if (holding.header?.format === 0) best.delete(key);
  return best;
}

/** The values (or their first bytes) of `keys` on one member, null where absent or not a string. */
async function fetchAll(member: Member, keys: string[], values: boolean): Promise<(Buffer | null)[]> {
  const outcomes = await Promise.all(
    keys.map(key => member.call(values ? ['GET', key] : ['GETRANGE', key, '0', String(HEADER_SIZE - 1)])),
  );
  if (outcomes.some(o => !o.ok && o.kind !== 'error')) throw new Error(`member ${member.label} stopped answering`);
  return outcomes.map(o => (o.ok && Buffer.isBuffer(o.reply) && o.reply.length > 0 ? o.reply : null));
}

export async function sessionIds(ctx: ScanContext): Promise<string[]> {
  const prefixLength = ctx.options.prefix.length;
  return [...(await inventory(ctx, false, 'ids')).keys()].map(key => key.slice(prefixLength));
}

export async function sessionCount(ctx: ScanContext): Promise<number> {
  return (await inventory(ctx, false, 'length')).size;
}

export async function allSessions(ctx: ScanContext): Promise<(SessionObject & { id: string })[]> {
  const prefixLength = ctx.options.prefix.length;
  const sessions: (SessionObject & { id: string })[] = [];
  for (const [key, holding] of await inventory(ctx, true, 'all')) {
    try {
      const session = await ctx.codec.decode(holding.stored, holding.header);
      sessions.push(Object.assign(session, { id: key.slice(prefixLength) }));
    } catch (error) {
      ctx.decodeFailed(memberDecodeError(error, holding.member));
    }
  }
  return sessions;
}

/** Deletes every key under the prefix on every member; settles by writeQuorum. */
export function clearSessions(ctx: ScanContext): Promise<void> {
  const pattern = scanPattern(ctx.options.prefix);
  const calls = ctx.members.map(async (member): Promise<Outcome> => {
    try {
      const keys = await scanMember(member, pattern, ctx.options.scanCount);
      for (let i = 0; i < keys.length; i += ctx.options.scanCount) {
        const outcome = await member.call(['UNLINK', ...keys.slice(i, i + ctx.options.scanCount)], false);
        if (!outcome.ok) return outcome;
      }
      return { ok: true, reply: keys.length };
    } catch (error) {
      return { ok: false, kind: 'error', error: error as Error };
    }
  });
  return settleQuorum(ctx.members, calls, ctx.options.writeQuorum, 'clear').quorum;
}
