// `expredis status`: each member's reachability, PING latency, sessions and tombstones under the
// prefix, memory used and, for a cluster, the slot ranges no node serves.
import type { Member, NodeOutcome } from '../members/member.js';
import { EXIT } from './fail.js';
import { oneLine, type Opened } from './open.js';
import { bytes, count, renderTable } from './table.js';
import { walk } from './walk.js';

export interface MemberStatus {
  label: string;
  kind: string;
  reachable: boolean;
  /** Why it is down, or what failed while asking it. */
  error?: string;
  /** Median of three PINGs, ms. */
  latencyMs?: number;
  sessions?: number;
  tombstones?: number;
  /** used_memory summed over its nodes, bytes. */
  usedMemory?: number;
  /** A cluster's slot ranges [first, last] that no node serves. */
  uncoveredSlots?: [number, number][];
}

export interface StatusReport {
  prefix: string;
  members: MemberStatus[];
}

export interface StatusOptions {
  readonly prefix: string;
  readonly count: number;
}

export async function status(opened: readonly Opened[], options: StatusOptions): Promise<StatusReport> {
  // Latency first, on idle connections: the key counts would queue behind it otherwise.
  const latencies = await Promise.all(opened.map(o => (o.problem === undefined ? pingMs(o.member) : undefined)));
  return { prefix: options.prefix, members: await Promise.all(opened.map((o, i) => memberStatus(o, latencies[i], options))) };
}

export function statusExitCode(report: StatusReport): number {
  return report.members.every(m => m.reachable && !m.error && !m.uncoveredSlots?.length) ? EXIT.ok : EXIT.found;
}

type Latency = { ms: number } | { error: string };

async function memberStatus({ member, problem }: Opened, latency: Latency | undefined, options: StatusOptions): Promise<MemberStatus> {
  const row: MemberStatus = { label: member.label, kind: member.kind, reachable: problem === undefined };
  if (problem !== undefined || latency === undefined) return { ...row, error: problem ?? 'not usable' };
  const errors: string[] = [];
  const [memory, keys, slots] = await Promise.all([
    usedMemory(member),
    countKeys(member, options),
    member.kind === 'cluster' ? uncoveredOf(member) : Promise.resolve(undefined),
  ]);
  for (const part of [latency, memory, keys, slots]) if (part && 'error' in part) errors.push(part.error);
  if ('ms' in latency) row.latencyMs = latency.ms;
  if ('bytes' in memory) row.usedMemory = memory.bytes;
  if ('sessions' in keys) Object.assign(row, keys);
  if (slots && 'ranges' in slots) row.uncoveredSlots = slots.ranges;
  if (errors.length > 0) row.error = errors.join('; ');
  return row;
}

async function pingMs(member: Member): Promise<Latency> {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const outcome = await member.call(['PING'], false);
    if (!outcome.ok) return { error: `PING: ${oneLine(outcome.error.message)}` };
    times.push(performance.now() - started);
  }
  return { ms: Math.round(times.sort((a, b) => a - b)[1]! * 100) / 100 };
}

function failedNodes(outcomes: readonly NodeOutcome[], what: string): string | undefined {
  const failed = outcomes.filter(o => !o.outcome.ok);
  if (failed.length === 0) return undefined;
  return failed.map(o => `${what} on ${o.node}: ${oneLine((o.outcome as { error: Error }).error.message)}`).join('; ');
}

async function usedMemory(member: Member): Promise<{ bytes: number } | { error: string }> {
  const outcomes = await member.eachNode(['INFO', 'memory']);
  const failed = failedNodes(outcomes, 'INFO');
  if (failed) return { error: failed };
  let total = 0;
  for (const { outcome } of outcomes) total += Number(/^used_memory:(\d+)/m.exec(String((outcome as { reply: unknown }).reply))?.[1] ?? 0);
  return { bytes: total };
}

async function countKeys(member: Member, options: StatusOptions): Promise<{ sessions: number; tombstones: number } | { error: string }> {
  let sessions = 0;
  let tombstones = 0;
  try {
    await walk([member], [], { prefix: options.prefix, count: options.count, digest: false, pagesInFlight: 4 }, page => {
      for (const held of page.held[0]!) {
        if (held.tombstone) tombstones++;
        else sessions++;
      }
    });
  } catch (error) {
    return { error: oneLine((error as Error).message) };
  }
  return { sessions, tombstones };
}

async function uncoveredOf(member: Member): Promise<{ ranges: [number, number][] } | { error: string }> {
  const outcomes = await member.eachNode(['CLUSTER', 'SLOTS']);
  const answered = outcomes.find(o => o.outcome.ok);
  if (!answered) return { error: failedNodes(outcomes, 'CLUSTER SLOTS') ?? 'CLUSTER SLOTS: no node answered' };
  return { ranges: uncoveredSlots((answered.outcome as { reply: unknown }).reply as unknown[]) };
}

/** The ranges of 0–16383 that no entry of a CLUSTER SLOTS reply covers. */
export function uncoveredSlots(reply: readonly unknown[]): [number, number][] {
  const covered = reply
    .map(entry => [Number((entry as unknown[])[0]), Number((entry as unknown[])[1])] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const gaps: [number, number][] = [];
  let next = 0;
  for (const [first, last] of covered) {
    if (first > next) gaps.push([next, first - 1]);
    next = Math.max(next, last + 1);
  }
  if (next <= 16383) gaps.push([next, 16383]);
  return gaps;
}

export function renderStatus(report: StatusReport): string {
  const rows = report.members.map(m => [
    m.label,
    m.kind,
    m.reachable ? 'up' : 'down',
    m.latencyMs === undefined ? '' : `${m.latencyMs.toFixed(2)} ms`,
    m.sessions === undefined ? '' : count(m.sessions),
    m.tombstones === undefined ? '' : count(m.tombstones),
    m.usedMemory === undefined ? '' : bytes(m.usedMemory),
    [m.uncoveredSlots?.length ? `slots ${m.uncoveredSlots.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(', ')} uncovered` : '', m.error ?? ''].filter(Boolean).join('; '),
  ]);
  const table = renderTable(['member', 'kind', 'state', 'latency', 'sessions', 'tombstones', 'memory', 'note'], rows, [false, false, false, true, true, true, true, false]);
  return `prefix ${JSON.stringify(report.prefix)}\n${table}`;
}
