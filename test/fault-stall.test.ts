// Fault: the application's own event loop stalls (a long synchronous task) for longer than
// commandTimeout while commands are in flight on healthy members. Their replies arrive during the
// stall; the members did nothing wrong and must not be blamed for the process's own pause.
import test from 'ava';
import { memberStats, openFaultStore, ownServers, recordUnhandledRejections, sleep } from './helpers/fault-kit.js';
import { sessionWith } from './helpers/store.js';

const unhandled = recordUnhandledRejections();

const CT = 200;

function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // a synchronous task of the application, e.g. a large JSON.parse
  }
}

// The member's timer gives back, once, the time the loop lost (src/members/member.ts send()).
test('an event-loop stall longer than commandTimeout neither fails reads nor takes healthy members out', async t => {
  const servers = await ownServers(t, 3);
  const store = await openFaultStore(t, servers, { commandTimeout: CT });
  let disconnects = 0;
  let connects = 0;
  store.on('disconnect', () => disconnects++);
  store.on('connect', () => connects++);
  store.on('error', () => undefined);
  await store.set('live', sessionWith({ user: 'live' }) as never);
  await sleep(50);
  const connectsBefore = connects;

  const reads = Array.from({ length: 4 }, () => store.get('live') as Promise<unknown>);
  blockFor(CT * 2);
  const results = await Promise.allSettled(reads);
  await sleep(20);
  const stats = store.stats().members;
  t.log(`after a ${CT * 2} ms stall (commandTimeout ${CT} ms): reads ${results.map(r => (r.status === 'fulfilled' ? 'ok' : (r.reason as Error).name)).join(', ')}; timeouts ${stats.map(m => m.timeouts).join('/')}; healthy ${stats.map(m => m.healthy).join('/')}; disconnects ${disconnects}`);
  for (const r of results) t.like(r, { status: 'fulfilled', value: { user: 'live' } });
  for (let i = 0; i < 3; i++) t.is(memberStats(store, i).timeouts, 0);
  t.true(stats.every(m => m.healthy));
  t.is(connects, connectsBefore, 'no member was taken out (and brought back)');
  t.is(disconnects, 0);
  t.deepEqual(unhandled, []);
});
