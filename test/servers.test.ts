import test from 'ava';
import { ping, RedisServer } from './helpers/redis-server.js';

test('a test server answers PING, hangs when stopped, answers again when resumed, and comes back empty after restart', async t => {
  const server = await RedisServer.start();
  t.teardown(() => server.close());
  t.true(await ping(server.port, 500));
  server.stop();
  t.false(await ping(server.port, 300));
  server.resume();
  t.true(await ping(server.port, 1000));
  await server.restart();
  t.true(await ping(server.port, 500));
  await server.killAndWait();
  t.false(await ping(server.port, 300));
});
