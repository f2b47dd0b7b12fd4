// Local Redis Clusters and Sentinel groups for the tests (shared with the benchmarks).
export { RedisCluster, type ClusterNodeInfo } from '../../support/redis-cluster.js';
export { RedisSentinelGroup } from '../../support/redis-sentinel.js';
export { cli } from '../../support/redis-cli.js';
