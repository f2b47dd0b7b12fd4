// Fault: every member hangs (SIGSTOP on all three) under HTTP load. Requests must end fast,
// either with a 500 naming a store error or without a session (express-session's bypass after
// `disconnect`), and service must come back within 5 s of SIGCONT. commandTimeout is 1000 ms (the
// default): on a shared 2-core machine a shorter one is also hit by healthy members.
import test from 'ava';
import { startApp } from './helpers/app.js';
import { openFaultStore, ownServers, recordUnhandledRejections } from './helpers/fault-kit.js';
import { describeFailures, loginAll, makeUsers, runLoad, summarize, type Reply, type VirtualUser } from './helpers/load.js';
import { eventually } from './helpers/store.js';

const unhandled = recordUnhandledRejections();

const COMMAND_TIMEOUT = 1000;
const MARGIN = 500; // HTTP and express on a shared, loaded 2-core machine, on top of the store's own bound
const RATE = 50;
const STORE_ERRORS = ['NoMemberError', 'QuorumError', 'MemberTimeoutError'];

const served = (_u: VirtualUser, r: Reply) => r.status === 200 && r.body.firstName === 'Peter';
const clean = (_u: VirtualUser, r: Reply) =>
  served(_u, r) || (r.status === 500 && STORE_ERRORS.includes(String(r.body.error))) || (r.status === 200 && r.body.hasSession === false);

test('every member hung: requests fail cleanly and fast, disconnect fires, service resumes within 5 s of SIGCONT', async t => {
  const servers = await ownServers(t, 3);
  const store = await openFaultStore(t, servers, { commandTimeout: COMMAND_TIMEOUT });
  const events: { name: string; at: number }[] = [];
  for (const name of ['connect', 'disconnect'] as const) store.on(name, () => events.push({ name, at: performance.now() }));
  store.on('error', () => undefined);
  const app = await startApp(t, store);
  const users = makeUsers(app.url, 100);
  await loginAll(users, 10, () => '/setter');

  const baseline = await runLoad({ users, rate: RATE, durationMs: 1500, path: () => '/getter', check: served });
  t.is(baseline.failures.length, 0, describeFailures(baseline.failures));

  const stoppedAt = performance.now();
  for (const s of servers) s.stop();
  const hung = await runLoad({ users, rate: RATE, durationMs: 3000, path: () => '/getter', check: clean, timeoutMs: 5000 });
  const statuses = countBy(hung.records.map(r => (r.status === 500 ? `500 ${String(r.body?.error)}` : r.status === 200 ? `200 hasSession=${String(r.body?.hasSession)}` : String(r.status || r.error))));
  t.log(`commandTimeout ${COMMAND_TIMEOUT} ms; all hung: ${JSON.stringify(hung.summary)} ${JSON.stringify(statuses)}`);
  t.is(hung.failures.length, 0, describeFailures(hung.failures));
  t.true(hung.summary.max <= COMMAND_TIMEOUT + MARGIN, `slowest request ${hung.summary.max} ms`);
  const disconnects = events.filter(e => e.name === 'disconnect');
  t.is(disconnects.length, 1, 'disconnect fires once');
  t.log(`disconnect ${Math.round(disconnects[0]!.at - stoppedAt)} ms after SIGSTOP; stats: ${JSON.stringify(store.stats().members.map(m => ({ healthy: m.healthy, timeouts: m.timeouts })))}`);
  t.true(hung.records.some(r => r.status === 200 && r.body?.hasSession === false), 'express-session bypasses the store after disconnect');

  const resumedAt = performance.now();
  for (const s of servers) s.resume();
  await eventually(() => events.some(e => e.name === 'connect' && e.at > resumedAt), 5000, 'connect after SIGCONT');
  const connectAfter = events.find(e => e.name === 'connect' && e.at > resumedAt)!.at - resumedAt;
  // Sessions readable again: every user is known again, within 5 s of SIGCONT.
  const disconnectsBefore = events.filter(e => e.name === 'disconnect').length;
  const back = await runLoad({ users, rate: RATE, durationMs: 2000, path: () => '/getter', check: served });
  t.is(events.filter(e => e.name === 'disconnect').length, disconnectsBefore, 'no disconnect after the recovery');
  const firstServed = back.records.find(r => r.ok);
  const lastFailed = back.records.filter(r => !r.ok).at(-1);
  t.log(`connect ${Math.round(connectAfter)} ms after SIGCONT; after: ${JSON.stringify(back.summary)}, ${back.failures.length} not served (last at ${lastFailed ? Math.round(lastFailed.endAt - resumedAt) : '-'} ms)`);
  t.truthy(firstServed);
  t.true(firstServed!.endAt - resumedAt <= 5000);
  t.is(back.failures.length, 0, describeFailures(back.failures));
  t.true(summarize(back.records).count >= 80);
  t.true(store.stats().members.every(m => m.healthy));
  t.deepEqual(unhandled, []);
});

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
