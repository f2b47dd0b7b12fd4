// `expredis diff`: key by key over every member, the keys (sessions and tombstones) missing on
// some members and those whose stored bytes differ between members, with a sample of hashed ids.
import { sidHash } from '../errors.js';
import type { Opened } from './open.js';
import { count, renderTable } from './table.js';
import { walk } from './walk.js';

export interface DiffReport {
  prefix: string;
  /** Distinct keys under the prefix over all members. */
  keys: number;
  /** Of those, keys some member holds as a tombstone (a destroyed session). */
  tombstones: number;
  members: { label: string; holds: number; missing: number; sample: string[] }[];
  /** Keys held by every member. */
  everywhere: number;
  /** Keys whose bytes differ between the members that hold them. */
  differing: { count: number; sample: string[] };
  agree: boolean;
}

export interface DiffOptions {
  readonly prefix: string;
  readonly count: number;
  readonly sample: number;
}

export async function diff(opened: readonly Opened[], options: DiffOptions): Promise<DiffReport> {
  const members = opened.map(o => o.member);
  const report: DiffReport = {
    prefix: options.prefix,
    keys: 0,
    tombstones: 0,
    members: members.map(m => ({ label: m.label, holds: 0, missing: 0, sample: [] })),
    everywhere: 0,
    differing: { count: 0, sample: [] },
    agree: true,
  };
  const hash = (key: string) => sidHash(key.slice(options.prefix.length));
  await walk(members, [], { prefix: options.prefix, count: options.count, digest: true, pagesInFlight: 4 }, page => {
    page.keys.forEach((key, k) => {
      report.keys++;
      const copies = page.held.map(h => h[k]!);
      if (copies.some(c => c.tombstone)) report.tombstones++;
      let everywhere = true;
      copies.forEach((copy, j) => {
        const row = report.members[j]!;
        if (copy.present) row.holds++;
        else {
          everywhere = false;
          row.missing++;
          if (row.sample.length < options.sample) row.sample.push(hash(key));
        }
      });
      if (everywhere) report.everywhere++;
      const digests = new Set(copies.filter(c => c.present).map(c => c.digest));
      if (digests.size > 1) {
        report.differing.count++;
        if (report.differing.sample.length < options.sample) report.differing.sample.push(hash(key));
      }
    });
  });
  report.agree = report.differing.count === 0 && report.members.every(m => m.missing === 0);
  return report;
}

export function renderDiff(report: DiffReport): string {
  const table = renderTable(
    ['member', 'holds', 'missing', 'sample of missing'],
    report.members.map(m => [m.label, count(m.holds), count(m.missing), m.sample.join(' ')]),
    [false, true, true, false],
  );
  return [
    `prefix ${JSON.stringify(report.prefix)}: ${count(report.keys)} keys (${count(report.tombstones)} tombstones), ${count(report.everywhere)} on every member`,
    table,
    `differing bytes: ${count(report.differing.count)}${report.differing.sample.length ? `  sample: ${report.differing.sample.join(' ')}` : ''}`,
    report.agree ? 'the members agree' : 'the members differ',
  ].join('\n');
}
