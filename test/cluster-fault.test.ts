// Faults in a cluster member, beside a standalone member that carries the traffic (writeQuorum
// 1): a master killed (kill -9) until its replica is promoted, a master hung (SIGSTOP) until
// SIGCONT, and a slot range left uncovered. No request fails, the cluster member's failures are
// counted and reported on `error`, and it serves again once the cluster does.
import test, { type ExecutionContext } from 'ava';
import { createCluster } from 'redis';
import type { RedisStore } from '../src/index.js';
import { memberEntry } from '../src/members/connect.js';
import { Member } from '../src/members/member.js';
import { churn } from './helpers/churn.js';
import { LoopLag, memberStats, ownServers, promised, recordUnhandledRejections, sleep, waitHealthy } from './helpers/fault-kit.js';
import { cli, RedisCluster } from './helpers/redis-cluster.js';
import { eventually, openStore, sessionWith } from './helpers/store.js';

const unhandled = recordUnhandledRejections();

async function ownCluster(t: ExecutionContext, options: Parameters<typeof RedisCluster.start>[0]): Promise<RedisCluster> {
  const cluster = await RedisCluster.start(options);
  t.teardown(() => cluster.close());
  return cluster;
}

/** [cluster member, standalone member], writeQuorum 1, every member healthy; errors collected. */
async function openMixed(t: ExecutionContext, cluster: RedisCluster, commandTimeout = 1000): Promise<{ store: RedisStore; errors: Error[] }> {
  const [server] = await ownServers(t, 1);
  const store = await openStore(t, [], { clients: [{ cluster: { rootNodes: cluster.rootNodes } }, { port: server!.port }], commandTimeout }, { waitFor: 'all', timeoutMs: 15_000 });
  const errors: Error[] = [];
  store.on('error', (error: Error) => errors.push(error));
  return { store, errors };
}

/** Sessions written now reach the cluster: checked with a fresh cluster client of the test's own. */
async function clusterHolds(t: ExecutionContext, cluster: RedisCluster, store: RedisStore, ids: string[]): Promise<void> {
  await Promise.all(ids.map(id => promised(store.set(id, sessionWith({ id }) as never))));
  const client = createCluster({ rootNodes: cluster.rootNodes.filter((_, i) => cluster.nodes[i]!.alive) });
  client.on('error', () => undefined);
  await client.connect();
  t.teardown(() => client.destroy());
  await eventually(async () => (await Promise.all(ids.map(id => client.exists(store.prefix + id)))).every(n => n === 1), 5000, 'fresh writes on the cluster');
}

const FRESH = Array.from({ length: 30 }, (_, i) => `fresh${i}`);

test.serial('kill -9 of a cluster master fails no request; the member is healthy again once its replica is promoted', async t => {
  const cluster = await ownCluster(t, { masters: 3, replicas: 1, nodeTimeoutMs: 1000 });
  const { store, errors } = await openMixed(t, cluster);
  const load = churn(store);
  await sleep(1000);
  const victim = (await cluster.masters())[0]!;
  const killedAt = performance.now();
  victim.kill();
  await waitHealthy(store, 0, false, 5000);
  const downAfter = performance.now() - killedAt;
  await waitHealthy(store, 0, true, 20_000);
  const backAfter = performance.now() - killedAt;
  await sleep(1000);
  const result = await load.stop();
  t.log(`killed master ${victim.label}: cluster member out after ${Math.round(downAfter)} ms, healthy again after ${Math.round(backAfter)} ms (replica promoted)`);
  t.log(`load: ${result.calls} calls, slowest ${result.maxMs} ms; cluster member ${JSON.stringify(memberStats(store, 0))}`);
  t.deepEqual(result.failures, []);
  t.true(result.calls > 200, `${result.calls} calls`);
  t.true(errors.some(e => (e as { client?: unknown }).client === store.clients[0]), 'the outage was reported on error');
  t.true((await cluster.masters()).every(m => m !== victim), 'a replica serves the victim’s slots');
  await clusterHolds(t, cluster, store, FRESH);
  t.true(memberStats(store, 0).healthy);
  t.deepEqual(unhandled, []);
});

test.serial('a hung cluster master (SIGSTOP) times out, takes the member out, and it serves again after SIGCONT', async t => {
  // A node timeout longer than the hang: the cluster itself does not fail the master over.
  const cluster = await ownCluster(t, { masters: 3, nodeTimeoutMs: 20_000 });
  const { store, errors } = await openMixed(t, cluster);
  const lag = new LoopLag();
  const load = churn(store);
  await sleep(500);
  const victim = (await cluster.masters())[1]!;
  victim.stop();
  const stoppedAt = performance.now();
  await waitHealthy(store, 0, false, 10_000);
  const outAfter = performance.now() - stoppedAt;
  const during = memberStats(store, 0);
  await sleep(1000);
  victim.resume();
  const resumedAt = performance.now();
  await waitHealthy(store, 0, true, 5000);
  const backAfter = performance.now() - resumedAt;
  await sleep(500);
  const result = await load.stop();
  t.log(`stopped master ${victim.label}: member out after ${Math.round(outAfter)} ms (${during.timeouts} timeouts); healthy ${Math.round(backAfter)} ms after SIGCONT`);
  t.log(`load: ${result.calls} calls, slowest ${result.maxMs} ms`);
  t.deepEqual(result.failures, []);
  t.true(during.timeouts >= 3, `${during.timeouts} timeouts`);
  t.true(errors.some(e => e.name === 'MemberTimeoutError'), 'the take-out was reported');
  // Within commandTimeout (plus this process's own event-loop stalls on a loaded machine).
  const bound = 1000 + 500 + lag.maxMs;
  t.true(result.maxMs < bound, `no call waited much past commandTimeout (${result.maxMs} ms, bound ${Math.round(bound)} ms)`);
  const before = memberStats(store, 0).operations;
  await clusterHolds(t, cluster, store, FRESH);
  t.true(memberStats(store, 0).operations > before, 'the member takes operations again');
  t.deepEqual(unhandled, []);
});

test.serial('a cluster with an uncovered slot range fails only that member: operations succeed on the other, errors are counted and reported', async t => {
  const cluster = await ownCluster(t, { masters: 3, nodeTimeoutMs: 2000 });
  const { store, errors } = await openMixed(t, cluster);
  // Slots 0–99 served by nobody, in every node's view: the cluster refuses commands (CLUSTERDOWN).
  await Promise.all(cluster.nodes.map(n => cli(n.port, ['cluster', 'delslotsrange', '0', '99'])));
  await eventually(async () => (await cli(cluster.nodes[0]!.port, ['cluster', 'info'])).includes('cluster_state:fail'), 10_000, 'cluster_state:fail');
  const before = memberStats(store, 0).failures;
  const load = churn(store);
  await sleep(1500);
  const result = await load.stop();
  const after = memberStats(store, 0);
  t.log(`load: ${result.calls} calls, slowest ${result.maxMs} ms; cluster member ${JSON.stringify(after)}; ${errors.length} errors emitted (${[...new Set(errors.map(e => e.message))].join(' | ')})`);
  t.deepEqual(result.failures, []);
  t.true(after.failures - before > 10, `${after.failures - before} failures counted`);
  t.true(errors.some(e => /CLUSTERDOWN/.test(e.message) && (e as { client?: unknown }).client === store.clients[0]), 'CLUSTERDOWN reported on error');
  t.true(errors.length < 10, `not one error per command (${errors.length})`);
  // Scans leave the failing member out and answer from the other.
  t.true((await store.length()) > 0);
  t.true((await store.ids()).length > 0);
  // What an operator's status check sees: CLUSTER INFO on every master says so.
  const member = new Member(memberEntry({ cluster: { rootNodes: cluster.rootNodes } }, 'member'), { commandTimeout: 2000, unref: false }, { usable: () => undefined, unusable: () => undefined, error: () => undefined });
  member.start();
  t.teardown(() => member.close());
  await eventually(() => member.usable, 10_000, 'the member usable (every master connected)');
  const infos = await member.eachNode(['CLUSTER', 'INFO']);
  t.is(infos.length, 3);
  t.true(infos.every(i => i.outcome.ok && /cluster_state:fail/.test(String(i.outcome.reply)) && /cluster_slots_assigned:16284/.test(String(i.outcome.reply))), JSON.stringify(infos.map(i => i.node)));
  t.deepEqual(unhandled, []);
});
