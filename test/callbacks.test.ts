// Issue 2 acceptance: every method takes an optional node-style callback, called exactly once and
// never synchronously, and returns a Promise when none is given. A callback that throws surfaces
// as an uncaught exception, never as an unhandled rejection, and is not called again.
import test from 'ava';
import type { RedisStore } from '../src/index.js';
import { asSession, open, runFixture } from './helpers/foundation-util.js';
import { freePort } from './helpers/redis-server.js';
import { fileServers } from './helpers/file-servers.js';
import { sessionWith } from './helpers/store.js';

// One member and serial tests: these check calling conventions, and ~30 stores connecting at
// once on a loaded machine only add noise.
const servers = fileServers(1);

type Cb = (error: Error | null, value?: unknown) => void;
const s = asSession(sessionWith({ user: 'peter' }));
const methods: [string, (store: RedisStore, cb?: Cb) => unknown][] = [
  ['get', (store, cb) => (cb ? store.get('sid', cb) : store.get('sid'))],
  ['set', (store, cb) => store.set('sid', s, cb)],
  ['touch', (store, cb) => store.touch('sid', s, cb)],
  ['destroy', (store, cb) => store.destroy('sid', cb)],
  ['length', (store, cb) => (cb ? store.length(cb) : store.length())],
  ['ids', (store, cb) => (cb ? store.ids(cb) : store.ids())],
  ['all', (store, cb) => (cb ? store.all(cb) : store.all())],
  ['clear', (store, cb) => store.clear(cb)],
  ['ready', (store, cb) => (cb ? store.ready(cb) : store.ready())],
  ['ready with options', (store, cb) => (cb ? store.ready({ timeout: 1000 }, cb) : store.ready({ timeout: 1000 }))],
  ['close', (store, cb) => (cb ? store.close(cb) : store.close())],
];

/** Calls `call` with a callback; resolves with what it observed once the callback ran (plus a grace period). */
async function observe(call: (cb: Cb) => unknown): Promise<{ returned: unknown; sync: boolean; calls: unknown[][] }> {
  const calls: unknown[][] = [];
  let afterCall = false;
  let sync = false;
  let returned: unknown;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the callback was never called')), 20_000);
    returned = call((...args) => {
      if (!afterCall) sync = true;
      calls.push(args);
      clearTimeout(timer);
      setTimeout(resolve, 100); // room for a second, wrong call
    });
    afterCall = true;
  });
  return { returned, sync, calls };
}

for (const [name, call] of methods) {
  test.serial(`${name} with a callback calls it exactly once, asynchronously, and returns no promise`, async t => {
    const store = await open(t, servers);
    await store.set('sid', s);
    const seen = await observe(cb => call(store, cb));
    t.is(seen.returned, undefined);
    t.false(seen.sync, 'called synchronously');
    t.is(seen.calls.length, 1);
    t.is(seen.calls[0]![0], null, `no error: ${String(seen.calls[0]![0])}`);
  });

  test.serial(`${name} with a callback reports a failure through it exactly once, asynchronously`, async t => {
    const store = await open(t, [], { clients: [{ port: await freePort() }] }, { waitFor: false });
    store.on('error', () => undefined);
    // A closed store fails every method except close() itself; a store on a dead port fails the rest.
    if (name !== 'close') await store.close();
    const seen = await observe(cb => call(store, cb));
    t.is(seen.returned, undefined);
    t.false(seen.sync, 'called synchronously');
    t.is(seen.calls.length, 1);
    if (name !== 'close') t.true(seen.calls[0]![0] instanceof Error);
  });

  test.serial(`${name} without a callback returns a Promise that settles`, async t => {
    const store = await open(t, servers);
    await store.set('sid', s);
    const returned = call(store);
    t.true(returned instanceof Promise);
    await t.notThrowsAsync(returned as Promise<unknown>);
  });
}

test('without a callback a failure rejects the Promise', async t => {
  const store = await open(t, servers);
  await store.close();
  for (const [name, call] of methods) {
    if (name === 'close') continue;
    const returned = call(store);
    t.true(returned instanceof Promise, name);
    await t.throwsAsync(returned as Promise<unknown>, undefined, name);
  }
});

test('an exception thrown in a callback is an uncaught exception, not an unhandled rejection, and the callback runs once', async t => {
  const result = await runFixture('foundation-callback-throws', [String(servers[0]!.port)], 30_000);
  t.is(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { calls: Record<string, number>; uncaught: string[]; unhandled: string[] };
  const names = ['set', 'get', 'touch', 'length', 'ids', 'all', 'destroy', 'clear', 'ready', 'close', 'get-after-close'];
  t.deepEqual(report.unhandled, []);
  t.deepEqual([...report.uncaught].sort(), names.map(n => `boom-${n}`).sort());
  t.deepEqual(report.calls, Object.fromEntries(names.map(n => [n, 1])));
});
