// touchAfter: a touch within the interval of this process's last write or touch of that
// session sends nothing; after it, the touch goes out; destroy forgets. Commands are counted per
// member with INFO commandstats on servers only this test uses.
import test from 'ava';
import type { RedisClientType } from 'redis';
import { asSession, promised } from './helpers/foundation-util.js';
import { openFaultStore, ownServers, sleep } from './helpers/fault-kit.js';
import { directClient, eventually, rawValue, sessionWith } from './helpers/store.js';

/** Calls of `command` a server has run so far (INFO commandstats). */
async function calls(client: RedisClientType, command: string): Promise<number> {
  const info = await client.info('commandstats');
  const match = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info);
  return match ? Number(match[1]) : 0;
}

// Long enough that two touches in a row fall within it even on a busy machine.
const TOUCH_AFTER = 2000;

async function setup(t: Parameters<typeof ownServers>[0], touchAfter = TOUCH_AFTER) {
  const servers = await ownServers(t, 2);
  const store = await openFaultStore(t, servers, { touchAfter });
  const direct = await Promise.all(servers.map(s => directClient(t, s)));
  const pexpires = () => Promise.all(direct.map(c => calls(c, 'pexpire')));
  return { servers, store, direct, pexpires };
}

test('two touches within touchAfter send one PEXPIRE per member; a touch after the interval sends another', async t => {
  const { store, direct, pexpires } = await setup(t);
  const session = asSession(sessionWith({ user: 'ana' }, 600_000));
  // Written by another process: this one has no memory of it.
  for (const c of direct) await c.set(store.prefix + 'a', JSON.stringify(session), { PX: 600_000 });

  await promised(store.touch('a', session));
  await promised(store.touch('a', session));
  t.deepEqual(await pexpires(), [1, 1]);

  await sleep(TOUCH_AFTER + 50);
  await promised(store.touch('a', session));
  t.deepEqual(await pexpires(), [2, 2]);
});

test('a touch within touchAfter of this process writing the session sends nothing', async t => {
  const { store, pexpires } = await setup(t);
  const session = asSession(sessionWith({ user: 'bo' }, 600_000));
  await promised(store.set('b', session));
  await promised(store.touch('b', session));
  t.deepEqual(await pexpires(), [0, 0]);
});

test('destroy forgets the session: the next touch goes out', async t => {
  const { store, pexpires } = await setup(t);
  const session = asSession(sessionWith({ user: 'cy' }, 600_000));
  await promised(store.set('c', session));
  await promised(store.destroy('c'));
  await promised(store.touch('c', session));
  t.deepEqual(await pexpires(), [1, 1]);
});

test('touchAfter 0 (the default) sends every touch', async t => {
  const { store, pexpires } = await setup(t, 0);
  const session = asSession(sessionWith({ user: 'di' }, 600_000));
  await promised(store.set('d', session));
  await promised(store.touch('d', session));
  await promised(store.touch('d', session));
  t.deepEqual(await pexpires(), [2, 2]);
});

test('a session still expires when it is not touched, and touches skipped within touchAfter do not extend it', async t => {
  const { store, direct } = await setup(t, 60_000);
  const ttlMs = 1000;
  await promised(store.set('e', asSession(sessionWith({ user: 'ed' }, ttlMs))));
  await promised(store.set('f', asSession(sessionWith({ user: 'fy' }, ttlMs))));
  await sleep(ttlMs / 2);
  // Within touchAfter of the set: skipped, so 'f' keeps its first expiry.
  await promised(store.touch('f', asSession(sessionWith({ user: 'fy' }, ttlMs))));
  for (const sid of ['e', 'f']) {
    await eventually(async () => (await Promise.all(direct.map(c => rawValue(c, store.prefix + sid)))).every(v => v === null), 3000, `${sid} expired on every member`);
    t.is(await store.get(sid), null);
  }
});
