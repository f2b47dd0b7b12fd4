// Hardening defect 4: length, ids, all and clear are exact with 100,000 sessions per member, and
// work page by page. The members' clients get a command queue of a few scan pages
// (commandsQueueMaxLength, under 1% of the keys): a scan that sent one command per key at once
// would overflow it.
import test from 'ava';
import type { RedisClientType } from 'redis';
import { direct, open, promised, asSession } from './helpers/foundation-util.js';
import { fileServers } from './helpers/file-servers.js';
import { rawValue, sessionWith } from './helpers/store.js';

const servers = fileServers(2);
const SCAN_COUNT = 100;

/** SETs pipelined in batches from a direct client. */
async function plant(client: RedisClientType, entries: Iterable<[string, string | Buffer]>): Promise<void> {
  let batch: Promise<unknown>[] = [];
  for (const [key, value] of entries) {
    batch.push(client.set(key, value));
    if (batch.length === 5000) {
      await Promise.all(batch);
      batch = [];
    }
  }
  await Promise.all(batch);
}

function* range(from: number, to: number, key: (i: number) => string, value: string | Buffer): Generator<[string, string | Buffer]> {
  for (let i = from; i < to; i++) yield [key(i), value];
}

test('length, ids, all and clear are exact with 100,000 sessions per member, within a command queue of a few scan pages', async t => {
  t.timeout(120_000);
  const [a, b] = await Promise.all(servers.map(s => direct(t, s)));
  // Writes the model values: msgpack, so that its sessions carry a write version as tombstones do.
  const store = await open(t, servers, { writeQuorum: 'all', serializer: 'msgpack' });
  const bounded = await open(
    t,
    servers,
    {
      // What a walk may have in flight on one member: up to 4 pages per member's walk (src/scan.ts
      // PAGES_IN_FLIGHT), each a script call and, in all(), one GET per key; plus the SCANs.
      clients: servers.map(s => ({ port: s.port, commandsQueueMaxLength: 2 * 4 * (SCAN_COUNT + 1) + 4 })),
      prefix: store.prefix,
      writeQuorum: 'all',
      scanCount: SCAN_COUNT,
      commandTimeout: 10_000,
    },
  );
  const errors: unknown[] = [];
  bounded.on('error', (error: unknown) => errors.push(error));
  const p = store.prefix;

  // A tombstone and a (versioned) session newer than it, as destroy and set write them.
  await promised(store.destroy('model-tombstone'));
  const tombstone = (await rawValue(a!, p + 'model-tombstone'))!;
  await promised(store.set('model-newer', asSession(sessionWith({ newer: true }, 3_600_000))));
  const newer = (await rawValue(a!, p + 'model-newer'))!;
  await Promise.all([a!, b!].map(c => c.del([p + 'model-tombstone', p + 'model-newer'])));
  const plain = JSON.stringify(sessionWith({ plain: true }, 3_600_000));

  // Per member 100,000 sessions: 90,000 on both, 10,000 on one member only.
  // Not sessions: 3,000 tombstoned on both, 2,000 tombstoned on A over an older plain copy on B,
  // a hash, 4,000 keys outside the prefix on each. Sessions again: 1,000 with a tombstone on A and a
  // newer session on B.
  const id = (i: number) => p + 's' + i;
  await plant(a!, range(0, 90_000, id, plain));
  await plant(b!, range(0, 90_000, id, plain));
  await plant(a!, range(90_000, 100_000, id, plain));
  await plant(b!, range(100_000, 110_000, id, plain));
  await plant(a!, range(110_000, 113_000, id, tombstone));
  await plant(b!, range(110_000, 113_000, id, tombstone));
  await plant(a!, range(113_000, 115_000, id, tombstone));
  await plant(b!, range(113_000, 115_000, id, plain));
  await plant(a!, range(115_000, 116_000, id, tombstone));
  await plant(b!, range(115_000, 116_000, id, newer));
  await a!.hSet(p + 'a-hash', 'field', 'value'); // under the prefix, but not a session
  const outside = (i: number) => 'other:' + p + i;
  await plant(a!, range(0, 4000, outside, plain));
  await plant(b!, range(0, 4000, outside, plain));
  const expected = new Set<string>();
  for (let i = 0; i < 110_000; i++) expected.add('s' + i);
  for (let i = 115_000; i < 116_000; i++) expected.add('s' + i);

  t.is(await bounded.length(), expected.size);
  const ids = await bounded.ids();
  t.is(ids.length, expected.size, 'no id twice');
  t.true(ids.every(sid => expected.has(sid)), 'only sessions');
  const all = await bounded.all();
  t.is(all.length, expected.size);
  t.true(all.every(s => expected.has(s.id)));
  const overTombstone = all.filter(s => Number(s.id.slice(1)) >= 115_000);
  t.is(overTombstone.length, 1000);
  t.true(overTombstone.every(s => (s as { newer?: boolean }).newer === true), 'the newer copy wins');
  t.deepEqual(errors, []);

  await promised(bounded.clear());
  t.is(await bounded.length(), 0);
  for (const client of [a!, b!]) t.is(await client.dbSize(), 4000, 'only the keys outside the prefix are left');
});
