// Every fault of issue 4's "Bad input and faults" list, against the store's methods called with
// callbacks and timed: each affected operation ends within commandTimeout + 100 ms, its callback
// is called exactly once (and never synchronously), no rejection goes unhandled, nothing crashes.
// commandTimeout is 300 ms. Tests are serial: each owns its servers, and timings stay readable.
import test, { type ExecutionContext } from 'ava';
import { ErrorReply } from 'redis';
import { DecodeError, NoMemberError, QuorumError, RedisStore, type ExpredisOptions } from '../src/index.js';
import { LoopLag, memberStats, openFaultStore, ownServers, recordUnhandledRejections, sleep, timedCall, type TimedCall, waitAllHealthy, waitHealthy } from './helpers/fault-kit.js';
import { freePort } from './helpers/redis-server.js';
import { directClient, eventually, sessionWith, uniquePrefix } from './helpers/store.js';

const unhandled = recordUnhandledRejections();

const CT = 300;
const BOUND = CT + 100;
const lag = new LoopLag();
/** How long a timed call is waited for before it counts as never called back. */
const WAIT = BOUND + 1000;

type Results = Record<'get' | 'getMissing' | 'set' | 'touch' | 'destroy' | 'length', TimedCall<unknown>>;

/** Sessions the bursts work on: `live` is read, `touched` touched, `gone` destroyed. */
async function seed(store: RedisStore): Promise<void> {
  await store.set('live', sessionWith({ user: 'live' }) as never);
  await store.set('touched', sessionWith({ user: 'touched' }) as never);
  await store.set('gone', sessionWith({ user: 'gone' }) as never);
}

/** One call of each operation, all at once, each timed through its callback. */
async function burst(store: RedisStore, grace = 150): Promise<Results> {
  lag.reset();
  const [get, getMissing, set, touch, destroy, length] = await Promise.all([
    timedCall<unknown>('get', cb => store.get('live', cb), WAIT, grace),
    timedCall<unknown>('get missing', cb => store.get('missing', cb), WAIT, grace),
    timedCall<unknown>('set', cb => store.set('written', sessionWith({ user: 'written' }) as never, cb), WAIT, grace),
    timedCall<unknown>('touch', cb => store.touch('touched', sessionWith({ user: 'touched' }) as never, cb), WAIT, grace),
    timedCall<unknown>('destroy', cb => store.destroy('gone', cb), WAIT, grace),
    timedCall<unknown>('length', cb => store.length(cb), WAIT, grace),
  ]);
  return { get: get!, getMissing: getMissing!, set: set!, touch: touch!, destroy: destroy!, length: length! };
}

function assertBounded(t: ExecutionContext, results: Results, label: string): void {
  const stall = lag.maxMs;
  for (const r of Object.values(results)) {
    t.true(r.ms <= BOUND + stall, `${label}: ${r.op} ended after ${Math.round(r.ms)} ms (event-loop stall ${Math.round(stall)} ms)`);
    t.is(r.calls, 1, `${label}: ${r.op} called back ${r.calls} times`);
    t.false(r.synchronous, `${label}: ${r.op} called back synchronously`);
  }
  t.log(`${label}: ${Object.values(results).map(r => `${r.op} ${Math.round(r.ms)} ms${r.error ? ` ${r.error.name}` : ''}`).join(', ')}${stall > 20 ? ` (event-loop stall ${Math.round(stall)} ms)` : ''}`);
}

function assertServed(t: ExecutionContext, results: Results, label: string): void {
  for (const r of Object.values(results)) t.is(r.error, null, `${label}: ${r.op} failed: ${String(r.error)}`);
  t.like(results.get.value, { user: 'live' });
  t.is(results.getMissing.value, null);
}

/** A burst that one member's trouble must neither slow past the bound nor fail. */
function assertBoundedAndServed(t: ExecutionContext, results: Results, label: string): void {
  assertBounded(t, results, label);
  assertServed(t, results, label);
}

function assertNoMember(t: ExecutionContext, results: Results, labels: readonly string[]): void {
  t.true(results.get.error instanceof NoMemberError, String(results.get.error));
  t.true(results.getMissing.error instanceof NoMemberError, String(results.getMissing.error));
  t.true(results.length.error instanceof NoMemberError, String(results.length.error));
  for (const r of [results.set, results.touch, results.destroy]) {
    t.true(r.error instanceof QuorumError, `${r.op}: ${String(r.error)}`);
    t.deepEqual([...(r.error as QuorumError).members].sort(), [...labels].sort());
  }
}

/** A store over arbitrary client entries, closed after the test. */
async function storeOver(t: ExecutionContext, clients: ExpredisOptions['clients'], options: Partial<ExpredisOptions> = {}): Promise<RedisStore> {
  const store = new RedisStore({ clients, prefix: uniquePrefix(t), commandTimeout: CT, ...options });
  t.teardown(() => store.close() as Promise<void>);
  return store;
}

test.serial('one member killed, while operations are in flight on it and after: every operation succeeds in time, once (no error listener)', async t => {
  const servers = await ownServers(t, 3);
  const store = await openFaultStore(t, servers, { commandTimeout: CT });
  t.is(store.listenerCount('error'), 0);
  await seed(store);
  const inFlight = burst(store);
  servers[0]!.kill();
  const during = await inFlight;
  assertBoundedAndServed(t, during, 'killed mid-flight');
  await seed(store);
  const after = await burst(store);
  assertBoundedAndServed(t, after, 'killed before');
  t.deepEqual(unhandled, []);
});

test.serial('one member hung: every operation succeeds within commandTimeout + 100 ms, once, also after the member resumes', async t => {
  const servers = await ownServers(t, 3);
  const store = await openFaultStore(t, servers, { commandTimeout: CT });
  await seed(store);
  servers[2]!.stop();
  const first = await burst(store);
  assertBoundedAndServed(t, first, 'hung');
  await seed(store);
  const second = await burst(store);
  assertBoundedAndServed(t, second, 'hung, taken out');
  servers[2]!.resume();
  await waitHealthy(store, 2, true);
  await sleep(300); // late replies arrive now
  for (const r of [...Object.values(first), ...Object.values(second)]) t.is(r.calls, 1, `${r.op} called back again after the resume`);
  t.deepEqual(unhandled, []);
});

test.serial('one member restarted empty: every operation succeeds in time, once', async t => {
  const servers = await ownServers(t, 3);
  const store = await openFaultStore(t, servers, { commandTimeout: CT });
  await seed(store);
  await servers[1]!.killAndWait();
  await waitHealthy(store, 1, false);
  await servers[1]!.restart();
  await waitHealthy(store, 1, true);
  const results = await burst(store);
  assertBoundedAndServed(t, results, 'restarted empty');
  t.deepEqual(unhandled, []);
});

test.serial('every member down: reads fail with NoMemberError and writes with QuorumError at once, once, and errors are not emitted in a flood', async t => {
  const servers = await ownServers(t, 3);
  const store = await openFaultStore(t, servers, { commandTimeout: CT });
  const errors: Error[] = [];
  store.on('error', (error: Error) => errors.push(error));
  await seed(store);
  for (const s of servers) s.kill();
  await eventually(() => store.stats().members.every(m => !m.healthy));
  const first = await burst(store);
  assertBounded(t, first, 'all down');
  assertNoMember(t, first, servers.map(s => s.label));
  const emitted = errors.length;
  const second = await burst(store);
  assertBounded(t, second, 'all down again');
  await sleep(1000); // reconnect attempts keep failing meanwhile
  t.log(`error events: ${emitted} after the outage and the first burst, ${errors.length} after a second burst and 1 s of reconnect attempts`);
  t.true(emitted <= servers.length, `${emitted} error events for ${servers.length} members going down`);
  t.is(errors.length, emitted, 'failures against members known to be down are not emitted');
  t.deepEqual(unhandled, []);
});

test.serial('every member hung: operations fail within commandTimeout + 100 ms, then at once, once each, and the store recovers on SIGCONT', async t => {
  const servers = await ownServers(t, 3);
  const store = await openFaultStore(t, servers, { commandTimeout: CT });
  let disconnects = 0;
  store.on('disconnect', () => disconnects++);
  await seed(store);
  for (const s of servers) s.stop();
  const first = await burst(store);
  assertBounded(t, first, 'all hung');
  assertNoMember(t, first, servers.map(s => s.label));
  await eventually(() => store.stats().members.every(m => !m.healthy), 2000, 'members taken out');
  t.is(disconnects, 1);
  const second = await burst(store);
  assertBounded(t, second, 'all hung, taken out');
  for (const r of Object.values(second)) t.true(r.ms < CT / 2, `${r.op} waited ${Math.round(r.ms)} ms on members already taken out`);
  for (const s of servers) s.resume();
  await eventually(() => store.stats().members.every(m => m.healthy), 5000, 'members back');
  await sleep(300);
  for (const r of [...Object.values(first), ...Object.values(second)]) t.is(r.calls, 1, `${r.op} called back again after the resume`);
  t.like(await store.get('live'), { user: 'live' });
  t.deepEqual(unhandled, []);
});

test.serial('a member answering READONLY: writes succeed on the others; alone, they fail with a QuorumError carrying the error reply, in time, once', async t => {
  const deadPort = await freePort();
  const [replica] = await ownServers(t, 1, ['--replicaof', '127.0.0.1', String(deadPort)]);
  const servers = await ownServers(t, 2);
  const store = await storeOver(t, [{ port: servers[0]!.port }, { port: servers[1]!.port }, { port: replica!.port }]);
  const errors: Error[] = [];
  store.on('error', (error: Error) => errors.push(error));
  await store.ready({ timeout: 5000 });
  await waitAllHealthy(store);
  await seed(store);
  const mixed = await burst(store);
  assertBoundedAndServed(t, mixed, 'one READONLY of three');
  await sleep(200);
  const replies = errors.filter(e => e instanceof ErrorReply);
  t.true(replies.length > 0, 'the error replies are emitted');
  t.log(`error replies emitted: ${replies.length}, e.g. ${replies[0]?.message}`);
  t.true(memberStats(store, 2).failures > 0);

  const alone = await storeOver(t, [{ port: replica!.port }]);
  alone.on('error', () => undefined);
  await alone.ready({ timeout: 5000 });
  const results = await burst(alone);
  assertBounded(t, results, 'READONLY alone');
  for (const r of [results.set, results.destroy]) {
    t.true(r.error instanceof QuorumError, `${r.op}: ${String(r.error)}`);
    t.true((r.error as QuorumError).errors[0] instanceof ErrorReply);
    t.deepEqual((r.error as QuorumError).members, [replica!.label]);
  }
  t.is(results.getMissing.error, null, 'reads still work on a read-only member');
  t.deepEqual(unhandled, []);
});

test.serial('a member answering WRONGTYPE: get takes the session from the others; alone, get fails with NoMemberError, in time, once', async t => {
  const servers = await ownServers(t, 3);
  const store = await openFaultStore(t, servers, { commandTimeout: CT });
  const errors: Error[] = [];
  store.on('error', (error: Error) => errors.push(error));
  await seed(store);
  const direct = await directClient(t, servers[0]!);
  const key = store.prefix + 'live';
  await direct.del(key);
  await direct.lPush(key, 'not a session');
  const results = await burst(store);
  assertBoundedAndServed(t, results, 'one WRONGTYPE of three');
  t.true(errors.some(e => e instanceof ErrorReply), 'the WRONGTYPE reply is emitted');

  const alone = await openFaultStore(t, [servers[0]!], { commandTimeout: CT, prefix: store.prefix });
  alone.on('error', () => undefined);
  lag.reset();
  const get = await timedCall('get', cb => alone.get('live', cb), WAIT);
  t.true(get.ms <= BOUND + lag.maxMs, `${Math.round(get.ms)} ms`);
  t.is(get.calls, 1);
  t.true(get.error instanceof NoMemberError, `a member that replies with an error has not answered: ${String(get.error)}`);
  t.deepEqual(unhandled, []);
});

test.serial('a member refusing our password: the others serve every operation in time, once, and its failed reconnects are not emitted in a flood', async t => {
  const [locked, ...servers] = await ownServers(t, 3);
  // The test servers are ready when an unauthenticated PING answers, so the password comes after.
  const admin = await directClient(t, locked!);
  await admin.configSet('requirepass', 'right-password');
  admin.destroy();
  const store = await storeOver(t, [{ port: servers[0]!.port }, { port: servers[1]!.port }, { port: locked!.port, password: 'wrong-password' }]);
  const errors: Error[] = [];
  store.on('error', (error: Error) => errors.push(error));
  await store.ready({ timeout: 5000 });
  await Promise.all([waitHealthy(store, 0), waitHealthy(store, 1)]);
  await seed(store);
  const results = await burst(store);
  assertBoundedAndServed(t, results, 'one wrong password of three');
  t.false(memberStats(store, 2).healthy);
  await sleep(3000); // several reconnect attempts (backoff capped at about 2 s)
  const fromLocked = errors.filter(e => (e as { client?: unknown }).client === store.clients[2]);
  t.log(`error events from the locked member over ~3.5 s: ${fromLocked.length} (${fromLocked.map(e => e.name).join(', ')})`);
  t.true(fromLocked.length >= 1 && fromLocked.length <= 2, `${fromLocked.length} error events`);

  for (const entry of [{ port: locked!.port, password: 'wrong-password' }, { port: locked!.port }]) {
    const alone = await storeOver(t, [entry]);
    alone.on('error', () => undefined);
    const r = await burst(alone);
    assertBounded(t, r, `alone, ${entry.password ? 'wrong' : 'no'} password`);
    assertNoMember(t, r, [locked!.label]);
  }
  t.deepEqual(unhandled, []);
});

test.serial('a member holding garbage: get takes the session from the others and emits DecodeError; alone, get yields null; in time, once', async t => {
  const servers = await ownServers(t, 3);
  const store = await openFaultStore(t, servers, { commandTimeout: CT });
  const errors: Error[] = [];
  store.on('error', (error: Error) => errors.push(error));
  const garbage: Buffer[] = [
    Buffer.from('{"user": "live", not json'),
    Buffer.from('42'),
    Buffer.from('[1,2,3]'),
    Buffer.from([0x00, 0xe5, 0x52, 0x44, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d]), // envelope version 9
    Buffer.from([0x00, 0xe5, 0x52, 0x44, 0x01]), // truncated envelope
    Buffer.from([0x00, 0xe5, 0x52, 0x44, 0x01, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc1]), // msgpack: reserved byte
    Buffer.from([0xff, 0xfe, 0xfd]),
  ];
  const [d0, d1, d2] = await Promise.all(servers.map(s => directClient(t, s)));
  for (const [i, value] of garbage.entries()) {
    const sid = `garbage-${i}`;
    await store.set(sid, sessionWith({ user: 'live' }) as never);
    await d0!.set(store.prefix + sid, value);
    await d1!.set(store.prefix + sid, value);
    const before = errors.length;
    lag.reset();
    const get = await timedCall('get', cb => store.get(sid, cb), WAIT);
    t.true(get.ms <= BOUND + lag.maxMs, `garbage ${i}: ${Math.round(get.ms)} ms`);
    t.is(get.calls, 1);
    t.is(get.error, null, `garbage ${i}: ${String(get.error)}`);
    t.like(get.value, { user: 'live' }, `garbage ${i}: the valid copy wins`);
    await sleep(50);
    const decodeErrors = errors.slice(before).filter(e => e instanceof DecodeError);
    t.true(decodeErrors.length <= 2, `garbage ${i}: ${decodeErrors.length} DecodeErrors`);

    // Alone: every copy is garbage, the member answered: null, and the DecodeError is emitted.
    await d2!.set(store.prefix + sid, value);
    const before2 = errors.length;
    lag.reset();
    const onlyGarbage = await timedCall('get', cb => store.get(sid, cb), WAIT);
    t.true(onlyGarbage.ms <= BOUND + lag.maxMs, `garbage ${i} everywhere: ${Math.round(onlyGarbage.ms)} ms`);
    t.is(onlyGarbage.calls, 1);
    t.is(onlyGarbage.error, null, `garbage ${i} everywhere: ${String(onlyGarbage.error)}`);
    t.is(onlyGarbage.value, null, `garbage ${i} everywhere`);
    await sleep(50);
    t.true(errors.slice(before2).some(e => e instanceof DecodeError), `garbage ${i}: a DecodeError is emitted`);
  }
  t.deepEqual(unhandled, []);
});

test.serial('operations against a member known to be down are counted as failures in stats(), not emitted', async t => {
  const servers = await ownServers(t, 3);
  const store = await openFaultStore(t, servers, { commandTimeout: CT });
  const errors: Error[] = [];
  store.on('error', (error: Error) => errors.push(error));
  servers[0]!.kill();
  await waitHealthy(store, 0, false);
  await sleep(50);
  const before = memberStats(store, 0).failures;
  const emitted = errors.length;
  for (let i = 0; i < 5; i++) await store.set(`s${i}`, sessionWith() as never);
  const after = memberStats(store, 0).failures;
  t.log(`failures counted for the down member: ${before} → ${after} after 5 writes it missed; error events ${emitted} → ${errors.length}`);
  t.true(after >= before + 5);
  t.is(errors.length, emitted);
});

test.serial('no rejection went unhandled in any of these faults', t => {
  t.deepEqual(unhandled, []);
});
