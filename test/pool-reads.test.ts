// Reads whose decode runs in the pool: the read waits for the decode before it wraps up (so the
// member that missed is still repaired), and a scan whose decode fails in a worker fails as a
// whole, with nothing left running and no unhandled rejection.
import test from 'ava';
import { WorkerError } from '../src/index.js';
import { asSession, openHostileStore, realCookie } from './helpers/codec-util.js';
import { fileServers } from './helpers/file-servers.js';
import { directClient, eventually, rawValue } from './helpers/store.js';

const servers = fileServers(2);

test('a get decoded in the pool still repairs the member that lacks the session', async t => {
  const store = await openHostileStore(t, servers);
  const direct = [await directClient(t, servers[0]!), await directClient(t, servers[1]!)];
  await store.set('lost', asSession({ cookie: realCookie(), n: 1 }));
  const key = store.prefix + 'lost';
  await direct[1]!.del(key);
  t.like(await store.get('lost'), { n: 1 });
  await eventually(async () => (await rawValue(direct[1]!, key)) !== null, 3000, 'the member that missed repaired');
  t.deepEqual(await rawValue(direct[1]!, key), await rawValue(direct[0]!, key));
});

test('all() whose decode kills its worker fails with WorkerError, with no unhandled rejection', async t => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  t.teardown(() => void process.off('unhandledRejection', onUnhandled));
  // One member, a few SCAN pages: a page that fails is rarely the one the walk is waiting on.
  const store = await openHostileStore(t, servers.slice(0, 1), { scanCount: 2 });
  for (let i = 0; i < 5; i++) await store.set(`s${i}`, asSession({ cookie: realCookie(), i }));
  await store.set('poison', asSession({ cookie: realCookie(), hostileParse: 'exit' }));
  await t.throwsAsync(store.all(), { instanceOf: WorkerError });
  await new Promise(resolve => setTimeout(resolve, 200)); // a page left running would reject by now
  t.deepEqual(unhandled, []);
  t.like(await store.get('s1'), { i: 1 }, 'the store goes on with a new worker');
});
