// close() under faults: it waits for operations in flight at most commandTimeout, then destroys
// the connections that still hang, leaving no socket of this process to the hung member.
import test from 'ava';
import { RedisStore, StoreClosedError } from '../src/index.js';
import { LoopLag, openFaultStore, ownServers, recordUnhandledRejections, sleep, socketsToPort, timedCall } from './helpers/fault-kit.js';
import { eventually, sessionWith, uniquePrefix } from './helpers/store.js';

const unhandled = recordUnhandledRejections();

const CT = 400;
const MARGIN = 150;
const lag = new LoopLag(); // measured event-loop stalls are added to the bounds (see fault-kit)

test.serial('close() with a hung member and an operation in flight resolves within commandTimeout and leaves no socket to that member', async t => {
  const servers = await ownServers(t, 3);
  const hung = servers[2]!;
  const store = await openFaultStore(t, servers, { commandTimeout: CT });
  t.is(socketsToPort(hung.port), 1, 'one connection to the member before the fault');
  hung.stop();
  // A read of a missing key waits for every member: it is in flight on the hung one.
  lag.reset();
  const get = timedCall('get', cb => store.get('missing', cb), CT + 1000);
  await sleep(20);
  const started = performance.now();
  await store.close();
  const closeMs = performance.now() - started;
  const result = await get;
  t.log(`close() took ${Math.round(closeMs)} ms with a get in flight on a hung member (commandTimeout ${CT} ms); the get ended after ${Math.round(result.ms)} ms (${result.error ? result.error.name : 'ok'})`);
  t.true(closeMs <= CT + MARGIN + lag.maxMs, `close() took ${Math.round(closeMs)} ms (event-loop stall ${Math.round(lag.maxMs)} ms)`);
  t.is(result.calls, 1);
  t.is(socketsToPort(hung.port), 0, 'the hung connection was destroyed');
  for (const s of servers.slice(0, 2)) t.is(socketsToPort(s.port), 0, `connection to ${s.label} closed`);
  await t.throwsAsync(store.get('missing') as Promise<unknown>, { instanceOf: StoreClosedError });
  hung.resume();
  await sleep(100);
  t.is(result.calls, 1, 'a late reply after the resume calls nothing back');
  t.deepEqual(unhandled, []);
});

test.serial('close() waits for an operation in flight on healthy members: the write completes, then connections close', async t => {
  const servers = await ownServers(t, 3);
  const store = await openFaultStore(t, servers, { commandTimeout: CT, writeQuorum: 'all' });
  const set = timedCall('set', cb => store.set('written', sessionWith({ user: 'x' }) as never, cb), CT + 1000);
  const closing = store.close();
  const result = await set;
  await closing;
  t.is(result.error, null, 'the write in flight finished rather than being cut off');
  t.is(result.calls, 1);
  for (const s of servers) t.is(socketsToPort(s.port), 0);
  t.deepEqual(unhandled, []);
});

test.serial('close() of a store whose every member hangs in the handshake resolves within commandTimeout and leaves no socket', async t => {
  const servers = await ownServers(t, 2);
  for (const s of servers) s.stop();
  const store = new RedisStore({ clients: servers.map(s => ({ port: s.port })), prefix: uniquePrefix(t), commandTimeout: CT });
  store.on('error', () => undefined);
  // Connected at TCP level, the HELLO never answered.
  await eventually(() => servers.every(s => socketsToPort(s.port) >= 1), 2000, 'TCP connections open');
  lag.reset();
  const get = timedCall('get', cb => store.get('x', cb), CT + 1000);
  const started = performance.now();
  await store.close();
  const closeMs = performance.now() - started;
  const result = await get;
  t.log(`close() during hung handshakes took ${Math.round(closeMs)} ms; a get meanwhile: ${result.error?.name} after ${Math.round(result.ms)} ms`);
  t.true(closeMs <= CT + MARGIN + lag.maxMs, `close() took ${Math.round(closeMs)} ms`);
  t.is(result.calls, 1);
  for (const s of servers) t.is(socketsToPort(s.port), 0);
  for (const s of servers) s.resume();
  await sleep(100);
  for (const s of servers) t.is(socketsToPort(s.port), 0, 'no reconnect after close()');
  t.deepEqual(unhandled, []);
});

test.serial('close() with every member hung and writes in flight resolves within commandTimeout + margin, each write called back once', async t => {
  const servers = await ownServers(t, 3);
  const store = await openFaultStore(t, servers, { commandTimeout: CT });
  for (const s of servers) s.stop();
  lag.reset();
  const writes = Array.from({ length: 5 }, (_, i) => timedCall('set', cb => store.set(`w${i}`, sessionWith() as never, cb), CT + 1000));
  await sleep(20);
  const started = performance.now();
  await store.close();
  const closeMs = performance.now() - started;
  const results = await Promise.all(writes);
  t.log(`close() with 5 writes in flight on 3 hung members: ${Math.round(closeMs)} ms; writes ended after ${results.map(r => Math.round(r.ms)).join('/')} ms`);
  const stall = lag.maxMs;
  t.true(closeMs <= CT + MARGIN + stall, `close() took ${Math.round(closeMs)} ms (event-loop stall ${Math.round(stall)} ms)`);
  for (const r of results) {
    t.is(r.calls, 1);
    t.true(r.ms <= CT + 100 + stall, `write ended after ${Math.round(r.ms)} ms (event-loop stall ${Math.round(stall)} ms)`);
    t.truthy(r.error);
  }
  for (const s of servers) t.is(socketsToPort(s.port), 0);
  t.deepEqual(unhandled, []);
});
