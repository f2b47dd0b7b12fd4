// What one member holds at each key of a page: whether it is there, its length, a SHA-1 of its
// bytes (when asked), and its first bytes (the envelope: a tombstone, the write version).
// A server (standalone, or the primary behind Sentinel) answers a page in one script call (a few
// when large values are hashed); a cluster one call per key (a script's keys must share a slot;
// a page's keys rarely do), sent together.
import { Format, HEADER_SIZE, hasEnvelope, readHeader } from '../codec/envelope.js';
import { UNVERSIONED, type Version } from '../codec/version.js';
import type { Member } from '../members/member.js';
import { ScanFailure } from '../members/fan-out.js';

/**
 * Per key: length (-1 missing, -2 not a string), digest ('' unless asked), first bytes. Without a
 * digest only the first bytes are read (GETRANGE); with one, the whole value is hashed, and the
 * script stops once it hashed ARGV[3] bytes (at least one key), so that one call never blocks the
 * server long on large sessions: the caller sends the rest again.
 */
const PROBE_SCRIPT =
  'local r = {} local hashed = 0 for i, k in ipairs(KEYS) do ' +
  'if hashed >= tonumber(ARGV[3]) then break end ' +
  "local t = redis.call('TYPE', k).ok " +
  "if t == 'none' then r[#r + 1] = -1 r[#r + 1] = '' r[#r + 1] = '' " +
  "elseif t ~= 'string' then r[#r + 1] = -2 r[#r + 1] = '' r[#r + 1] = '' " +
  "elseif ARGV[1] == '1' then local v = redis.call('GET', k) hashed = hashed + string.len(v) " +
  "r[#r + 1] = string.len(v) r[#r + 1] = redis.sha1hex(v) r[#r + 1] = string.sub(v, 1, tonumber(ARGV[2])) " +
  "else r[#r + 1] = redis.call('STRLEN', k) r[#r + 1] = '' r[#r + 1] = redis.call('GETRANGE', k, 0, tonumber(ARGV[2]) - 1) end " +
  'end return r';

/** Bytes one script call hashes at most (past the key that crosses it): about a millisecond of SHA-1. */
const HASH_BUDGET = 1 << 20;

export interface Held {
  /** The key is a string on this member. */
  readonly present: boolean;
  /** The key exists but is not a string (not a session; left alone). */
  readonly otherType: boolean;
  readonly size: number;
  /** Hex SHA-1 of the value, when digests were asked for; '' otherwise. */
  readonly digest: string;
  readonly tombstone: boolean;
  /** The envelope's write version; plain values count as oldest. */
  readonly version: Version;
}

const MISSING: Held = { present: false, otherType: false, size: 0, digest: '', tombstone: false, version: UNVERSIONED };
const OTHER: Held = { ...MISSING, otherType: true };

function held(size: number, digest: string, first: Buffer): Held {
  if (size === -1) return MISSING;
  if (size < 0) return OTHER;
  let tombstone = false;
  let version = UNVERSIONED;
  if (hasEnvelope(first)) {
    try {
      const header = readHeader(first);
      tombstone = header.format === Format.tombstone;
      version = header.version;
    } catch {
      // an envelope this version cannot read: compared as unversioned data
    }
  }
  return { present: true, otherType: false, size, digest, tombstone, version };
}

function parse(reply: unknown[], count: number): Held[] {
  const out: Held[] = [];
  for (let i = 0; i < count; i++) {
    const digest = reply[3 * i + 1];
    out.push(held(Number(reply[3 * i]), Buffer.isBuffer(digest) ? digest.toString('latin1') : String(digest ?? ''), reply[3 * i + 2] as Buffer));
  }
  return out;
}

/**
 * What `member` holds at each of `keys`. Throws ScanFailure when the member does not answer.
 * `batch`: one script call for the page (default for every kind but a cluster).
 */
export async function probe(member: Member, keys: readonly string[], digest: boolean, batch = member.kind !== 'cluster'): Promise<Held[]> {
  const argv = [digest ? '1' : '0', String(HEADER_SIZE), String(HASH_BUDGET)];
  if (batch) {
    const out: Held[] = [];
    while (out.length < keys.length) {
      const rest = keys.slice(out.length);
      const outcome = await member.call(['EVAL', PROBE_SCRIPT, String(rest.length), ...rest, ...argv]);
      if (!outcome.ok) throw new ScanFailure(member, outcome.error);
      const reply = outcome.reply as unknown[];
      if (reply.length === 0) throw new ScanFailure(member, new Error('the probe script answered no key'));
      out.push(...parse(reply, reply.length / 3));
    }
    return out;
  }
  const outcomes = await Promise.all(keys.map(key => member.call(['EVAL', PROBE_SCRIPT, '1', key, ...argv])));
  return outcomes.map(outcome => {
    if (!outcome.ok) throw new ScanFailure(member, outcome.error);
    return parse(outcome.reply as unknown[], 1)[0]!;
  });
}
