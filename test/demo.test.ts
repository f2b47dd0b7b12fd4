// The demo (`npm start` runs dist/examples/demo/server.js) as a user runs it: a real process on a
// free port, walked over HTTP with a cookie, stopped with SIGINT. It must leave no redis-server
// child behind, stay responsive when a member hangs, use REDIS_URLS members without starting its
// own, and explain how to install redis-server when it is missing.
import test, { type ExecutionContext } from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { freePort, startServers, type RedisServer } from './helpers/redis-server.js';

const SERVER_JS = fileURLToPath(new URL('../examples/demo/server.js', import.meta.url));
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

interface Demo {
  readonly child: ChildProcess;
  readonly port: number;
  readonly url: string;
  /** redis-server children the demo reported (`started redis-server pid P on 127.0.0.1:PORT`). */
  readonly redis: { pid: number; label: string }[];
  output(): string;
  /** Resolves with the exit code (null when killed by a signal) once the process is gone. */
  readonly exited: Promise<number | null>;
}

const demos = new Set<Demo>();
process.once('exit', () => {
  for (const demo of demos) {
    demo.child.kill('SIGKILL');
    for (const r of demo.redis) killQuietly(r.pid);
  }
});

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Whether `pid` is a live process (a zombie is dead, only not yet reaped). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return existsSync(`/proc/${pid}`);
  }
}

function launch(t: ExecutionContext, port: number, env: Record<string, string | undefined> = {}): Demo {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
  delete childEnv.REDIS_URLS;
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[key];
    else childEnv[key] = value;
  }
  const child = spawn(process.execPath, [SERVER_JS], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const redis: { pid: number; label: string }[] = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    redis.length = 0;
    for (const m of output.matchAll(/started redis-server pid (\d+) on (\S+)/g)) redis.push({ pid: Number(m[1]), label: m[2]! });
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));
  const demo: Demo = { child, port, url: `http://127.0.0.1:${port}`, redis, output: () => output, exited };
  demos.add(demo);
  void exited.then(() => demos.delete(demo));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if ((await Promise.race([exited, deadline(STOP_TIMEOUT_MS)])) === 'late') child.kill('SIGKILL');
    }
    for (const r of redis) killQuietly(r.pid);
  });
  return demo;
}

const delay = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
/** For races: an unref'd timer, so a lost race does not keep the test process alive. */
const deadline = (ms: number) => new Promise<'late'>(resolve => setTimeout(resolve, ms, 'late').unref());

/** Resolves once the demo printed its URL; rejects when it exits or takes too long. */
async function listening(demo: Demo): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!demo.output().includes(`listening on http://127.0.0.1:${demo.port}/`)) {
    if (demo.child.exitCode !== null) throw new Error(`the demo exited (${demo.child.exitCode}):\n${demo.output()}`);
    if (Date.now() > deadline) throw new Error(`the demo did not listen within ${START_TIMEOUT_MS} ms:\n${demo.output()}`);
    await delay(50);
  }
}

/** Sends `signal` and resolves with the exit code and the time it took; null code when it did not exit in time. */
async function stop(demo: Demo, signal: NodeJS.Signals = 'SIGINT'): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  demo.child.kill(signal);
  const code = await Promise.race([demo.exited, deadline(STOP_TIMEOUT_MS)]);
  return { code: code === 'late' ? null : code, ms: Date.now() - started };
}

/** A browser that keeps the session cookie. */
class Browser {
  cookie: string | undefined;
  constructor(readonly base: string) {}

  async get(path: string, timeoutMs = 5000): Promise<{ status: number; text: string }> {
    const response = await fetch(this.base + path, {
      headers: this.cookie ? { cookie: this.cookie } : {},
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    return { status: response.status, text: await response.text() };
  }

  get sid(): string {
    const value = decodeURIComponent(this.cookie?.split('=')[1] ?? '');
    return value.slice(2, value.lastIndexOf('.'));
  }
}

/** The members table of the page: `data-member`, `data-healthy`, `data-holds` per row. */
function memberRows(html: string): Map<string, { healthy: string; holds: string }> {
  const rows = new Map<string, { healthy: string; holds: string }>();
  for (const m of html.matchAll(/<tr data-member="([^"]+)" data-healthy="(\w+)" data-holds="(\w+)">/g)) {
    rows.set(m[1]!, { healthy: m[2]!, holds: m[3]! });
  }
  return rows;
}

test.serial('the demo starts two redis-server children, serves /setter then /getter and the page, and stops them on SIGINT', async t => {
  const demo = launch(t, await freePort());
  await listening(demo);
  t.is(demo.redis.length, 2, demo.output());
  for (const r of demo.redis) t.true(alive(r.pid), `redis-server pid ${r.pid} runs while the demo does`);

  const browser = new Browser(demo.url);
  const set = await browser.get('/setter');
  t.is(set.status, 200);
  t.deepEqual(JSON.parse(set.text), { operation: 'set' });
  t.truthy(browser.cookie, 'the session cookie is sent over plain HTTP');
  const got = await browser.get('/getter');
  t.is(got.status, 200);
  t.deepEqual(JSON.parse(got.text), { firstName: 'Peter', lastName: 'Pluck' });
  t.true(got.text.includes('"firstName":"Peter"') && got.text.includes('"lastName":"Pluck"'), got.text);

  const page = await browser.get('/');
  t.is(page.status, 200);
  t.true(page.text.includes('Pluck'), 'the page shows the session');
  t.true(page.text.includes(browser.sid), 'the page shows the session id');
  const rows = memberRows(page.text);
  t.deepEqual([...rows.keys()].sort(), demo.redis.map(r => r.label).sort());
  for (const [label, row] of rows) t.deepEqual(row, { healthy: 'true', holds: 'true' }, label);

  const stats = JSON.parse((await browser.get('/stats')).text) as { members: { label: string; healthy: boolean }[] };
  t.deepEqual(stats.members.map(m => m.healthy), [true, true]);

  const { code, ms } = await stop(demo, 'SIGINT');
  t.is(code, 0, `exit code after SIGINT (${ms} ms):\n${demo.output()}`);
  t.true(ms < STOP_TIMEOUT_MS);
  for (const r of demo.redis) t.false(alive(r.pid), `redis-server pid ${r.pid} is gone after the demo stopped`);
});

test.serial('the page answers within its bound while a member hangs, and SIGTERM still stops everything', async t => {
  const demo = launch(t, await freePort());
  await listening(demo);
  const browser = new Browser(demo.url);
  await browser.get('/setter');
  const [hung, other] = demo.redis;
  process.kill(hung!.pid, 'SIGSTOP');
  try {
    const started = Date.now();
    const page = await browser.get('/', 4000);
    t.is(page.status, 200);
    t.true(Date.now() - started < 3000, `the page took ${Date.now() - started} ms`);
    const rows = memberRows(page.text);
    t.is(rows.get(other!.label)?.holds, 'true');
    t.is(rows.get(hung!.label)?.holds, 'unknown', 'a hung member is shown as not answering');
  } finally {
    process.kill(hung!.pid, 'SIGCONT');
  }
  const { code } = await stop(demo, 'SIGTERM');
  t.is(code, 0, demo.output());
  for (const r of demo.redis) t.false(alive(r.pid), `redis-server pid ${r.pid} is gone`);
});

test.serial('with REDIS_URLS the demo starts no redis-server and writes the session to those members', async t => {
  const servers: RedisServer[] = await startServers(2);
  t.teardown(() => Promise.all(servers.map(s => s.close())));
  const demo = launch(t, await freePort(), { REDIS_URLS: servers.map(s => s.url).join(',') });
  await listening(demo);
  t.is(demo.redis.length, 0, demo.output());
  t.true(demo.output().includes(servers.map(s => s.label).join(', ')), demo.output());

  const browser = new Browser(demo.url);
  await browser.get('/setter');
  t.deepEqual(JSON.parse((await browser.get('/getter')).text), { firstName: 'Peter', lastName: 'Pluck' });
  for (const server of servers) {
    const client = createClient({ url: server.url });
    await client.connect();
    try {
      const raw = await client.get(`session${browser.sid}`);
      t.like(JSON.parse(raw ?? 'null'), { firstName: 'Peter', lastName: 'Pluck' }, server.label);
    } finally {
      await client.close();
    }
  }
  const { code } = await stop(demo, 'SIGINT');
  t.is(code, 0, demo.output());
  t.true(servers.every(s => s.alive), 'members the demo did not start are left running');
});

test.serial('without redis-server on PATH the demo says how to install it and exits 1 without a stack trace', async t => {
  const empty = mkdtempSync(join(tmpdir(), 'expredis-demo-path-'));
  t.teardown(() => rmSync(empty, { recursive: true, force: true }));
  const demo = launch(t, await freePort(), { PATH: empty, REDIS_SERVER: undefined });
  const code = await Promise.race([demo.exited, deadline(START_TIMEOUT_MS)]);
  t.is(code, 1, demo.output());
  const output = demo.output();
  t.true(output.includes('sudo apt-get install redis-server'), output);
  t.true(output.includes('brew install redis'), output);
  t.true(output.includes('REDIS_URLS'), output);
  t.false(/^\s+at /m.test(output), `no stack trace:\n${output}`);
});

test.serial('when its port is taken the demo exits 1 and stops the redis-server children it started', async t => {
  const blocker: Server = createServer();
  await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>(resolve => blocker.close(() => resolve())));
  const { port } = blocker.address() as { port: number };
  const demo = launch(t, port);
  const code = await Promise.race([demo.exited, deadline(START_TIMEOUT_MS)]);
  t.is(code, 1, demo.output());
  t.true(demo.output().includes('EADDRINUSE'), demo.output());
  t.is(demo.redis.length, 2, demo.output());
  for (const r of demo.redis) t.false(alive(r.pid), `redis-server pid ${r.pid} is gone`);
});

test.serial('the demo never prints the password of a REDIS_URLS member, whether the URL is refused or used', async t => {
  const refused = launch(t, await freePort(), { REDIS_URLS: 'redis://:hunter2-demo@127.0.0.1:notaport,http://u:hunter2-demo@h' });
  t.is(await Promise.race([refused.exited, deadline(START_TIMEOUT_MS)]), 1, refused.output());
  t.true(refused.output().includes('REDIS_URLS'), refused.output());
  t.false(refused.output().includes('hunter2-demo'), refused.output());

  const servers: RedisServer[] = await startServers(2);
  t.teardown(() => Promise.all(servers.map(s => s.close())));
  const used = launch(t, await freePort(), { REDIS_URLS: servers.map(s => `redis://:hunter2-demo@127.0.0.1:${s.port}`).join(',') });
  await listening(used);
  await new Browser(used.url).get('/setter');
  const { code } = await stop(used, 'SIGTERM');
  t.is(code, 0, used.output());
  t.false(used.output().includes('hunter2-demo'), used.output());
});
