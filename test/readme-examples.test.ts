// The README's code examples run as a user would run them, so they cannot rot. Each runnable block
// is a fenced `js` block after a `<!-- example: <name> … -->` comment. The test writes it to a
// temporary `.js` file inside the repository (so `import 'expredis'` resolves to this package by
// its own name, as in test/package.test.ts) and runs it with node in a child process, against two
// local redis-servers. The only edits, made in plain sight by `localise`: the example's
// `redis://10.0.0.1:6379` and `redis://10.0.0.2:6379` become those servers' URLs, port 3000 a
// free port, and a few lines are appended where the test needs to observe something.
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileServers } from './helpers/file-servers.js';
import { freePort, type RedisServer } from './helpers/redis-server.js';
import { directClient, eventually } from './helpers/store.js';

// Compiled to dist/test/: the repository root is two levels up.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const HOSTS = ['redis://10.0.0.1:6379', 'redis://10.0.0.2:6379'];

const servers = fileServers(2);
mkdirSync(join(ROOT, '.tmp'), { recursive: true });
const dir = mkdtempSync(join(ROOT, '.tmp', 'readme-examples-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

/** The fenced `js` block after `<!-- example: <name>`; fails the test when there is none. */
function example(name: string): string {
  const match = new RegExp(`<!-- example: ${name}\\b[\\s\\S]*?-->\\s*\`\`\`js\\n([\\s\\S]*?)\`\`\``).exec(README);
  if (!match) throw new Error(`README.md has no \`\`\`js block marked <!-- example: ${name} -->`);
  return match[1]!;
}

/** The example with the members' hosts (and port 3000) replaced; each must occur in it. */
function localise(code: string, members: RedisServer[], port?: number): string {
  let out = code;
  const swaps = HOSTS.flatMap((host, i): [string, string][] => (code.includes(host) ? [[host, members[i]!.url]] : []));
  if (port !== undefined) swaps.push(['3000', String(port)]);
  for (const [from, to] of swaps) {
    if (!out.includes(from)) throw new Error(`the example no longer contains ${from}`);
    out = out.replaceAll(from, to);
  }
  if (swaps.length === 0) throw new Error('the example names none of the hosts the test replaces');
  return out;
}

interface Run {
  child: ChildProcess;
  output(): string;
  /** Resolves with the output once it matches `pattern`; rejects if the process ends first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code and the whole output. */
  exited: Promise<{ code: number | null; output: string }>;
}

function run(name: string, code: string): Run {
  const file = join(dir, `${name}.js`);
  writeFileSync(file, code);
  const child = spawn(process.execPath, [file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<{ code: number | null; output: string }>(resolve => child.on('close', code => resolve({ code, output })));
  return {
    child,
    output: () => output,
    exited,
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${output}`)), timeoutMs);
        const check = () => pattern.test(output) && finish();
        const finish = (error?: Error) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve(output);
        };
        listeners.add(check);
        void exited.then(() => finish(pattern.test(output) ? undefined : new Error(`the example exited; output:\n${output}`)));
        check();
      });
    },
  };
}

test('the Express example keeps a session across requests, stored on both members', async t => {
  const port = await freePort();
  const app = run('express', localise(example('express'), servers, port));
  t.teardown(() => app.child.kill('SIGKILL'));
  await app.waitFor(/listening on/);

  const login = await fetch(`http://127.0.0.1:${port}/login`);
  t.is(login.status, 200, app.output());
  const cookie = login.headers.getSetCookie()[0]?.split(';')[0];
  t.truthy(cookie, 'the login response sets the session cookie');

  const me = await fetch(`http://127.0.0.1:${port}/`, { headers: { cookie: cookie! } });
  t.deepEqual(await me.json(), { user: 'peter' });
  const stranger = await fetch(`http://127.0.0.1:${port}/`);
  t.deepEqual(await stranger.json(), { user: null });

  for (const server of servers) {
    const client = await directClient(t, server);
    await eventually(async () => (await client.keys('session*')).length === 1, 5000, `the session on ${server.label}`);
  }
  t.pass();
});

test('a session connect-redis wrote under sess: is read by the store of "Switching from connect-redis", and copied onto the new member', async t => {
  const session = { cookie: { originalMaxAge: 600_000, expires: new Date(Date.now() + 600_000).toISOString(), httpOnly: true, path: '/' }, user: 'peter' };

  // Before: connect-redis on the old server writes the session, as an app using it would.
  const before = run(
    'connect-redis',
    localise(example('connect-redis'), servers) +
      `\nawait store.set('readme-sid', ${JSON.stringify(session)});\nawait client.close();\n`,
  );
  const wrote = await before.exited;
  t.is(wrote.code, 0, wrote.output);

  // After: the README's expredis store over the old server and a new, empty one. The test waits
  // until both members are usable, so that the read also reaches the old server.
  const after = run(
    'from-connect-redis',
    localise(example('from-connect-redis'), servers) +
      '\nwhile (!store.stats().members.every(m => m.healthy)) await new Promise(resolve => setTimeout(resolve, 10));' +
      "\nconsole.log('SESSION ' + JSON.stringify(await store.get('readme-sid')));\nawait store.close();\n",
  );
  const read = await after.exited;
  t.is(read.code, 0, read.output);
  const line = /^SESSION (.*)$/m.exec(read.output);
  t.truthy(line, read.output);
  t.deepEqual(JSON.parse(line![1]!), session);

  const newMember = await directClient(t, servers[1]!);
  await eventually(async () => (await newMember.exists('sess:readme-sid')) === 1, 5000, 'the repair onto the new member');
  t.is(await newMember.get('sess:readme-sid'), JSON.stringify(session), 'the read copied the session onto the new member, as connect-redis wrote it');
  t.true((await newMember.pTTL('sess:readme-sid')) > 0, 'with a TTL');
});
