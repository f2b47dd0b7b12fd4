// Hardening defect 10: read repair (from get, and from touch) never brings back a session that
// clear() was deleting. Each round opens a store on three members (writeQuorum 'all'), writes
// sessions, then runs clear() while gets and touches of those sessions keep coming; once clear()
// resolved and the store closed (which waits for background repairs), no member may hold any
// of them except as a tombstone.
import test from 'ava';
import type { RedisClientType } from 'redis';
import { asSession, direct, open, promised } from './helpers/foundation-util.js';
import { fileServers } from './helpers/file-servers.js';
import { sessionWith } from './helpers/store.js';

const servers = fileServers(3);
const ROUNDS = 40;
const SESSIONS = 30;

async function survivors(clients: RedisClientType[], prefix: string): Promise<string[]> {
  const left: string[] = [];
  for (const [i, client] of clients.entries()) {
    for await (const keys of client.scanIterator({ MATCH: prefix + '*', COUNT: 1000 })) for (const key of keys) left.push(`member ${i}: ${key}`);
  }
  return left;
}

type Racer = 'get' | 'touch';
const MIN_ROUNDS = 15;

for (const racers of [['get'], ['touch'], ['get', 'touch']] as Racer[][]) {
  test(`after clear() resolves, no session that existed when it was called is on any member, whatever ${racers.join(' and ')} calls ran meanwhile`, async t => {
    t.timeout(20_000);
    const clients = await Promise.all(servers.map(s => direct(t, s)));
    const started = Date.now();
    let rounds = 0;
    const bad: string[] = [];
    // At least MIN_ROUNDS whatever the machine's load; more while there is time.
    for (; rounds < ROUNDS && (rounds < MIN_ROUNDS || Date.now() - started < 6000); rounds++) {
      const store = await open(t, servers, { writeQuorum: 'all' });
      const sids = Array.from({ length: SESSIONS }, (_, i) => `r${rounds}-${i}`);
      const session = asSession(sessionWith({ round: rounds }, 600_000));
      await Promise.all(sids.map(sid => promised(store.set(sid, session))));

      let clearing = true;
      const ops: Promise<unknown>[] = [];
      const cleared = promised(store.clear()).finally(() => (clearing = false));
      while (clearing) {
        for (const sid of sids) {
          if (racers.includes('get')) ops.push(promised(store.get(sid)));
          if (racers.includes('touch')) ops.push(promised(store.touch(sid, session)));
        }
        await new Promise(resolve => setImmediate(resolve));
      }
      await cleared;
      await Promise.allSettled(ops);
      await promised(store.close()); // waits for the repairs reads left in the background
      const left = await survivors(clients, store.prefix);
      if (left.length > 0) bad.push(`round ${rounds}: ${left.length} keys survived, e.g. ${left[0]}`);
    }
    t.log(`${rounds} rounds in ${Date.now() - started} ms`);
    t.deepEqual(bad, []);
  });
}
