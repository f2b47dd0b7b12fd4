// Fault: kill -9 of one member of three, the one that wins most reads, under steady HTTP load.
// Users must notice nothing: no failed request, no lost session.
import test from 'ava';
import { startApp } from './helpers/app.js';
import { likelyReadWinner, memberStats, openFaultStore, ownServers, recordUnhandledRejections, sleep } from './helpers/fault-kit.js';
import { describeFailures, loginAll, makeUsers, runLoad, summarize } from './helpers/load.js';

const unhandled = recordUnhandledRejections();

const RATE = 60; // requests/s of /whoami across the logged-in users
const LOGIN_RATE = 5; // new users logging in during the same phase
const USERS = 150; // enough idle users to keep the rate even when a loaded machine slows responses

test('kill -9 of the member that wins most reads, under load, fails no request and loses no session', async t => {
  const servers = await ownServers(t, 3);
  const store = await openFaultStore(t, servers, { commandTimeout: 1000 });
  const app = await startApp(t, store);
  const users = makeUsers(app.url, USERS);
  await loginAll(users);
  const late = makeUsers(app.url, 60, 'late'); // each logs in once, during the load

  // Warm-up: let stats() see which member answers fastest.
  const warm = await runLoad({ users, rate: RATE, durationMs: 2000 });
  t.is(warm.failures.length, 0, describeFailures(warm.failures));
  const victim = likelyReadWinner(store);
  const before = store.stats().members;
  t.log(`warm-up ${JSON.stringify(warm.summary)}; member latencies p50 ${before.map(m => m.latencyMs.p50).join(' / ')} ms → killing member ${victim} (${servers[victim]!.label})`);

  let killedAt = Infinity;
  const killer = sleep(2500).then(() => {
    killedAt = performance.now();
    servers[victim]!.kill();
  });
  const [main, logins] = await Promise.all([
    runLoad({ users, rate: RATE, durationMs: 7000 }),
    runLoad({ users: late, rate: LOGIN_RATE, durationMs: 7000, path: u => `/login?user=${u.name}` }),
    killer,
  ]);

  const all = [...main.records, ...logins.records];
  const afterKill = all.filter(r => r.endAt > killedAt);
  const overall = summarize(all, 7000);
  t.log(`load: ${JSON.stringify(overall)}; after the kill: ${JSON.stringify(summarize(afterKill))}`);
  t.true(overall.rate >= 50, `load ran at ${overall.rate} requests/s`);
  t.true(afterKill.length >= 150, `${afterKill.length} requests after the kill`);
  t.is(main.failures.length + logins.failures.length, 0, describeFailures([...main.failures, ...logins.failures]));

  // The store saw it: the victim is out, the others carry on.
  const victimStats = memberStats(store, victim);
  t.false(victimStats.healthy);
  t.log(`victim stats after: ${JSON.stringify(victimStats)}`);

  // Zero lost sessions: every login acknowledged (before the kill, and after) reads back.
  const acknowledged = [...users, ...logins.records.filter(r => r.ok).map(r => r.user)];
  const ackBeforeKill = users.length + logins.records.filter(r => r.ok && r.endAt < killedAt).length;
  const lost: string[] = [];
  for (const user of acknowledged) {
    const session = (await store.get(user.browser.sid!)) as { user?: string } | null;
    if (session?.user !== user.name) lost.push(user.name);
  }
  t.log(`${acknowledged.length} acknowledged sessions (${ackBeforeKill} before the kill) read back after it; lost: ${lost.length}`);
  t.deepEqual(lost, []);
  t.deepEqual(unhandled, []);
});
