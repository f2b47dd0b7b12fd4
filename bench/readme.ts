// `node dist/bench/readme.js` (npm run bench:readme): after a full `npm run bench`, writes
// docs/performance.md and README's five summary lines (between <!-- bench:summary:start --> and
// <!-- bench:summary:end -->) from bench/results/latest.json; the page also shows
// bench/results/encoder.json (npm run bench:encoder), scan.json (npm run bench:scan) and
// sync.json (npm run bench:sync) when those exist.
// `--check` (npm run check:bench) changes nothing and exits 1 unless the committed files agree:
// latest.md and latest.svg are what report.ts and chart.ts render from latest.json, the JSON is
// from a full run of every part on a clean tree, docs/performance.md (with its encoder, scan and
// sync sections) and README's summary are what this script writes, and README embeds the chart and
// links the page.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderSvg } from './chart.js';
import { ROOT } from './meta.js';
import { CHART, extractSummary, PERFORMANCE, renderPerformance, renderSummary, replaceSummary, SUMMARY_END, SUMMARY_START, type SideResults } from './readme-region.js';
import { renderMarkdown } from './report.js';
import type { BenchResults, EncoderResults, ScanResults, SyncResults } from './results.js';

const HOW = 'run the full bench (`npm run bench`; `npm run bench:encoder`, `npm run bench:scan` and `npm run bench:sync` for their sections), then `npm run bench:readme`, and commit README.md, docs/performance.md and bench/results/';

function read(path: string): string | undefined {
  const full = join(ROOT, path);
  return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
}

/** encoder.json, scan.json and sync.json, those that exist. */
function sideResults(): SideResults {
  const encoder = read('bench/results/encoder.json');
  const scan = read('bench/results/scan.json');
  const sync = read('bench/results/sync.json');
  return {
    ...(encoder === undefined ? {} : { encoder: JSON.parse(encoder) as EncoderResults }),
    ...(scan === undefined ? {} : { scan: JSON.parse(scan) as ScanResults }),
    ...(sync === undefined ? {} : { sync: JSON.parse(sync) as SyncResults }),
  };
}

/** Every way the committed files disagree with latest.json (empty when they agree). */
function problems(r: BenchResults, side: SideResults, readme: string): string[] {
  const out: string[] = [];
  if (read('bench/results/latest.md')?.trim() !== renderMarkdown(r).trim()) out.push('bench/results/latest.md was not rendered from latest.json by bench/report.ts');
  if (read(CHART) !== renderSvg(r)) out.push(`${CHART} was not drawn from latest.json by bench/chart.ts`);
  if (r.mode !== 'full') out.push('latest.json is not from a full run (it was run with --quick)');
  if ([...(r.parts ?? [])].sort().join(',') !== 'codec,e2e,pool') out.push('latest.json lacks some parts of the bench');
  if (!r.meta?.clean) out.push(`latest.json was measured on uncommitted changes: ${(r.meta?.dirty ?? []).join(', ')}`);
  if (read(PERFORMANCE) !== renderPerformance(r, side)) out.push(`${PERFORMANCE} is not what bench/readme.ts writes from latest.json, encoder.json, scan.json and sync.json`);
  const summary = extractSummary(readme);
  if (summary === undefined) out.push(`README.md has no ${SUMMARY_START} … ${SUMMARY_END} region`);
  else if (summary !== renderSummary(r).trim()) out.push("README.md's performance summary differs from latest.json");
  if (!readme.includes(`](${CHART})`)) out.push(`README.md does not embed ${CHART}`);
  if (!readme.includes(`](${PERFORMANCE})`)) out.push(`README.md does not link ${PERFORMANCE}`);
  return out;
}

function main(): number {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const unknown = args.filter(a => a !== '--check');
  if (unknown.length) {
    process.stderr.write(`readme: unknown argument(s) ${unknown.join(' ')}; usage: node dist/bench/readme.js [--check]\n`);
    return 2;
  }
  const json = read('bench/results/latest.json');
  const readme = read('README.md');
  if (json === undefined || readme === undefined) {
    process.stderr.write(`readme: ${json === undefined ? 'bench/results/latest.json' : 'README.md'} does not exist: ${HOW}\n`);
    return 1;
  }
  const results = JSON.parse(json) as BenchResults;
  const side = sideResults();
  if (check) {
    const found = problems(results, side, readme);
    for (const p of found) process.stderr.write(`check:bench: ${p}\n`);
    process.stdout.write(found.length ? `check:bench: ${found.length} problem(s): ${HOW}\n` : 'check:bench: the committed benchmark files agree with bench/results/\n');
    return found.length ? 1 : 0;
  }
  const page = join(ROOT, PERFORMANCE);
  mkdirSync(dirname(page), { recursive: true });
  writeFileSync(page, renderPerformance(results, side));
  const next = replaceSummary(readme, renderSummary(results));
  if (next !== readme) writeFileSync(join(ROOT, 'README.md'), next);
  process.stdout.write(`readme: wrote ${PERFORMANCE}${next !== readme ? ' and the summary in README.md' : ''}\n`);
  if (extractSummary(next) === undefined) process.stderr.write(`readme: README.md has no ${SUMMARY_START} … ${SUMMARY_END} region to fill\n`);
  return 0;
}

process.exitCode = main();
