// A CommonJS consumer of the built package, type-checked by `tsc` with the rest of the project:
// `import x = require('expredis')` must give the seed's factory, typed, with every named export
// as a property. The top level only inspects what require() returned (package.test runs it);
// nothing here connects to Redis: `typeOnly` is never called.
// This file exists to check the CommonJS view, so it uses CommonJS imports on purpose.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import expredis = require('expredis');
// eslint-disable-next-line @typescript-eslint/no-require-imports
import session = require('express-session');
import type { ExpredisOptions, StoredSession } from 'expredis';

const Store = expredis(session);

function typeOnly(): void {
  const options: ExpredisOptions = { clients: [{ port: 1 }], prefix: 'sess:', ttl: (s: StoredSession) => (s.cookie ? 60 : 1), writeQuorum: 'majority' };
  const seeded: InstanceType<typeof Store> = new Store(options);
  const direct: InstanceType<typeof expredis.RedisStore> = new expredis.RedisStore({ clients: [{ url: 'redis://127.0.0.1:1' }, { socket: { port: 2 } }] });
  const asBase: session.Store = seeded;
  const written: Promise<void> = seeded.set('sid', { cookie: new session.Cookie() });
  const read: Promise<StoredSession | null> = direct.get('sid');
  const count: Promise<number> = direct.length();
  const ids: Promise<string[]> = direct.ids();
  direct.get('sid', (error: Error | null, value?: StoredSession | null) => void [error, value]);
  direct.on('error', (error: Error & { client?: unknown }) => void error.client);
  const quorum = new expredis.QuorumError('set', 2, 2, [{ label: '127.0.0.1:1', error: new Error('down') }]);
  const labels: string[] = quorum.members;
  const base: InstanceType<typeof expredis.ExpredisError> = quorum;
  const code: string = base.code;
  const classes = [expredis.NoMemberError, expredis.MemberTimeoutError, expredis.SessionTooLargeError, expredis.DecodeError, expredis.StoreClosedError];
  // @ts-expect-error an unknown option is a type error too
  new Store({ clients: [{ port: 1 }], bogus: true });
  // @ts-expect-error ttl is false, a number or a function
  new Store({ clients: [{ port: 1 }], ttl: '60' });
  void [asBase, written, read, count, ids, labels, code, classes];
}
void typeOnly;

process.stdout.write(
  JSON.stringify({
    factory: typeof expredis,
    storeExtendsSessionStore: Store.prototype instanceof session.Store,
    properties: Object.keys(expredis).sort(),
    defaultIsFactory: (expredis as unknown as { default: unknown }).default === expredis,
  }) + '\n',
);
