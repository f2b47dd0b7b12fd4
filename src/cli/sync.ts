// `expredis sync --to URL`: copies every key under the prefix that the target lacks (sessions
// and tombstones) from a source that holds it, with its remaining TTL, never over a key the
// target has. Each copy reads value and PTTL in one script call on the source and writes with
// SET … PX ttl NX, so a key written on the target meanwhile (a live session, a logout) wins.
import { compareVersions } from '../codec/version.js';
import { sidHash } from '../errors.js';
import { ScanFailure, scanPages } from '../members/fan-out.js';
import type { Member } from '../members/member.js';
import { scanPattern } from '../keys.js';
import type { Held } from './probe.js';
import type { Progress } from './progress.js';
import { RateLimit } from './rate.js';
import { count } from './table.js';
import { asCliError, walk } from './walk.js';

// Value and remaining TTL in one round trip; false when the key is gone.
const READ_SCRIPT = "local v = redis.call('GET', KEYS[1]) if not v then return false end return {v, redis.call('PTTL', KEYS[1])}";

export interface SyncOptions {
  readonly prefix: string;
  readonly count: number;
  readonly dryRun: boolean;
  readonly rate: number;
  readonly sample: number;
  /** Aborted when the user asks to stop (SIGINT): no new page or copy is started. */
  readonly stop: AbortSignal;
}

export interface SyncReport {
  target: string;
  prefix: string;
  dryRun: boolean;
  /** Keys seen on the sources' pages. */
  scanned: number;
  /** Keys the target lacked, copied onto it (dry run: that would be). */
  copied: number;
  /** Of those, tombstones. */
  tombstones: number;
  /** Keys the target already had (left as they were), including those written there meanwhile. */
  present: number;
  /** Keys that expired or were deleted on the source before they could be copied. */
  expired: number;
  /** Hashed ids of some keys copied (or, in a dry run, that would be). */
  sample: string[];
  interrupted: boolean;
  seconds: number;
}

/** Keys under the prefix on each source: the progress bar's total (one SCAN pass, no values). */
export async function countSourceKeys(sources: readonly Member[], prefix: string, scanCount: number): Promise<number> {
  const counts = await Promise.all(
    sources.map(async member => {
      let n = 0;
      try {
        for await (const page of scanPages(member, scanPattern(prefix), scanCount)) n += page.length;
      } catch (error) {
        throw asCliError(error);
      }
      return n;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/** The source to copy from: a tombstone if any holds one (a logout must stick), else the newest write. */
function pickSource(copies: readonly Held[]): number {
  let best = -1;
  copies.forEach((copy, j) => {
    if (!copy.present) return;
    const current = copies[best];
    if (!current || (copy.tombstone && !current.tombstone) || (copy.tombstone === current.tombstone && compareVersions(copy.version, current.version) > 0)) best = j;
  });
  return best;
}

type Copied = 'copied' | 'present' | 'expired';

async function copyKey(source: Member, target: Member, key: string): Promise<Copied> {
  const read = await source.call(['EVAL', READ_SCRIPT, '1', key]);
  if (!read.ok) throw new ScanFailure(source, read.error);
  if (!read.reply) return 'expired';
  const [value, pttl] = read.reply as [Buffer, number];
  const ttl = Number(pttl);
  if (ttl !== -1 && ttl <= 0) return 'expired';
  const args: (string | Buffer)[] = ['SET', key, value, ...(ttl === -1 ? [] : ['PX', String(ttl)]), 'NX'];
  const write = await target.call(args, false);
  if (!write.ok) throw new ScanFailure(target, write.error);
  return write.reply === null ? 'present' : 'copied';
}

export async function sync(sources: readonly Member[], target: Member, options: SyncOptions, progress: Progress | undefined): Promise<SyncReport> {
  const started = performance.now();
  const report: SyncReport = {
    target: target.label,
    prefix: options.prefix,
    dryRun: options.dryRun,
    scanned: 0,
    copied: 0,
    tombstones: 0,
    present: 0,
    expired: 0,
    sample: [],
    interrupted: false,
    seconds: 0,
  };
  const limit = new RateLimit(options.rate, options.stop);
  const t = sources.length; // the target's index in page.held
  const hash = (key: string) => sidHash(key.slice(options.prefix.length));
  // For the progress bar: keys dealt with, each counted once its outcome is known.
  const counts = { done: 0, copied: 0 };
  const show = () => {
    counts.copied = report.copied;
    progress?.update(counts);
  };
  await walk(sources, [target], { prefix: options.prefix, count: options.count, digest: false, pagesInFlight: 4, stopped: () => options.stop.aborted }, async page => {
    report.scanned += page.scanned;
    counts.done += page.scanned - page.keys.length; // decided on another source's page
    const copies: Promise<void>[] = [];
    page.keys.forEach((key, k) => {
      if (page.held[t]![k]!.present || page.held[t]![k]!.otherType) {
        report.present++;
        counts.done++;
        return;
      }
      const from = pickSource(page.held.slice(0, t).map(h => h[k]!));
      const tombstone = page.held[from]![k]!.tombstone;
      const done = () => {
        report.copied++;
        if (tombstone) report.tombstones++;
        if (report.sample.length < options.sample) report.sample.push(hash(key));
      };
      if (options.dryRun) {
        counts.done++;
        return done();
      }
      const slot = limit.take();
      copies.push(
        (async () => {
          if (slot) await slot;
          if (options.stop.aborted) return;
          const result = await copyKey(sources[from]!, target, key);
          if (result === 'copied') done();
          else report[result]++;
          counts.done++;
          show();
        })(),
      );
    });
    // Every copy settles before the page does; the first failure is the page's.
    const settled = await Promise.allSettled(copies);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    show();
    if (failed) throw failed.reason;
  });
  report.interrupted = options.stop.aborted;
  report.seconds = Math.round((performance.now() - started) / 100) / 10;
  return report;
}

export function renderSync(r: SyncReport): string {
  const rate = r.seconds > 0 ? `, ${count(Math.round(r.scanned / r.seconds))} keys/s` : '';
  const what = r.dryRun ? 'would copy' : 'copied';
  return [
    `${r.interrupted ? 'interrupted: ' : ''}sync to ${r.target}, prefix ${JSON.stringify(r.prefix)}${r.dryRun ? ' (dry run: nothing written)' : ''}`,
    `${count(r.scanned)} keys scanned, ${what} ${count(r.copied)} (${count(r.tombstones)} tombstones), ${count(r.present)} already there, ${count(r.expired)} expired meanwhile, ${r.seconds.toFixed(1)} s${rate}`,
    ...(r.sample.length ? [`sample ${r.dryRun ? 'to copy' : 'copied'}: ${r.sample.join(' ')}`] : []),
    ...(r.interrupted ? ['run the same command again to copy the rest'] : []),
  ].join('\n');
}
