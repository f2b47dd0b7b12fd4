// A store whose first member is a three-master Redis Cluster and whose second is a standalone
// server: every operation (set, get, touch, destroy, length, ids, all, clear, read repair) works
// across many ids, so that keys land on every master; stats name each member's kind.
import test, { type ExecutionContext } from 'ava';
import { RESP_TYPES, type RedisClusterType } from 'redis';
import type { ExpredisOptions, RedisStore } from '../src/index.js';
import { memberEntry } from '../src/members/connect.js';
import { Member } from '../src/members/member.js';
import { scanPages } from '../src/members/fan-out.js';
import { isTombstone, promised, recordUnhandledRejections } from './helpers/fault-kit.js';
import { clusterClient, keysPerMaster, RedisCluster } from './helpers/redis-cluster.js';
import { startServers, type RedisServer } from './helpers/redis-server.js';
import { directClient, eventually, openStore, rawValue, sessionWith } from './helpers/store.js';

const unhandled = recordUnhandledRejections();

let cluster: RedisCluster;
let server: RedisServer;

test.before(async () => {
  let servers: RedisServer[];
  [cluster, servers] = await Promise.all([RedisCluster.start({ masters: 3 }), startServers(1)]);
  server = servers[0]!;
});

test.after.always(async () => {
  await Promise.all([cluster?.close(), server?.close()]);
});

/** The store over [the cluster, the standalone server], every member healthy. */
async function openMixed(t: ExecutionContext, options: Partial<ExpredisOptions> = {}): Promise<RedisStore> {
  const store = await openStore(t, [], { clients: [{ cluster: { rootNodes: cluster.rootNodes } }, { port: server.port }], writeQuorum: 'all', ...options }, { waitFor: 'all', timeoutMs: 15_000 });
  return store;
}

async function clusterRaw(client: RedisClusterType, key: string): Promise<Buffer | null> {
  return client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get(key) as Promise<Buffer | null>;
}

const IDS = Array.from({ length: 120 }, (_, i) => `id${i}`);

test('set, get, touch and destroy work on a cluster member beside a standalone one, over ids on every master', async t => {
  const store = await openMixed(t);
  const direct = await clusterClient(t, cluster);
  const standalone = await directClient(t, server);
  await Promise.all(IDS.map(id => promised(store.set(id, sessionWith({ id }, 60_000) as never))));
  const spread = await keysPerMaster(cluster, store.prefix);
  t.log(`keys per master: ${spread.join(', ')}`);
  t.is(spread.length, 3);
  t.true(spread.every(n => n > 0), 'every master holds some sessions');
  for (const id of IDS.slice(0, 20)) {
    t.like(await store.get(id), { id });
    const key = store.prefix + id;
    t.deepEqual(await clusterRaw(direct, key), await rawValue(standalone, key), `${id}: both members hold the same bytes`);
  }
  // touch: a new expiry on every master
  await Promise.all(IDS.map(id => promised(store.touch(id, sessionWith({ id }, 600_000) as never))));
  const pttls = await Promise.all(IDS.map(id => direct.pTTL(store.prefix + id)));
  t.true(pttls.every(ms => ms > 60_000 && ms <= 600_000), `PTTLs after touch: ${Math.min(...pttls)}–${Math.max(...pttls)} ms`);
  // destroy: a tombstone on the cluster member too (an EVAL with one key, routed by it)
  await Promise.all(IDS.slice(0, 30).map(id => promised(store.destroy(id))));
  for (const id of IDS.slice(0, 30)) {
    t.is(await store.get(id), null);
    t.true(isTombstone(await clusterRaw(direct, store.prefix + id)), `${id}: tombstone on the cluster`);
  }
  t.deepEqual(unhandled, []);
});

test('length, ids, all and clear cover every master of the cluster', async t => {
  const store = await openMixed(t, { scanCount: 10 });
  await Promise.all(IDS.map(id => promised(store.set(id, sessionWith({ id }) as never))));
  await Promise.all(IDS.slice(0, 10).map(id => promised(store.destroy(id))));
  const live = IDS.slice(10);
  t.is(await store.length(), live.length);
  t.deepEqual((await store.ids()).sort(), [...live].sort());
  const all = await store.all();
  t.deepEqual(all.map(s => s.id).sort(), [...live].sort());
  t.true(all.every(s => (s as unknown as { id: string }).id === s.id));
  await promised(store.clear());
  t.deepEqual(await keysPerMaster(cluster, store.prefix), [0, 0, 0], 'no key under the prefix on any master');
  t.is(await store.length(), 0);
});

test('the cluster member alone answers length, ids and all when it holds sessions the server lacks', async t => {
  const store = await openMixed(t);
  const direct = await clusterClient(t, cluster);
  const ids = IDS.slice(0, 60);
  // Written to the cluster only, as plain JSON (what a json store writes).
  await Promise.all(ids.map(id => direct.set(store.prefix + id, JSON.stringify(sessionWith({ id })), { expiration: { type: 'PX', value: 60_000 } })));
  t.is(await store.length(), ids.length);
  t.deepEqual((await store.ids()).sort(), [...ids].sort());
  t.is((await store.all()).length, ids.length);
});

test('read repair writes a session onto the cluster member, and from it onto the standalone one', async t => {
  const store = await openMixed(t);
  const direct = await clusterClient(t, cluster);
  const standalone = await directClient(t, server);
  const toCluster = IDS.slice(0, 15);
  const fromCluster = IDS.slice(15, 30);
  await Promise.all(toCluster.map(id => standalone.set(store.prefix + id, JSON.stringify(sessionWith({ id })), { expiration: { type: 'PX', value: 60_000 } })));
  await Promise.all(fromCluster.map(id => direct.set(store.prefix + id, JSON.stringify(sessionWith({ id })), { expiration: { type: 'PX', value: 60_000 } })));
  for (const id of [...toCluster, ...fromCluster]) t.like(await store.get(id), { id });
  await eventually(async () => (await Promise.all(toCluster.map(id => direct.exists(store.prefix + id)))).every(n => n === 1), 10_000, 'repairs onto the cluster');
  await eventually(async () => (await Promise.all(fromCluster.map(id => standalone.exists(store.prefix + id)))).every(n => n === 1), 10_000, 'repairs onto the server');
  const pttl = await direct.pTTL(store.prefix + toCluster[0]!);
  t.true(pttl > 0 && pttl <= 60_000, `a repaired copy keeps the remaining TTL (${pttl} ms)`);
  await eventually(() => store.stats().members.every(m => m.repairs > 0), 5000, 'both members counted repairs');
});

test('stats name each member by kind: the cluster by its first root node, the server by host:port', async t => {
  const store = await openMixed(t);
  const [clusterStats, serverStats] = store.stats().members;
  t.is(clusterStats!.kind, 'cluster');
  t.is(clusterStats!.label, cluster.label);
  t.is(clusterStats!.label, `cluster 127.0.0.1:${cluster.nodes[0]!.port}`);
  t.true(clusterStats!.ready && clusterStats!.healthy);
  t.is(serverStats!.kind, 'server');
  t.is(serverStats!.label, server.label);
});

test('a cluster member answers eachNode from every master and scans every master', async t => {
  const entry = memberEntry({ cluster: { rootNodes: cluster.rootNodes } }, 'member');
  const member = new Member(entry, { commandTimeout: 2000, unref: false }, { usable: () => undefined, unusable: () => undefined, error: () => undefined });
  member.start();
  t.teardown(() => member.close());
  await eventually(() => member.usable, 10_000, 'the cluster member usable');
  t.is(member.kind, 'cluster');
  const pings = await member.eachNode(['PING']);
  const masters = (await cluster.masters()).map(m => m.label).sort();
  t.deepEqual(pings.map(p => p.node).sort(), masters);
  t.true(pings.every(p => p.outcome.ok && p.outcome.reply === 'PONG'));
  const infos = await member.eachNode(['CLUSTER', 'INFO']);
  t.true(infos.every(i => i.outcome.ok && String(i.outcome.reply).includes('cluster_state:ok')));
  // SET through call() routes by key; a scan of the member sees keys of every master.
  const prefix = 'each-node:';
  await Promise.all(IDS.map(id => member.call(['SET', prefix + id, 'x', 'PX', '60000'], false)));
  const seen: string[] = [];
  for await (const page of scanPages(member, `${prefix}*`, 7)) seen.push(...page);
  t.deepEqual(seen.sort(), IDS.map(id => prefix + id).sort());
});
