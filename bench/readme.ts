// `node dist/bench/readme.js [--create]`: copies bench/results/latest.md into README.md between
// <!-- bench:table:start --> and <!-- bench:table:end --> (appending a "Benchmarks" section with
// the markers and the chart when README has none). Without README.md it only writes one when
// given --create. `--check` changes nothing and exits 1 when README is out of date.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './meta.js';
import { extractRegion, replaceRegion } from './readme-region.js';

function main(): number {
  const args = process.argv.slice(2);
  const create = args.includes('--create');
  const check = args.includes('--check');
  const unknown = args.filter(a => a !== '--create' && a !== '--check');
  if (unknown.length) {
    process.stderr.write(`readme: unknown argument(s) ${unknown.join(' ')}; usage: node dist/bench/readme.js [--create] [--check]\n`);
    return 2;
  }
  const latest = join(ROOT, 'bench', 'results', 'latest.md');
  const readmePath = join(ROOT, 'README.md');
  if (!existsSync(latest)) {
    process.stderr.write(`readme: ${latest} does not exist: run the full bench first (npm run bench)\n`);
    return 1;
  }
  const table = readFileSync(latest, 'utf8');
  if (!existsSync(readmePath) && !create) {
    process.stderr.write('readme: README.md does not exist; run with --create to write one holding only the Benchmarks section\n');
    return 1;
  }
  const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : '';
  if (check) {
    const ok = extractRegion(readme) === table.trim();
    process.stdout.write(ok ? 'readme: README.md shows bench/results/latest.md\n' : 'readme: README.md is out of date (or has no bench markers)\n');
    return ok ? 0 : 1;
  }
  const next = replaceRegion(readme, table);
  if (next === readme) {
    process.stdout.write('readme: README.md already shows bench/results/latest.md\n');
    return 0;
  }
  writeFileSync(readmePath, next);
  process.stdout.write(`readme: ${extractRegion(readme) === undefined ? 'added a Benchmarks section to' : 'updated the table in'} README.md\n`);
  return 0;
}

process.exitCode = main();
