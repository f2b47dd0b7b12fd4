// Local Sentinel groups (a primary, a replica, three Sentinels) for the tests.
export { RedisSentinelGroup } from '../../support/redis-sentinel.js';
