// Local Redis Clusters for the tests (shared with the benchmarks).
export { RedisCluster, type ClusterNodeInfo } from '../../support/redis-cluster.js';
export { cli } from '../../support/redis-cli.js';
