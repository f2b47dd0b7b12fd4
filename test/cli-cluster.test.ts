// The `expredis` command over a Redis Cluster member and a member behind Sentinel, given by their
// URL forms: status counts every master's sessions, diff and sync work in both directions between
// a cluster and a standalone server (the cluster's keys spread over every master), and status
// reports a cluster whose slots are not all served.
import test, { type ExecutionContext } from 'ava';
import { jsonOf, memberArgs, runCli } from './helpers/cli.js';
import { cli, clusterClient, keysPerMaster, RedisCluster } from './helpers/redis-cluster.js';
import { RedisSentinelGroup } from './helpers/redis-sentinel.js';
import { startServers, type RedisServer } from './helpers/redis-server.js';
import { directClient, openStore, sessionWith, uniquePrefix } from './helpers/store.js';

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

const clusterUrl = () => `redis+cluster://${cluster.nodes.map(n => n.label).join(',')}`;

/** `n` sessions on both members through the store, the first `destroyed` of them then destroyed. */
async function seed(t: ExecutionContext, prefix: string, n: number, destroyed: number): Promise<void> {
  const store = await openStore(t, [], { clients: [{ cluster: { rootNodes: cluster.rootNodes } }, { port: server.port }], prefix, writeQuorum: 'all', commandTimeout: 5000 }, { waitFor: 'all', timeoutMs: 20_000 });
  const sids = Array.from({ length: n }, (_, i) => `sid-${i}`);
  await Promise.all(sids.map((sid, i) => store.set(sid, sessionWith({ n: i }, (i + 1) * 60_000) as never)));
  await Promise.all(sids.slice(0, destroyed).map(sid => store.destroy(sid)));
  await store.close();
}

interface StatusReport {
  members: { label: string; kind: string; reachable: boolean; sessions: number; tombstones: number }[];
}
interface DiffReport {
  keys: number;
  agree: boolean;
  members: { label: string; missing: number }[];
}

test.serial('status, diff and sync over a cluster member and a standalone one, in both directions', async t => {
  const prefix = uniquePrefix(t);
  await seed(t, prefix, 90, 15);
  t.true((await keysPerMaster(cluster, prefix)).every(n => n > 0), 'keys on every master');
  const members = memberArgs([clusterUrl(), server.url]);

  const status = await runCli(['status', '--json', '--prefix', prefix, ...members]);
  t.is(status.code, 0, status.stderr);
  const report = jsonOf<StatusReport>(t, status);
  t.like(report.members[0], { label: cluster.label, kind: 'cluster', reachable: true, sessions: 75, tombstones: 15 });
  t.like(report.members[1], { label: server.label, kind: 'server', reachable: true, sessions: 75, tombstones: 15 });
  t.is((await runCli(['diff', '--prefix', prefix, ...members])).code, 0, 'the members agree');

  // The standalone member comes back empty: copied from the cluster.
  const direct = await directClient(t, server);
  await direct.flushAll();
  const missing = await runCli(['diff', '--json', '--prefix', prefix, ...members]);
  t.is(missing.code, 1, missing.stderr);
  t.like(jsonOf<DiffReport>(t, missing), { keys: 90, agree: false, members: [{ missing: 0 }, { label: server.label, missing: 90 }] });
  const toServer = await runCli(['sync', '--json', '--prefix', prefix, '--member', clusterUrl(), '--to', server.url]);
  t.is(toServer.code, 0, toServer.stderr);
  t.like(jsonOf(t, toServer), { copied: 90, tombstones: 15 });
  t.is((await runCli(['diff', '--prefix', prefix, ...members])).code, 0, 'agree after copying onto the server');

  // The cluster comes back empty: copied from the server onto every master, with the TTLs.
  await Promise.all((await cluster.masters()).map(m => cli(m.port, ['flushall'])));
  const toCluster = await runCli(['sync', '--json', '--prefix', prefix, '--member', server.url, '--to', clusterUrl()]);
  t.is(toCluster.code, 0, toCluster.stderr);
  t.like(jsonOf(t, toCluster), { copied: 90, tombstones: 15 });
  t.true((await keysPerMaster(cluster, prefix)).every(n => n > 0), 'copied onto every master');
  const client = await clusterClient(t, cluster);
  for (const key of (await direct.keys(`${prefix}*`)).slice(0, 30)) {
    const [source, copy] = await Promise.all([direct.pTTL(key), client.pTTL(key)]);
    t.true(copy > 0 && Math.abs(source - copy) < 1000, `${key}: TTL ${copy} on the cluster, ${source} on the source`);
  }
  t.is((await runCli(['diff', '--prefix', prefix, ...members])).code, 0, 'agree after copying onto the cluster');
});

test.serial('a sync whose target is the cluster it reads from is refused', async t => {
  const run = await runCli(['sync', '--member', clusterUrl(), '--member', server.url, '--to', `redis+cluster://${cluster.nodes[0]!.label}`]);
  t.is(run.code, 2, run.stderr);
  t.regex(run.stderr, /^expredis: .*(source|also)/);
});

test.serial('status over a member behind Sentinel, given as redis+sentinel://', async t => {
  const group = await RedisSentinelGroup.start();
  t.teardown(() => group.close());
  const url = `redis+sentinel://${group.sentinels.map(s => `127.0.0.1:${s.port}`).join(',')}/${group.name}`;
  const run = await runCli(['status', '--json', '--member', url]);
  t.is(run.code, 0, run.stderr);
  t.like(jsonOf<StatusReport>(t, run).members[0], { kind: 'sentinel', reachable: true, sessions: 0 });
  t.regex(jsonOf<StatusReport>(t, run).members[0]!.label, new RegExp(`^sentinel ${group.name}@127\\.0\\.0\\.1:\\d+$`));
});

// Last: it leaves the cluster without full coverage.
test.serial('status reports a cluster whose slots are not all served, and exits 1', async t => {
  await Promise.all(cluster.nodes.map(n => cli(n.port, ['cluster', 'delslotsrange', '0', '99']).catch(() => '')));
  const run = await runCli(['status', '--member', clusterUrl(), '--member', server.url]);
  t.is(run.code, 1, run.stdout + run.stderr);
  t.regex(run.stdout + run.stderr, /slot|uncovered|0-99/i);
});
