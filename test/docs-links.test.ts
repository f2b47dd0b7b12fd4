// Every link in the documentation resolves: a relative link names a file that exists, and an
// #anchor names a heading of the target page by the slug GitHub generates for it. External
// http(s) links are only checked for syntax (the tests use no network).
import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiled to dist/test/: the repository root is two levels up.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCS = [
  'README.md',
  'CONTRIBUTING.md',
  'examples/demo/README.md',
  ...readdirSync(join(ROOT, 'docs')).filter(name => name.endsWith('.md')).map(name => `docs/${name}`),
];

/** The text outside fenced code blocks, and without inline code spans and HTML comments. */
function prose(markdown: string): string[] {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.replace(/<!--[\s\S]*?-->/g, '').split('\n')) {
    const marker = /^\s*(```|~~~)/.exec(line)?.[1];
    if (marker && (fence === undefined || fence === marker)) {
      fence = fence === undefined ? marker : undefined;
      continue;
    }
    if (fence === undefined) lines.push(line);
  }
  return lines;
}

/** GitHub's heading anchor: the rendered text, lower-cased, punctuation dropped, spaces → '-'. */
function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .replace(/(\*\*|__|\*)/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Every anchor a page offers, with GitHub's -1, -2 … for repeated headings. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Link targets: inline links and images, reference definitions, autolinks. */
function links(markdown: string): string[] {
  const out: string[] = [];
  for (const line of prose(markdown)) {
    const text = line.replace(/`[^`]*`/g, '');
    for (const m of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push(m[1]!);
    for (const m of text.matchAll(/<(https?:\/\/[^>\s]+)>/g)) out.push(m[1]!);
    const ref = /^\s*\[[^\]]+\]:\s*(\S+)/.exec(text);
    if (ref) out.push(ref[1]!);
  }
  return out;
}

/** What is wrong with `target` as a link from `page`, or undefined when it resolves. */
function broken(page: string, target: string, read: (path: string) => string | undefined): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
    if (target.startsWith('mailto:')) return undefined;
    if (!/^https?:\/\//.test(target)) return 'an external link that is not http(s)';
    try {
      const url = new URL(target);
      return url.hostname.includes('.') ? undefined : 'an http(s) link without a host name';
    } catch {
      return 'a malformed URL';
    }
  }
  const [path = '', anchor] = target.split('#', 2);
  const file = path === '' ? page : join(dirname(page), decodeURIComponent(path));
  if (relative(ROOT, join(ROOT, file)).startsWith('..')) return 'a path outside the repository';
  if (path !== '' && !existsSync(join(ROOT, file))) return `${file} does not exist`;
  if (anchor === undefined) return undefined;
  if (!file.endsWith('.md')) return `an anchor into ${file}, which is not a Markdown page`;
  const markdown = read(file);
  if (markdown === undefined) return `${file} cannot be read`;
  return anchors(markdown).has(anchor) ? undefined : `${file} has no heading whose anchor is #${anchor}`;
}

function readDoc(path: string): string | undefined {
  const full = join(ROOT, path);
  return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
}

for (const page of DOCS) {
  test(`every link in ${page} resolves`, t => {
    const markdown = readDoc(page);
    t.truthy(markdown, `${page} is missing`);
    const targets = links(markdown ?? '');
    const problems = targets.flatMap(target => {
      const why = broken(page, target, readDoc);
      return why ? [`${target}: ${why}`] : [];
    });
    t.deepEqual(problems, [], `${page}: ${problems.length} broken link(s)`);
  });
}

test('the README and every docs page link to one another as the README promises', t => {
  const readme = readDoc('README.md') ?? '';
  for (const page of DOCS.filter(p => p.startsWith('docs/'))) t.true(readme.includes(`](${page}`), `README.md links ${page}`);
  t.true(readme.includes('](CONTRIBUTING.md)'), 'README.md links CONTRIBUTING.md');
});

test('the checker finds a missing file, a missing anchor and a malformed URL, and accepts GitHub slugs', t => {
  const pages: Record<string, string> = { 'docs/behaviour.md': '# A page\n\n## `offload: \'auto\'` (per set+get)\n\n## Repeated\n\n## Repeated\n' };
  const read = (path: string) => pages[path];
  t.is(slug("`offload: 'auto'` against `'never'` (main-thread ms per set+get)"), 'offload-auto-against-never-main-thread-ms-per-setget');
  t.is(slug("express-session's bypass"), 'express-sessions-bypass');
  t.is(broken('README.md', 'docs/no-such-page.md', read), 'docs/no-such-page.md does not exist');
  t.is(broken('README.md', 'docs/behaviour.md#no-such-heading', read), 'docs/behaviour.md has no heading whose anchor is #no-such-heading');
  t.is(broken('docs/operations.md', 'behaviour.md#repeated-1', read), undefined);
  t.is(broken('README.md', 'http//example.com', read), 'http/example.com does not exist');
  t.is(broken('README.md', 'https://exa mple', read), 'a malformed URL');
  t.is(broken('README.md', 'https://github.com/expressjs/session', read), undefined);
  t.deepEqual([...anchors(pages['docs/behaviour.md']!)], ['a-page', 'offload-auto-per-setget', 'repeated', 'repeated-1']);
  t.deepEqual(links('See [x](a.md#b) and ![c](d.svg "t"), `[not](a link)`, <https://e.org/f>.\n```\n[no](code)\n```\n'), ['a.md#b', 'd.svg', 'https://e.org/f']);
});
