// The tests' redis-server processes: the one helper the tests, the benchmarks and the demo share.
export { RedisServer, freePort, ping, startServers, waitForPing } from '../../support/redis-server.js';
