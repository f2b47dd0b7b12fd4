// The redis-server processes one test file shares: started before its tests, closed after them.
import test from 'ava';
import { startServers, type RedisServer } from './redis-server.js';

/** `n` servers for this file's tests; the array is filled once they are up (in `test.before`). */
export function fileServers(n: number): RedisServer[] {
  const servers: RedisServer[] = [];
  test.before(async () => {
    servers.push(...(await startServers(n)));
  });
  test.after.always(async () => {
    await Promise.all(servers.map(s => s.close()));
  });
  return servers;
}
