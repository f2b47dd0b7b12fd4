// Fault: a member is killed and comes back empty on the same port. Reads repair the sessions onto
// it with the winner's remaining TTL, so that once the others die it still holds every session.
import test from 'ava';
import { startApp } from './helpers/app.js';
import { memberStats, openFaultStore, ownServers, recordUnhandledRejections, waitHealthy } from './helpers/fault-kit.js';
import { describeFailures, loginAll, makeUsers, runLoad, summarize } from './helpers/load.js';
import { directClient, eventually, rawValue, sessionWith } from './helpers/store.js';

const unhandled = recordUnhandledRejections();

const SHORTENED_TTL = 20_000; // the surviving copies' TTL, set directly, well away from the cookie's 60 s

test('a member restarted empty gets sessions back by read repair, with the winner TTL, and then serves them alone', async t => {
  const servers = await ownServers(t, 3);
  const [a, b, c] = servers as [typeof servers[0], typeof servers[0], typeof servers[0]];
  const store = await openFaultStore(t, servers, { commandTimeout: 500 });
  const app = await startApp(t, store);
  const users = makeUsers(app.url, 40);
  await loginAll(users);
  const key = (sid: string) => store.prefix + sid;

  await b.killAndWait();
  await waitHealthy(store, 1, false);
  await b.restart();
  await waitHealthy(store, 1, true, 5000);
  const directA = await directClient(t, a);
  const directB = await directClient(t, b);
  const directC = await directClient(t, c);
  t.is(await directB.dbSize(), 0, 'the member came back empty');

  // Give the surviving copies a TTL that neither the cookie nor a fresh write would give, so the
  // repaired TTL can only match it if repair copies the winner's PTTL.
  for (const u of users) {
    await directA.pExpire(key(u.browser.sid!), SHORTENED_TTL);
    await directC.pExpire(key(u.browser.sid!), SHORTENED_TTL);
  }

  // Read every session through the store (a read, not a write: the app's resave would write).
  for (const u of users) t.like(await store.get(u.browser.sid!), { user: u.name });
  await eventually(async () => {
    for (const u of users) if ((await directB.exists(key(u.browser.sid!))) === 0) return false;
    return true;
  }, 5000, 'every session repaired onto the restarted member');

  const drift: number[] = [];
  for (const u of users) {
    const k = key(u.browser.sid!);
    const [onB, onA, pttlB, pttlA, pttlC] = await Promise.all([rawValue(directB, k), rawValue(directA, k), directB.pTTL(k), directA.pTTL(k), directC.pTTL(k)]);
    t.deepEqual(onB, onA, 'the repaired bytes are the winner bytes');
    drift.push(Math.max(Math.abs(pttlB - pttlA), Math.abs(pttlB - pttlC)));
    t.true(pttlB > 0 && pttlB <= SHORTENED_TTL, `repaired PTTL ${pttlB}`);
  }
  const maxDrift = Math.max(...drift);
  t.log(`${users.length} sessions repaired; repaired PTTL differs from the survivors' by at most ${maxDrift} ms; repairs counted: ${memberStats(store, 1).repairs}`);
  t.true(maxDrift <= 2000);
  t.true(memberStats(store, 1).repairs >= users.length);

  // Every other member dies: the repaired member alone serves every session over HTTP.
  a.kill();
  c.kill();
  await waitHealthy(store, 0, false);
  await waitHealthy(store, 2, false);
  const alone = await runLoad({ users, rate: 50, durationMs: 1500 });
  t.log(`served by the repaired member alone: ${JSON.stringify(summarize(alone.records))}`);
  t.is(alone.failures.length, 0, describeFailures(alone.failures));
  t.true(users.every(u => alone.records.some(r => r.user === u && r.ok)), 'every user was served');
  t.deepEqual(unhandled, []);
});

test('a member restarted empty gets sessions back through touch, where the expiry update finds no key', async t => {
  const servers = await ownServers(t, 3);
  const store = await openFaultStore(t, servers, { commandTimeout: 500 });
  const sessions = Array.from({ length: 30 }, (_, i) => ({ sid: `touched-${i}`, session: sessionWith({ user: `u${i}` }, 60_000) }));
  for (const { sid, session } of sessions) await store.set(sid, session as never);
  const restarted = servers[2]!;
  await restarted.killAndWait();
  await waitHealthy(store, 2, false);
  await restarted.restart();
  await waitHealthy(store, 2, true, 5000);
  const direct = await directClient(t, restarted);
  t.is(await direct.dbSize(), 0);

  // Only touches (no read): what express-session does for an unmodified session with resave: false.
  for (const { sid, session } of sessions) await store.touch(sid, session as never);
  await eventually(async () => {
    for (const { sid } of sessions) if ((await direct.exists(store.prefix + sid)) === 0) return false;
    return true;
  }, 5000, 'touched sessions written to the restarted member');
  for (const { sid, session } of sessions) {
    t.deepEqual(JSON.parse(String(await rawValue(direct, store.prefix + sid))), session);
    const pttl = await direct.pTTL(store.prefix + sid);
    t.true(pttl > 55_000 && pttl <= 60_000, `PTTL ${pttl} from the cookie`);
  }
  t.log(`${sessions.length} touched sessions are back on the restarted member; repairs counted: ${memberStats(store, 2).repairs}`);
  t.deepEqual(unhandled, []);
});
