import test from 'ava';
import { startServers, type RedisServer } from './helpers/redis-server.js';
import { openStore, sessionWith } from './helpers/store.js';

let servers: RedisServer[] = [];
test.before(async () => {
  servers = await startServers(2);
});
test.after.always(async () => {
  await Promise.all(servers.map(s => s.close()));
});

test('set then get returns the session', async t => {
  const store = await openStore(t, servers);
  const session = sessionWith({ firstName: 'Peter' });
  await store.set('abc', session as never);
  t.deepEqual(await store.get('abc'), session);
});

test('get of a missing id yields null', async t => {
  const store = await openStore(t, servers);
  t.is(await store.get('nope'), null);
});

import { Browser, startApp } from './helpers/app.js';

test('the seed example works over HTTP: /setter then /getter', async t => {
  const store = await openStore(t, servers);
  const app = await startApp(t, store);
  const browser = new Browser(app.url);
  t.is((await browser.get('/setter')).status, 200);
  const got = await browser.get('/getter');
  t.like(got.body, { firstName: 'Peter', lastName: 'Pluck' });
});
