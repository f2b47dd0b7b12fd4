// Hardening defect 6, the pool's time limit: an offloaded encode that never ends (a busy loop,
// an Atomics.wait) is aborted after the limit (commandTimeout, at least 1 s) with
// WorkerTimeoutError, its worker is replaced, and a destroy of that session (a logout) and writes
// to other sessions go on. The limit counts only the time a task runs: a burst of healthy encodes
// queued behind each other on one thread all succeed.
import test from 'ava';
import { WorkerTimeoutError } from '../src/index.js';
import { asSession, openHostileStore, realCookie, settleWithin, stringHeavySession } from './helpers/codec-util.js';
import { fileServers } from './helpers/file-servers.js';

const servers = fileServers(2);

for (const mode of ['spin', 'block'] as const) {
  test(`a set whose serializer ${mode === 'spin' ? 'spins forever' : 'blocks in Atomics.wait'} fails with WorkerTimeoutError after the limit, and a destroy of that id and a set of another go on`, async t => {
    const store = await openHostileStore(t, servers); // one thread: the other set waits behind the hung one
    await store.set('user', asSession({ cookie: realCookie(), n: 1 }));
    const started = Date.now();
    const hung = settleWithin(store.set('user', asSession({ cookie: realCookie(), n: 2, hostile: mode })), 15_000);
    const logout = settleWithin(store.destroy('user'), 15_000);
    const other = settleWithin(store.set('other', asSession({ cookie: realCookie(), n: 3 })), 15_000);

    const h = await hung;
    const ms = Date.now() - started;
    t.is(h.status, 'rejected', 'the hung set failed');
    const error = (h as { error: unknown }).error;
    t.true(error instanceof WorkerTimeoutError, String(error));
    t.is((error as WorkerTimeoutError).code, 'ERR_EXPREDIS_WORKER_TIMEOUT');
    t.is((error as WorkerTimeoutError).limit, 1000);
    t.true(ms >= 1000 && ms < 6000, `aborted after ${ms} ms`);
    t.is((await logout).status, 'fulfilled', 'the destroy queued behind it went on');
    t.is((await other).status, 'fulfilled', 'the set of another id went on');
    t.is(await store.get('user'), null);
    t.like(await store.get('other'), { n: 3 });
    await store.set('next', asSession({ cookie: realCookie(), n: 4 }));
    t.like(await store.get('next'), { n: 4 }, 'a new worker took the next task');
    t.log(`the hung set failed after ${ms} ms`);
  });
}

test('a burst of 500 healthy offloaded 300 KB encodes queued on one thread, 4 ms each, all succeed with commandTimeout 200', async t => {
  // 500 × 4 ms on one thread: the last encodes wait about 2 s in the queue, twice the limit.
  const store = await openHostileStore(t, servers);
  const session = asSession(stringHeavySession(300 * 1024, { delayMs: 4 }));
  const started = Date.now();
  const sets = await Promise.all(Array.from({ length: 500 }, (_, i) => settleWithin(store.set(`b${i % 20}`, session), 60_000)));
  const ms = Date.now() - started;
  const failed = sets.filter(s => s.status !== 'fulfilled');
  t.is(failed.length, 0, `failed: ${failed.slice(0, 3).map(f => String((f as { error?: unknown }).error)).join('; ')}`);
  t.is(store.stats().codec.encodeOffloaded, 500);
  t.true(ms > 2000, `the burst took ${ms} ms, longer than the limit`);
  t.log(`500 sets in ${ms} ms`);
});

test('a get whose parse hangs its worker fails with WorkerTimeoutError after the limit, and the next get works', async t => {
  const store = await openHostileStore(t, servers);
  await store.set('stuck', asSession({ cookie: realCookie(), hostileParse: 'spin' }));
  await store.set('fine', asSession({ cookie: realCookie(), n: 1 }));
  const outcome = await settleWithin(store.get('stuck'), 15_000);
  t.is(outcome.status, 'rejected');
  t.true((outcome as { error: unknown }).error instanceof WorkerTimeoutError, String((outcome as { error: unknown }).error));
  t.like(await store.get('fine'), { n: 1 });
});
