// A member behind Sentinel follows a failover of its primary: a store with that member beside a
// standalone one (writeQuorum 1) fails no request while reading and writing throughout, and
// afterwards its writes land on the promoted server. A store with the Sentinel member alone runs
// through the same failover at the same time; its failures (none or few through SENTINEL
// FAILOVER, those while no primary exists after a kill) are measured and logged.
import test, { type ExecutionContext } from 'ava';
import { createClient } from 'redis';
import type { RedisStore } from '../src/index.js';
import { churn, type ChurnResult } from './helpers/churn.js';
import { memberStats, ownServers, promised, recordUnhandledRejections, sleep } from './helpers/fault-kit.js';
import { RedisSentinelGroup } from './helpers/redis-sentinel.js';
import { eventually, openStore, sessionWith } from './helpers/store.js';

const unhandled = recordUnhandledRejections();

async function ownGroup(t: ExecutionContext): Promise<RedisSentinelGroup> {
  const group = await RedisSentinelGroup.start({ downAfterMs: 1000, failoverTimeoutMs: 5000 });
  t.teardown(() => group.close());
  return group;
}

/** The mixed store ([sentinel member, standalone]) and the Sentinel-only store. */
async function openStores(t: ExecutionContext, group: RedisSentinelGroup): Promise<{ mixed: RedisStore; solo: RedisStore }> {
  const [server] = await ownServers(t, 1);
  const sentinel = { sentinel: { name: group.name, sentinelRootNodes: group.sentinelRootNodes } };
  const mixed = await openStore(t, [], { clients: [sentinel, { port: server!.port }], commandTimeout: 1000 }, { waitFor: 'all', timeoutMs: 15_000 });
  const solo = await openStore(t, [], { clients: [sentinel], commandTimeout: 1000 }, { waitFor: 'all', timeoutMs: 15_000 });
  for (const store of [mixed, solo]) store.on('error', () => undefined);
  return { mixed, solo };
}

/** Writes through the store now land on the server at `port` (checked with a direct client). */
async function landsOn(t: ExecutionContext, store: RedisStore, port: number): Promise<void> {
  const ids = Array.from({ length: 10 }, (_, i) => `after${i}`);
  await Promise.all(ids.map(id => promised(store.set(id, sessionWith({ id }) as never))));
  const client = createClient({ socket: { port, host: '127.0.0.1', reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  t.teardown(() => client.destroy());
  t.regex(await client.info('replication'), /role:master/);
  await eventually(async () => (await Promise.all(ids.map(id => client.exists(store.prefix + id)))).every(n => n === 1), 5000, `writes on the new primary ${port}`);
}

function describe(result: ChurnResult): string {
  return `${result.calls} calls, ${result.failures.length} failed${result.failures.length ? ` over ${result.failingMs} ms (first: ${result.failures[0]})` : ''}, slowest ${result.maxMs} ms`;
}

async function throughFailover(t: ExecutionContext, group: RedisSentinelGroup, fault: () => Promise<unknown>): Promise<void> {
  const { mixed, solo } = await openStores(t, group);
  const before = await group.primaryPort();
  const loads = [churn(mixed), churn(solo)];
  await sleep(1000);
  const started = performance.now();
  await fault();
  await eventually(async () => (await group.primaryPort()) !== before, 20_000, 'a new primary');
  const promotedAfter = performance.now() - started;
  // Until the Sentinel member answers again through the new primary, then a little more.
  await eventually(() => memberStats(solo, 0).healthy && memberStats(mixed, 0).healthy, 20_000, 'the Sentinel member healthy');
  await sleep(1500);
  const [mixedResult, soloResult] = await Promise.all(loads.map(l => l.stop()));
  const after = await group.primaryPort();
  t.log(`primary ${before} → ${after} in ${Math.round(promotedAfter)} ms`);
  t.log(`mixed store: ${describe(mixedResult!)}; Sentinel member ${JSON.stringify(memberStats(mixed, 0))}`);
  t.log(`Sentinel-only store: ${describe(soloResult!)}`);
  t.deepEqual(mixedResult!.failures, [], 'no failed request with a standalone member beside it');
  t.true(mixedResult!.calls > 200, `${mixedResult!.calls} calls`);
  t.is(memberStats(mixed, 0).label, group.label);
  t.is(memberStats(mixed, 0).kind, 'sentinel');
  await landsOn(t, mixed, after);
  await landsOn(t, solo, after);
  t.deepEqual(unhandled, []);
}

test.serial('a Sentinel member follows SENTINEL FAILOVER with no failed request', async t => {
  const group = await ownGroup(t);
  // node-redis's Sentinel client holds commands while it switches to the promoted primary: a
  // Sentinel-only store mostly waits that out, but a switch slower than commandTimeout fails some.
  await throughFailover(t, group, () => group.failover());
});

test.serial('a Sentinel member follows a failover after its primary is killed with no failed request', async t => {
  const group = await ownGroup(t);
  // With no primary until the Sentinels notice (down-after-milliseconds) and promote the replica,
  // a Sentinel-only store fails requests for that window (logged); the standalone member covers it.
  await throughFailover(t, group, () => group.killPrimary());
});
