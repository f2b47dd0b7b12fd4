// Hardening defect 11: maxSize bounds reads too. A stored value larger than maxSize (written by
// someone else) is not decoded and not repaired: it reads as absent, another member's valid copy
// wins, and it is reported on `error` as a SessionTooLargeError naming the member's client and
// a hash of the id, never the id.
import test, { type ExecutionContext } from 'ava';
import type { RedisStore } from '../src/index.js';
import { SessionTooLargeError } from '../src/index.js';
import { direct, open, promised, sleep } from './helpers/foundation-util.js';
import { fileServers } from './helpers/file-servers.js';
import { sessionWith } from './helpers/store.js';

const servers = fileServers(2);
const LIMIT = 1024;

function oversized(bytes: number): string {
  return JSON.stringify(sessionWith({ blob: 'x'.repeat(bytes) }, 600_000));
}

function tooLargeErrors(store: RedisStore): SessionTooLargeError[] {
  const seen: SessionTooLargeError[] = [];
  store.on('error', (error: unknown) => {
    if (error instanceof SessionTooLargeError) seen.push(error);
    else throw error;
  });
  return seen;
}

function assertReported(t: ExecutionContext, error: SessionTooLargeError | undefined, store: RedisStore, sid: string, size: number, limit: number): void {
  t.true(error instanceof SessionTooLargeError);
  t.is(error!.code, 'ERR_EXPREDIS_SESSION_TOO_LARGE');
  t.is(error!.client, store.clients[0], 'names the member holding it');
  t.is(error!.size, size);
  t.is(error!.limit, limit);
  t.false(error!.message.includes(sid), 'the id is only hashed');
}

test('get: a stored value over maxSize reads as absent, is reported and is not repaired onto the other member', async t => {
  const [a, b] = await Promise.all(servers.map(s => direct(t, s)));
  const store = await open(t, servers, { maxSize: LIMIT, writeQuorum: 'all' });
  const reported = tooLargeErrors(store);
  const sid = 'huge-secret-id';
  const value = oversized(5000);
  await a!.set(store.prefix + sid, value);
  t.is(await promised(store.get(sid)), null);
  await sleep(100); // a repair would be on its way by now
  t.is(await b!.exists(store.prefix + sid), 0, 'not repaired');
  t.is(await a!.get(store.prefix + sid), value, 'left as it was');
  assertReported(t, reported[0], store, sid, Buffer.byteLength(value), LIMIT);
});

test('get: another member\'s valid copy wins over a value larger than maxSize', async t => {
  const [a, b] = await Promise.all(servers.map(s => direct(t, s)));
  const store = await open(t, servers, { maxSize: LIMIT, readQuorum: 2 });
  const reported = tooLargeErrors(store);
  const small = sessionWith({ small: true }, 600_000);
  await a!.set(store.prefix + 'mixed', oversized(5000));
  await b!.set(store.prefix + 'mixed', JSON.stringify(small));
  t.deepEqual(await promised(store.get('mixed')), small as never);
  t.is(reported.length, 1);
});

test('all, length and ids: a value over maxSize is absent, and another member\'s valid copy wins', async t => {
  const [a, b] = await Promise.all(servers.map(s => direct(t, s)));
  const store = await open(t, servers, { maxSize: LIMIT });
  const reported = tooLargeErrors(store);
  const small = sessionWith({ small: true }, 600_000);
  await a!.set(store.prefix + 'only-huge', oversized(5000));
  await a!.set(store.prefix + 'mixed', oversized(5000));
  await b!.set(store.prefix + 'mixed', JSON.stringify(small));
  await a!.set(store.prefix + 'fine', JSON.stringify(small));
  const all = (await promised(store.all())).sort((x, y) => x.id.localeCompare(y.id));
  t.deepEqual(all as unknown, [
    { ...small, id: 'fine' },
    { ...small, id: 'mixed' },
  ]);
  t.true(reported.length >= 2, 'both oversized values were reported');
  t.true(reported.every(e => e.client === store.clients[0]));
  t.is(await promised(store.length()), 2);
  t.deepEqual((await promised(store.ids())).sort(), ['fine', 'mixed']);
});

test('at the default maxSize (8 MiB) a 9 MiB stored value reads as absent and is not repaired', async t => {
  const [a, b] = await Promise.all(servers.map(s => direct(t, s)));
  const store = await open(t, servers);
  const reported = tooLargeErrors(store);
  const value = oversized(9 * 1024 * 1024);
  await a!.set(store.prefix + 'nine', value);
  t.is(await promised(store.get('nine')), null);
  await sleep(100);
  t.is(await b!.exists(store.prefix + 'nine'), 0);
  assertReported(t, reported[0], store, 'nine', Buffer.byteLength(value), 8 * 1024 * 1024);
});
