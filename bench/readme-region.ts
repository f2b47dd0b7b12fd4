// What the committed benchmark results become in the documentation: docs/performance.md (the
// whole file) and the five summary lines README shows between two markers. Pure functions of
// bench/results/latest.json (and, for three sections of the page, encoder.json, scan.json and sync.json), so
// `npm run check:bench` can regenerate both and compare.
import { ratio, renderMarkdown } from './report.js';
import type { BenchResults, CodecPoint, EncoderResults, Meta, ScanOperation, ScanResults, SyncResults } from './results.js';
import { pairedRatio } from './stats.js';

export const SUMMARY_START = '<!-- bench:summary:start -->';
export const SUMMARY_END = '<!-- bench:summary:end -->';
/** The chart, as a path from the repository root. */
export const CHART = 'bench/results/latest.svg';
export const PERFORMANCE = 'docs/performance.md';
const CHART_ALT = 'main-thread time per set+get against session size, expredis vs connect-redis';

function x(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${v.toFixed(2)}×`;
}

function point(r: BenchResults, id: string): CodecPoint | undefined {
  return r.codec?.points.find(p => p.id === id);
}

function e2e(r: BenchResults, caseId: string): number | null {
  const c = r.e2e?.cases.find(k => k.id === caseId);
  const app = (id: string | undefined) => r.e2e?.apps.find(a => a.id === id)?.rps;
  return pairedRatio(app(c?.app), app(c?.baseline));
}

/** Five lines: what the numbers say, for README and the top of docs/performance.md. */
export function renderSummary(r: BenchResults): string {
  const cart = point(r, 'cart');
  const small = point(r, 'small');
  const pool = r.pool;
  return [
    `- **Heavy sessions: use \`'msgpack'\`.** For a 174 KB cart, one \`set\` + \`get\` costs the main thread ${x(ratio(cart, 'msgpack-auto', 'main'))} of connect-redis's, although expredis writes to and reads from two members and connect-redis one.`,
    `- **Small sessions cost about what connect-redis's do.** A 1 KB session with the defaults: ${x(ratio(small, 'json-auto', 'main'))} of its main-thread time, ${x(ratio(small, 'json-auto', 'wall'))} of its wall time.`,
    `- **Large sessions in JSON** stay near connect-redis (${x(ratio(cart, 'json-auto', 'main'))} for the cart): every member's reply is a full copy of the value.`,
    `- **End to end** (Express + express-session under autocannon): ${x(e2e(r, 'cart-msgpack'))} connect-redis's requests per second for the cart with msgpack, ${x(e2e(r, 'small-default'))} for a small session with the defaults.`,
    pool
      ? `- **A worker round trip** takes ${pool.backToBack.p50.median.toFixed(1)} µs (p50) back to back and ${pool.afterIdle.p50.median.toFixed(1)} µs after ${pool.idleGapMs} ms idle, which is why small sessions never go to the pool.`
      : '- **A worker round trip** was not measured in this run.',
  ].join('\n');
}

/** README's summary region: the five lines between the markers (trimmed), or undefined. */
export function extractSummary(readme: string): string | undefined {
  const start = readme.indexOf(SUMMARY_START);
  const end = readme.indexOf(SUMMARY_END);
  if (start < 0 || end < 0 || end < start) return undefined;
  return readme.slice(start + SUMMARY_START.length, end).trim();
}

/** README with its summary region replaced; unchanged when it has no markers. */
export function replaceSummary(readme: string, summary: string): string {
  const start = readme.indexOf(SUMMARY_START);
  const end = readme.indexOf(SUMMARY_END);
  if (start < 0 || end < start) return readme;
  return readme.slice(0, start) + `${SUMMARY_START}\n${summary.trim()}\n` + readme.slice(end);
}

const METHOD = `## Method

\`npm run bench\` starts its own \`redis-server\` processes and measures, side by side with
connect-redis 9 (node-redis) on one member, expredis on **two** members:

- **Store level.** Each pipeline runs \`set\` then \`get\` of the same session (two session ids,
  alternating), one pair at a time, over a grid of session shapes (object-heavy, string-heavy,
  binary, a shopping cart, a small session) and sizes (1 KB to 1 MB). The sessions are real
  express-session \`Session\` objects holding a real \`Cookie\`. Per pair it records the main
  thread's busy time (event-loop utilisation), its CPU time (Linux schedstat), the whole process's
  CPU time (so work moved to worker threads stays visible), wall time, and the bytes each member
  stores.
- **End to end.** An Express + express-session app per store, each in its own process, under
  autocannon with logged-in users; requests per second, latency, event-loop delay and CPU per
  request.
- **Worker round trip.** The store's pool with a tiny encode task, back to back and after the
  pool sat idle.

Every figure is the median of several runs (the cart and the small session get more and longer
runs, after a longer warm-up). The pipelines take turns within each run in a shuffled order, and
every ratio is the median of the ratios measured within one run, which spares it the drift of a
shared machine between runs. On a small shared machine one run of a pipeline can still move by a
third of its median: the spread line under the first table says how much it moved here. Treat
differences of 10% or less as noise.

To reproduce: \`npm run bench\` (a few minutes; \`npm run bench -- --quick\` for a rough run), then
\`npm run bench:readme\` to regenerate this page and README's summary from
\`bench/results/latest.json\`.`;

/** Where the main thread's time goes, from CPU profiles of steady loops (self time). Fixed text:
 * profiles are taken by hand, with the commands it names. */
const PROFILES = `## Where the main thread's time goes

CPU profiles of steady \`set\` + \`get\` loops (\`node dist/bench/ab-reads.js --point small|cart
--profile ID\`, self time, main thread), and of the end-to-end apps (\`--cpu-prof\`):

- **Small sessions.** Most of a pair is the kernel work of sending each command: on loopback a
  write also does the receiver's TCP work. connect-redis sends two commands per pair; expredis on
  two members sends three with \`reads: 'hedged'\` (SET to both, GET to one) and four with
  \`'all'\`. Bare node-redis doing just that, with no store at all, already costs 0.83× (one member)
  and 0.88× (SET on two, GET on one) of connect-redis's pair, against 1.06× for expredis with
  \`'all'\` and 1.08× with \`'hedged'\` measured the same way (main-thread CPU; the tables above use
  event-loop utilisation).
- **The cart with msgpack** (0.53× of connect-redis with \`'hedged'\`, main-thread CPU): the
  encoder is about 41% of the pair (string and object writes), checking that the decoded value is
  JSON data 9%, msgpackr's decode 4%, socket writes 5%, garbage collection 5%. connect-redis spends
  its time in \`JSON.stringify\` and \`JSON.parse\` (60%) and in turning the reply into a string (9%).
- **The cart with JSON**: \`JSON.stringify\` and \`JSON.parse\` of the whole session, as for
  connect-redis; a store cannot do less than one of each.
- **End to end**: express-session itself hashes the whole session (a \`JSON.stringify\` and a SHA-1)
  up to three times a request, 38–40% of the app's main thread with the cart, against 3–6% for the
  store; skipping touches and the second member's read saves a small share of a request.

`;

/** Section title → what the page shows instead (null: left out, it is about the bench's own checks). */
function section(title: string): string | null {
  if (title.startsWith('Targets')) return null;
  if (title.startsWith("`offload: 'auto'`")) return "`offload: 'auto'` against `'never'` and `'always'` (main-thread ms per set+get)";
  return title;
}

/** The tables of bench/report.ts, without the bench's own pass/fail bookkeeping. */
function tables(r: BenchResults): string {
  const md = renderMarkdown(r);
  const parts = md.split(/^#### /m).slice(1);
  const out: string[] = [];
  for (const part of parts) {
    const [first, ...rest] = part.split('\n');
    const title = section(first ?? '');
    if (title === null) continue;
    let body = rest;
    if (title !== first) {
      // The auto table: drop its pass/fail column and the count of those under it.
      body = rest
        .map(line => (line.startsWith('|') ? line.replace(/\|[^|]*\|$/, '|') : line))
        .filter(line => !line.startsWith('auto check:'));
      body.push(
        "\"cheaper\" is the side with the lower median; \"auto did\" counts the encodes and decodes `'auto'` ran inline and in the pool during the measured runs. Where the two sides are within about 10% of each other, either choice is as good.",
        '',
      );
    }
    out.push(`### ${title}`, ...body);
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** Where and how a side bench ran: one sentence. */
function ranOn(m: Meta, command: string): string {
  return `Measured ${m.date.slice(0, 10)} with \`${command}\` (${m.seconds} s) on ${m.cpu}, ${m.cores} cores, Node ${m.node}, redis-server ${m.redis}; load average at start ${m.loadStart?.join(' / ') ?? '?'}.`;
}

function table(rows: string[][], right: boolean[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(3, ...rows.map(row => row[c]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => (right[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (right[c] ? `${'-'.repeat(w + 1)}:` : `:${'-'.repeat(w + 1)}`)).join('|')}|`;
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)];
}

/** The section on which msgpack encoder the store keeps, from bench/results/encoder.json. */
export function renderEncoder(e: EncoderResults): string {
  const us = (v: number) => `${v.toFixed(0)} µs`;
  const cheaper = Math.round((1 - e.ratio) * 100);
  const d = e.decodeCheck;
  return [
    '## msgpack encoder',
    '',
    "`serializer: 'msgpack'` can encode a session with a fused encoder, which applies JSON's rules and writes msgpack in one walk of the session, or with msgpackr's `Packr` (records on) over the tree `JSON.parse(JSON.stringify(session))` gives.",
    `The fused encoder is kept only if one \`set\` + \`get\` of the ${Math.round(e.session.jsonBytes / 1024)} KB cart session costs the main thread at least ${Math.round(e.keepFusedIfCheaperBy * 100)}% less with it than with \`Packr\`.`,
    '',
    ...table(
      [
        ['per cart session (median)', 'fused', 'Packr', 'fused ÷ Packr'],
        [`${e.clock} per set+get (two members)`, `${e.median.setGetMs.fused.toFixed(3)} ms`, `${e.median.setGetMs.packr.toFixed(3)} ms`, x(e.ratio)],
        ['encode alone', us(e.median.encodeUs.fused), us(e.median.encodeUs.packr), x(e.encodeRatio)],
        ['bytes stored', String(e.session.storedBytes.fused), String(e.session.storedBytes.packr), ''],
      ],
      [false, true, true, true],
    ),
    '',
    `${e.rounds} rounds of ${e.ops} \`set\` + \`get\` per encoder, taking turns within each round; each ratio is the median of the ratios of the rounds. ` +
      (e.decision === 'fused'
        ? `The fused encoder is ${cheaper}% cheaper, so the store keeps it.`
        : `The fused encoder is ${cheaper < 0 ? `${-cheaper}% dearer` : `only ${cheaper}% cheaper`}, short of ${Math.round(e.keepFusedIfCheaperBy * 100)}%, so \`Packr\` is the one to keep.`),
    '',
    `Decoding checks that what it read is JSON data. On the cart: msgpack unpack ${us(d.msgpack.unpackUs)}, ${us(d.msgpack.checkedUs)} with the type check (+${us(d.msgpack.checkedUs - d.msgpack.unpackUs)}); \`JSON.parse\` ${us(d.json.parseUs)}, ${us(d.json.checkedUs)} with the depth check (+${us(d.json.checkedUs - d.json.parseUs)}).`,
    '',
    `${ranOn(e.meta, e.command)} To reproduce: \`npm run bench:encoder\` (writes \`bench/results/encoder.json\`), then \`npm run bench:readme\`.`,
  ].join('\n');
}

const SCAN_OPERATIONS: readonly ScanOperation[] = ['length', 'ids', 'clear'];

/** The section on length(), ids() and clear() over 100,000 sessions, from bench/results/scan.json. */
export function renderScan(s: ScanResults): string {
  const ours = s.results.find(r => r.label.startsWith('expredis'));
  const theirs = s.results.find(r => r.label.startsWith('connect-redis'));
  const count = s.sessionsPerMember.toLocaleString('en-US');
  const rows = [['operation', 'expredis ms', 'expredis heap', 'connect-redis ms', 'connect-redis heap', 'time ratio']];
  for (const op of SCAN_OPERATIONS) {
    const a = ours?.operations[op];
    const b = theirs?.operations[op];
    const mib = (v: number | undefined) => (v === undefined ? '–' : `${v.toFixed(1)} MiB`);
    rows.push([`\`${op}()\``, a ? a.ms.toFixed(0) : '–', mib(a?.heapMiB), b ? b.ms.toFixed(0) : '–', mib(b?.heapMiB), x(s.ratios[op]?.time)]);
  }
  return [
    `## Scanning ${count} sessions`,
    '',
    `\`length()\`, \`ids()\` and \`clear()\` with ${count} sessions on each member: expredis on two members, connect-redis on one. Time is wall ms, heap is the peak of \`heapUsed\` above its value before the operation (after a gc); each figure is the median of ${s.runs} runs, and the ratio is expredis ÷ connect-redis.`,
    '',
    ...table(rows, [false, true, true, true, true, true]),
    '',
    "`length()` and `ids()` cost more because connect-redis only lists the keys of its one server, while expredis also reads the header of every key on every member, to leave out tombstones (destroyed sessions) and to decide a session held by several members once, by its newest copy. `clear()` reads no values on either side: each deletes every page of keys its SCAN returns (expredis on both members at once).",
    '',
    `${ranOn(s.meta, s.command)} To reproduce: \`npm run bench:scan\` (writes \`bench/results/scan.json\`), then \`npm run bench:readme\`.`,
  ].join('\n');
}

/** The section on `expredis sync` of 100,000 sessions, from bench/results/sync.json. */
export function renderSync(s: SyncResults): string {
  const count = s.sessions.toLocaleString('en-US');
  const row = (what: string, f: SyncResults['copy']) => [what, `${(f.ms / 1000).toFixed(1)} s`, f.keysPerSecond.toLocaleString('en-US'), `${f.peakRssMiB.toFixed(0)} MiB`, `${f.peakHeapMiB.toFixed(0)} MiB`];
  return [
    `## \`expredis sync\` of ${count} sessions`,
    '',
    `[\`expredis sync\`](cli.md#expredis-sync) from one member holding ${count} sessions of ${s.valueBytes.toLocaleString('en-US')} bytes (TTLs of one to two hours) onto an empty server, then again onto the now full server, which copies nothing and checks every key. Time is the whole command's wall time, from process start to exit; the peaks are the command's own process (RSS from getrusage, heap sampled every 20 ms). Each figure is the median of ${s.runs} runs, with no \`--rate\` limit.`,
    '',
    ...table([['run', 'wall time', 'keys/s', 'peak RSS', 'peak heap'], row('copy onto an empty server', s.copy), row('again, nothing to copy', s.recheck)], [false, true, true, true, true]),
    '',
    'The command holds a few SCAN pages of keys at a time (500 keys a page by default, four pages in flight per source), so its memory depends on the page size rather than on the number of sessions; each copy reads one value and its TTL right before writing it. The figures move with the load of the machine: the load average below says how busy it was.',
    '',
    `${ranOn(s.meta, s.command)} To reproduce: \`npm run bench:sync\` (writes \`bench/results/sync.json\`), then \`npm run bench:readme\`.`,
  ].join('\n');
}

/** The side benches' results, when their files exist. */
export interface SideResults {
  encoder?: EncoderResults;
  scan?: ScanResults;
  sync?: SyncResults;
}

/** docs/performance.md, whole. */
export function renderPerformance(r: BenchResults, side: SideResults = {}): string {
  const m = r.meta;
  return [
    '<!-- Generated by `npm run bench:readme` from bench/results/latest.json and bench/readme-region.ts: edit those, not this file. -->',
    '# Performance',
    '',
    'expredis runs on **two** members, connect-redis on one; every ratio is expredis ÷ connect-redis measured in the same run (below 1× is better).',
    '',
    renderSummary(r),
    '',
    `![${CHART_ALT}](../${CHART})`,
    '',
    METHOD,
    '',
    PROFILES.trim(),
    '',
    '## Machine',
    '',
    `- ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}`,
    `- Node ${m.node}, redis-server ${m.redis}${m.foreignRedis ? ' (servers named with --redis-urls)' : ' (started by the bench)'}`,
    `- ${m.date.slice(0, 10)}, ${m.seconds} s, \`${r.command}\` (${r.mode} run${r.parts.length < 3 ? `, parts: ${r.parts.join(', ')}` : ''})`,
    `- load average (1/5/15 min) at start ${m.loadStart?.join(' / ') ?? '?'}, at end ${m.loadEnd?.join(' / ') ?? '?'}`,
    '',
    '## Results',
    '',
    tables(r),
    '',
    ...(side.encoder ? [renderEncoder(side.encoder), ''] : []),
    ...(side.scan ? [renderScan(side.scan), ''] : []),
    ...(side.sync ? [renderSync(side.sync), ''] : []),
  ].join('\n');
}
