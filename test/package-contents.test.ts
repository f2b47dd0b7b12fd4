// What `npm publish` would ship: exactly the compiled library (dist/src, dist/worker, the expredis command in dist/src/cli) with its
// declarations, README.md, LICENSE, CHANGELOG.md and package.json. No tests, benchmarks or demo,
// no source maps (their sources are not shipped), and no stale output of a deleted source file.
import test from 'ava';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Tests run from dist/test/, so the repository root is two levels up.
const root = fileURLToPath(new URL('../../', import.meta.url));
const TOP_LEVEL = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'];

interface PackResult {
  files: { path: string }[];
}

/** `npm pack --dry-run --json` from the root; scripts off, so it packs what the build left. */
const packed: Promise<string[]> = new Promise((resolve, reject) => {
  execFile('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, timeout: 30_000 }, (error, stdout) => {
    if (error) return reject(error);
    const [result] = JSON.parse(stdout) as PackResult[];
    resolve(result!.files.map(file => file.path).sort());
  });
});

/** Every file under `dir` (relative to the root), recursively. */
function sourcesUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter(entry => entry.isFile())
    .map(entry => join(entry.parentPath, entry.name).slice(root.length));
}

/** What tsc emits for one source file into dist/: the module and its declarations. */
function compiled(source: string): string[] {
  const cjs = source.endsWith('.cts');
  const base = `dist/${source.replace(/\.c?ts$/, '')}`;
  return cjs ? [`${base}.cjs`, `${base}.d.cts`] : [`${base}.js`, `${base}.d.ts`];
}

test('the tarball holds exactly package.json, README.md, LICENSE, CHANGELOG.md and the compiled src/ and worker/', async t => {
  const expected = [...TOP_LEVEL, ...[...sourcesUnder('src'), ...sourcesUnder('worker')].flatMap(compiled)].sort();
  t.deepEqual(await packed, expected);
});

test('the tarball has no tests, benchmarks, demo or source maps', async t => {
  const stray = (await packed).filter(path => /^dist\/(test|bench|examples)\/|\.map$/.test(path));
  t.deepEqual(stray, []);
});

test('every entry point package.json names is shipped, each module with its declarations', async t => {
  const files = new Set(await packed);
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    main: string;
    types: string;
    exports: Record<string, string | Record<string, Record<string, string>>>;
    bin: Record<string, string>;
  };
  const targets = [manifest.main, manifest.types];
  for (const entry of Object.values(manifest.exports)) {
    if (typeof entry === 'string') targets.push(entry);
    else for (const conditions of Object.values(entry)) targets.push(...Object.values(conditions));
  }
  targets.push('./dist/worker/codec.js'); // the file piscina's threads load
  targets.push(...Object.values(manifest.bin)); // the expredis command
  for (const target of targets) t.true(files.has(target.replace(/^\.\//, '')), target);
  for (const path of files) {
    if (path.endsWith('.js')) t.true(files.has(path.replace(/\.js$/, '.d.ts')), `${path} has its .d.ts`);
    if (path.endsWith('.cjs')) t.true(files.has(path.replace(/\.cjs$/, '.d.cts')), `${path} has its .d.cts`);
  }
});

test('LICENSE is the MIT licence that package.json declares', t => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { license: string };
  t.is(manifest.license, 'MIT');
  t.regex(readFileSync(join(root, 'LICENSE'), 'utf8'), /^MIT License\n\nCopyright \(c\) \d{4} expredis contributors\n/);
});

test('the CommonJS declarations name every type and class the ESM entry exports', t => {
  const esm = readFileSync(join(root, 'src/index.ts'), 'utf8');
  const cjs = readFileSync(join(root, 'src/index.cts'), 'utf8');
  const esmNames = new Set<string>();
  for (const m of esm.matchAll(/export (?:type )?\{([^}]*)\}/g)) {
    for (const item of m[1]!.split(',')) {
      const name = item.trim().split(/\s+as\s+/).pop()!.trim();
      if (name && name !== "'module.exports'" && name !== 'expredis') esmNames.add(name);
    }
  }
  const cjsNames = new Set([...cjs.matchAll(/export type (\w+)/g)].map(m => m[1]!));
  t.deepEqual([...esmNames].filter(name => !cjsNames.has(name)).sort(), []);
});

test('the expredis command is a node script with a shebang, executable after the build', t => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  t.deepEqual(Object.keys(manifest.bin), ['expredis']);
  const path = join(root, manifest.bin.expredis!);
  t.true(readFileSync(path, 'utf8').startsWith('#!/usr/bin/env node\n'));
  t.true((statSync(path).mode & 0o111) !== 0, `${manifest.bin.expredis} is executable`);
});
