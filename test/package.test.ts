// Issue 2 acceptance: the built package imported by its name, both ways. ESM gives the factory as
// default plus named RedisStore and every error class; CommonJS require() gives the factory
// itself carrying them as properties; both views are one module. The error classes have fixed
// names and stable codes, and they are what the store actually rejects with.
import test from 'ava';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import session from 'express-session';
import { asSession, open, ownServers, promised } from './helpers/foundation-util.js';
import { freePort } from './helpers/redis-server.js';
import { fileServers } from './helpers/file-servers.js';
import { sessionWith, uniquePrefix } from './helpers/store.js';

const servers = fileServers(1);

const ERROR_CODES = {
  ExpredisError: 'ERR_EXPREDIS',
  QuorumError: 'ERR_EXPREDIS_QUORUM',
  NoMemberError: 'ERR_EXPREDIS_NO_MEMBER',
  MemberTimeoutError: 'ERR_EXPREDIS_MEMBER_TIMEOUT',
  SessionTooLargeError: 'ERR_EXPREDIS_SESSION_TOO_LARGE',
  DecodeError: 'ERR_EXPREDIS_DECODE',
  StoreClosedError: 'ERR_EXPREDIS_STORE_CLOSED',
  WorkerError: 'ERR_EXPREDIS_WORKER',
  WorkerTimeoutError: 'ERR_EXPREDIS_WORKER_TIMEOUT',
} as const;
type ErrorName = keyof typeof ERROR_CODES;

const esm = await import('expredis');
const cjs = createRequire(import.meta.url)('expredis') as typeof esm.default;

test('import("expredis") gives the factory as default, RedisStore and every error class as named exports', t => {
  t.is(typeof esm.default, 'function');
  t.is(typeof esm.RedisStore, 'function');
  for (const name of Object.keys(ERROR_CODES) as ErrorName[]) {
    const Class = esm[name];
    t.is(typeof Class, 'function', name);
    t.is(Class.prototype.name, name, `${name} has a fixed name`);
    t.true(Class.prototype instanceof Error, name);
    if (name !== 'ExpredisError') t.true(Class.prototype instanceof esm.ExpredisError, `${name} extends ExpredisError`);
  }
});

test('require("expredis") returns the factory itself, carrying RedisStore and every error class, the same objects as ESM', t => {
  t.is(typeof cjs, 'function');
  t.is(cjs, esm.default, 'one module, not a second copy');
  t.is(cjs.RedisStore, esm.RedisStore);
  for (const name of Object.keys(ERROR_CODES) as ErrorName[]) t.is(cjs[name], esm[name], name);
});

test('a CommonJS file using require("expredis") runs and sees the factory with its properties', async t => {
  const path = new URL('./types/cjs-consumer.cjs', import.meta.url).pathname;
  const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>(resolve => {
    const child = spawn(process.execPath, [path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', code => resolve({ code, stdout, stderr }));
  });
  t.is(out.code, 0, out.stderr);
  const report = JSON.parse(out.stdout) as { factory: string; storeExtendsSessionStore: boolean; properties: string[]; defaultIsFactory: boolean };
  t.is(report.factory, 'function');
  t.true(report.storeExtendsSessionStore);
  t.true(report.defaultIsFactory);
  for (const name of ['RedisStore', ...Object.keys(ERROR_CODES)]) t.true(report.properties.includes(name), name);
});

test('expredis(session) returns a class extending session.Store that works; RedisStore is a session.Store', async t => {
  for (const factory of [esm.default, cjs]) {
    const Store = factory(session);
    t.true(Store.prototype instanceof session.Store);
    const store = new Store({ clients: [{ port: servers[0]!.port }], prefix: uniquePrefix(t), commandTimeout: 5000 });
    t.teardown(() => promised(store.close()));
    t.true(store instanceof session.Store);
    await promised(store.ready({ timeout: 15_000 }));
    const data = sessionWith({ user: 'peter' });
    await promised(store.set('sid', asSession(data)));
    t.deepEqual(await store.get('sid'), data);
  }
  t.true(esm.RedisStore.prototype instanceof session.Store);
  const store = await open(t, servers);
  t.true(store instanceof session.Store);
  t.true(store instanceof EventEmitter);
});

test('expredis() given another Store class extends that one, and refuses anything that is not a session module', async t => {
  class OtherStore extends EventEmitter {}
  const Store = esm.default({ Store: OtherStore as unknown as typeof session.Store });
  t.true(Store.prototype instanceof OtherStore);
  const store = new Store({ clients: [{ port: servers[0]!.port }], prefix: uniquePrefix(t), commandTimeout: 5000 });
  t.teardown(() => promised(store.close()));
  t.true(store instanceof OtherStore);
  await promised(store.ready({ timeout: 15_000 }));
  const data = sessionWith({ user: 'other' });
  await promised(store.set('sid', asSession(data)));
  t.deepEqual(await store.get('sid'), data);
  t.throws(() => esm.default(undefined as never), { instanceOf: TypeError });
  t.throws(() => esm.default({} as never), { instanceOf: TypeError });
});

test('the errors the store rejects with are the exported classes, each with its fixed name and stable code', async t => {
  const seen = new Map<ErrorName, Error>();
  const keep = (error: unknown) => {
    for (const name of Object.keys(ERROR_CODES) as ErrorName[]) {
      if (name !== 'ExpredisError' && error instanceof esm[name]) seen.set(name, error);
    }
  };
  seen.set('ExpredisError', new esm.ExpredisError('base'));

  const dead = await open(t, [], { clients: [{ port: await freePort() }] }, { waitFor: false });
  dead.on('error', () => undefined);
  await promised(dead.set('sid', asSession(sessionWith()))).catch(keep); // QuorumError
  await dead.get('sid').catch(keep); // NoMemberError

  const tiny = await open(t, servers, { maxSize: 10 });
  await promised(tiny.set('secret-session-id-42', asSession(sessionWith()))).catch(keep); // SessionTooLargeError
  await tiny.close();
  await tiny.get('sid').catch(keep); // StoreClosedError

  const writer = await open(t, servers);
  await promised(writer.set('sid', asSession(sessionWith())));
  const broken = await open(t, servers, {
    prefix: writer.prefix,
    serializer: {
      stringify: v => JSON.stringify(v),
      parse: () => {
        throw new Error('nope');
      },
    },
  });
  broken.on('error', keep); // DecodeError
  t.is(await broken.get('sid'), null);

  const [hung] = await ownServers(t, 1);
  const slow = await open(t, [hung!], { commandTimeout: 200 });
  slow.on('error', () => undefined);
  hung!.stop();
  t.teardown(() => hung!.resume());
  const quorum = await promised(slow.set('sid', asSession(sessionWith()))).catch((error: unknown) => error);
  t.true(quorum instanceof esm.QuorumError);
  keep((quorum as InstanceType<typeof esm.QuorumError>).errors[0]); // MemberTimeoutError

  for (const [name, code] of Object.entries(ERROR_CODES) as [ErrorName, string][]) {
    if (name === 'WorkerError' || name === 'WorkerTimeoutError') continue; // produced in pool-crash and pool-timeout
    const error = seen.get(name) as (Error & { code?: string }) | undefined;
    t.truthy(error, `the store produced a ${name}`);
    if (!error) continue;
    t.is(error.name, name);
    t.is(error.code, code, `${name}.code`);
    t.true(error instanceof esm.ExpredisError);
    t.true(error instanceof cjs[name], 'the same class through require()');
  }
  const tooLarge = seen.get('SessionTooLargeError') as InstanceType<typeof esm.SessionTooLargeError>;
  t.is(tooLarge.limit, 10);
  t.true(tooLarge.size > 10);
  t.false(tooLarge.message.includes('secret-session-id-42'), 'the session id is not in the message');
});
