// Issue 2 acceptance: a member that is down, or that refuses commands, is a failed member and
// nothing more. Reads and quorum-1 writes go on over the others; stricter quorums fail with a
// QuorumError naming the members that failed. Every test kills servers of its own.
// Tests that look at every member right after a write use writeQuorum 'all': with the default
// quorum of 1 a write resolves on the first acknowledgement, before the others need be done.
import test, { type ExecutionContext } from 'ava';
import { ErrorReply } from 'redis';
import { NoMemberError, QuorumError } from '../src/index.js';
import { asSession, direct, open, ownServers, promised } from './helpers/foundation-util.js';
import type { RedisServer } from './helpers/redis-server.js';
import { eventually, rawValue, sessionWith } from './helpers/store.js';

type MemberError = Error & { client?: unknown };

/**
 * A server that requires a password. The shared helper's readiness check is a bare PING, which
 * a `--requirepass` server answers with NOAUTH, so the password is set once the server is up.
 */
async function passwordServer(t: ExecutionContext, password: string): Promise<RedisServer> {
  const [server] = await ownServers(t, 1);
  const admin = await direct(t, server!);
  await admin.configSet('requirepass', password);
  await admin.close();
  return server!;
}

for (const dead of [0, 1]) {
  test(`with member ${dead} of two killed, set, get, touch and destroy succeed and a missing id yields null`, async t => {
    const servers = await ownServers(t, 2);
    const store = await open(t, servers);
    store.on('error', () => undefined);
    const before = sessionWith({ user: 'before' });
    await promised(store.set('before', asSession(before)));
    await servers[dead]!.killAndWait();
    const alive = servers[1 - dead]!;
    const member = await direct(t, alive);

    t.deepEqual(await store.get('before'), before, 'a session written earlier is read from the survivor');
    const after = sessionWith({ user: 'after' }, 60_000);
    await t.notThrowsAsync(promised(store.set('after', asSession(after))));
    t.deepEqual(await store.get('after'), after);
    await t.notThrowsAsync(promised(store.touch('after', asSession(sessionWith({ user: 'after' }, 600_000)))));
    t.true((await member.pTTL(store.prefix + 'after')) > 500_000, 'touch reached the survivor');
    await t.notThrowsAsync(promised(store.destroy('after')));
    t.is(await store.get('after'), null);
    t.is(await store.get('missing'), null);
    t.is(await store.length(), 1);
    // Once the store has noticed (no race with the dying connection), the same holds.
    await eventually(() => store.stats().members[dead]!.healthy === false, 10_000, 'the dead member is out');
    await t.notThrowsAsync(promised(store.set('later', asSession(after))));
    t.deepEqual(await store.get('later'), after);
    t.is(await store.get('missing'), null);
  });
}

test('with writeQuorum all and one of two members killed, writes fail with a QuorumError naming the dead member', async t => {
  const servers = await ownServers(t, 2);
  const store = await open(t, servers, { writeQuorum: 'all' });
  store.on('error', () => undefined);
  await promised(store.set('sid', asSession(sessionWith())));
  await servers[1]!.killAndWait();
  const s = asSession(sessionWith({ n: 2 }));
  const live = await direct(t, servers[0]!);
  for (const [name, write] of [
    ['set', () => store.set('sid', s)],
    ['touch', () => store.touch('sid', s)],
    ['destroy', () => store.destroy('sid')],
  ] as const) {
    const error = await t.throwsAsync(promised(write()), { instanceOf: QuorumError }, name);
    t.is(error?.code, 'ERR_EXPREDIS_QUORUM');
    t.is(error?.name, 'QuorumError');
    t.deepEqual(error?.members, [servers[1]!.label], name);
    t.is(error?.errors.length, 1);
    if (name === 'set') {
      // A failed quorum is not rolled back: the live member took the write.
      t.is((await rawValue(live, store.prefix + 'sid'))?.toString(), JSON.stringify(s));
    }
  }
  t.is(await store.get('sid'), null, 'the destroy reached the live member');
});

test('writeQuorum majority over three members succeeds with one down and fails naming both with two down', async t => {
  const servers = await ownServers(t, 3);
  const store = await open(t, servers, { writeQuorum: 'majority' });
  store.on('error', () => undefined);
  await servers[2]!.killAndWait();
  await t.notThrowsAsync(promised(store.set('one-down', asSession(sessionWith()))));
  await t.notThrowsAsync(promised(store.destroy('one-down')));
  await servers[0]!.killAndWait();
  const error = await t.throwsAsync(promised(store.set('two-down', asSession(sessionWith()))), { instanceOf: QuorumError });
  t.deepEqual([...(error?.members ?? [])].sort(), [servers[0]!.label, servers[2]!.label].sort());
  t.false(error?.members.includes(servers[1]!.label), 'the live member is not named');
});

test('a member answering WRONGTYPE is reported on error and counts as not answered, not as a crash', async t => {
  const servers = await ownServers(t, 2);
  const store = await open(t, servers, { writeQuorum: 'all' });
  const errors: MemberError[] = [];
  store.on('error', (error: MemberError) => errors.push(error));
  const data = sessionWith({ user: 'peter' });
  await promised(store.set('sid', asSession(data)));
  const first = await direct(t, servers[0]!);
  await first.del(store.prefix + 'sid');
  await first.rPush(store.prefix + 'sid', 'not a session');

  t.deepEqual(await store.get('sid'), data, 'the other member answers');
  await eventually(() => errors.length > 0, 5000, 'an error event');
  t.true(errors[0] instanceof ErrorReply);
  t.regex(errors[0]!.message, /^WRONGTYPE/);
  t.is(errors[0]!.client, store.clients[0]);
  t.true(store.stats().members[0]!.failures >= 1);

  // When the other member lacks the key, the answer is "absent"; when the refusing member is
  // the only one, nobody answered.
  await direct(t, servers[1]!).then(c => c.del(store.prefix + 'sid'));
  t.is(await store.get('sid'), null);
  const alone = await open(t, [servers[0]!], { prefix: store.prefix });
  alone.on('error', () => undefined);
  await t.throwsAsync(alone.get('sid'), { instanceOf: NoMemberError });
  t.true(store.stats().members[0]!.healthy, 'the refusing member is still a member');
});

test('a member that requires a password the store does not have is reported on error and counts as failed', async t => {
  const [good] = await ownServers(t, 1);
  const locked = await passwordServer(t, 'x');
  const errors: MemberError[] = [];
  const store = await open(t, [good!, locked], {}, { waitFor: false });
  store.on('error', (error: MemberError) => errors.push(error));
  await promised(store.ready({ timeout: 15_000 }));
  await eventually(() => errors.some(e => e.client === store.clients[1]), 10_000, 'an error from the locked member');
  t.true(errors.every(e => e.client === store.clients[1]), 'only the locked member reports');
  t.regex(errors[0]!.message, /NOAUTH|WRONGPASS|auth/i);

  const data = sessionWith({ user: 'peter' });
  await t.notThrowsAsync(promised(store.set('sid', asSession(data))));
  t.deepEqual(await store.get('sid'), data);
  t.false(store.stats().members[1]!.healthy);

  const strict = await open(t, [good!, locked], { writeQuorum: 'all', prefix: store.prefix }, { waitFor: false });
  strict.on('error', () => undefined);
  await eventually(() => strict.stats().members[0]!.healthy, 15_000, 'the good member usable');
  const error = await t.throwsAsync(promised(strict.set('sid', asSession(data))), { instanceOf: QuorumError });
  t.deepEqual(error?.members, [locked.label]);
});

test('a wrong password is reported on error; the right one (legacy password key) works', async t => {
  const locked = await passwordServer(t, 'x');
  const errors: MemberError[] = [];
  const wrong = await open(t, [], { clients: [{ port: locked.port, password: 'wrong' }] }, { waitFor: false });
  wrong.on('error', (error: MemberError) => errors.push(error));
  await eventually(() => errors.length > 0, 10_000, 'an error event');
  t.is(errors[0]!.client, wrong.clients[0]);
  t.regex(errors[0]!.message, /WRONGPASS|invalid|auth/i);
  await t.throwsAsync(promised(wrong.set('sid', asSession(sessionWith()))), { instanceOf: QuorumError });

  const right = await open(t, [], { clients: [{ port: locked.port, password: 'x' }] });
  const data = sessionWith({ user: 'peter' });
  await promised(right.set('sid', asSession(data)));
  t.deepEqual(await right.get('sid'), data);
});
