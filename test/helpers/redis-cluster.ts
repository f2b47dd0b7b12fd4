// Local Redis Clusters for the tests (shared with the benchmarks), and what tests look at them with.
import type { ExecutionContext } from 'ava';
import { createCluster, type RedisClusterType } from 'redis';
import { cli } from '../../support/redis-cli.js';
import type { RedisCluster } from '../../support/redis-cluster.js';

export { RedisCluster, type ClusterNodeInfo } from '../../support/redis-cluster.js';
export { cli } from '../../support/redis-cli.js';

/** A cluster client of the test's own, to look at what a cluster member holds; closed after the test. */
export async function clusterClient(t: ExecutionContext, cluster: RedisCluster): Promise<RedisClusterType> {
  const client = createCluster({ rootNodes: cluster.rootNodes });
  client.on('error', () => undefined);
  await client.connect();
  t.teardown(() => client.destroy());
  return client as unknown as RedisClusterType;
}

/** How many keys under `prefix` each serving master holds (KEYS on each, fine for a test's few hundred). */
export async function keysPerMaster(cluster: RedisCluster, prefix: string): Promise<number[]> {
  const masters = await cluster.masters();
  return Promise.all(masters.map(async m => (await cli(m.port, ['--no-raw', 'keys', `${prefix}*`])).split('\n').filter(line => /\S/.test(line) && !line.includes('(empty')).length));
}
