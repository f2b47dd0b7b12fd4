// README quotes the committed benchmark results: the table between its bench markers is
// bench/results/latest.md, which is what bench/report.ts renders from bench/results/latest.json,
// and the chart README embeds is what bench/chart.ts draws from the same JSON.
// (The files come from a full `npm run bench`, then `node dist/bench/readme.js`.)
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderSvg } from '../bench/chart.js';
import { CHART, END, extractRegion, replaceRegion, START } from '../bench/readme-region.js';
import { renderMarkdown } from '../bench/report.js';
import type { BenchResults } from '../bench/results.js';

// Compiled to dist/test/: the repository root is two levels up.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const JSON_PATH = ROOT + 'bench/results/latest.json';
const MD_PATH = ROOT + 'bench/results/latest.md';
const SVG_PATH = ROOT + CHART;
const README = ROOT + 'README.md';
const HOW = 'run the full bench (`npm run bench`), then `node dist/bench/readme.js`, and commit README.md and bench/results/latest.*';

function read(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

test('README shows bench/results/latest.md between its bench markers', t => {
  const readme = read(README);
  const latest = read(MD_PATH);
  t.truthy(readme, `README.md is missing: ${HOW}`);
  t.truthy(latest, `bench/results/latest.md is missing: ${HOW}`);
  const region = extractRegion(readme ?? '');
  t.truthy(region !== undefined, `README.md has no ${START} … ${END} region: ${HOW}`);
  t.is(region, latest?.trim(), `README's bench table differs from bench/results/latest.md: ${HOW}`);
});

test('bench/results/latest.md is the table rendered from bench/results/latest.json', t => {
  const json = read(JSON_PATH);
  const latest = read(MD_PATH);
  t.truthy(json, `bench/results/latest.json is missing: ${HOW}`);
  t.truthy(latest, `bench/results/latest.md is missing: ${HOW}`);
  const results = JSON.parse(json ?? '{}') as BenchResults;
  t.is(latest?.trim(), renderMarkdown(results).trim(), 'latest.md was not generated from latest.json by bench/report.ts');
});

test('README embeds the chart, and bench/results/latest.svg is the one drawn from latest.json', t => {
  const json = read(JSON_PATH);
  const svg = read(SVG_PATH);
  t.truthy(json, `bench/results/latest.json is missing: ${HOW}`);
  t.truthy(svg, `${CHART} is missing: ${HOW}`);
  t.is(svg, renderSvg(JSON.parse(json ?? '{}') as BenchResults), 'latest.svg was not generated from latest.json by bench/chart.ts');
  t.true((read(README) ?? '').includes(`](${CHART})`), `README.md does not embed ${CHART}`);
});

test('the committed results come from a full run of every part on a clean tree', t => {
  const json = read(JSON_PATH);
  t.truthy(json, `bench/results/latest.json is missing: ${HOW}`);
  const results = JSON.parse(json ?? '{}') as BenchResults;
  t.is(results.mode, 'full', 'latest.json is not from a full run (it was run with --quick)');
  t.deepEqual([...(results.parts ?? [])].sort(), ['codec', 'e2e', 'pool'], 'latest.json lacks some parts of the bench');
  t.true(results.meta?.clean, `latest.json was measured on uncommitted changes: ${(results.meta?.dirty ?? []).join(', ')}`);
  t.regex(results.meta?.commit ?? '', /^[0-9a-f]{40}$/, 'latest.json does not name the commit it measured');
});

test('the README rewrite replaces only the region between the markers', t => {
  const before = `# expredis\n\nintro\n\n${START}\nold table\n${END}\n\n## After\n\nmore\n`;
  const after = replaceRegion(before, '| new | table |\n');
  t.is(extractRegion(after), '| new | table |');
  t.true(after.startsWith('# expredis\n\nintro\n\n'));
  t.true(after.endsWith(`${END}\n\n## After\n\nmore\n`));
  t.true(after.includes(`](${CHART})`), 'the chart is added next to the table when README lacks it');
  t.is(replaceRegion(after, '| new | table |\n'), after, 'a second rewrite with the same table changes nothing');
});

test('the README rewrite appends a Benchmarks section with markers and chart when there are none', t => {
  const after = replaceRegion('# expredis\n\nintro\n', '| t |');
  t.true(after.startsWith('# expredis\n\nintro\n\n## Benchmarks\n'));
  t.is(extractRegion(after), '| t |');
  t.true(after.indexOf(`](${CHART})`) < after.indexOf(START));
});
