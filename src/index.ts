// The public entry. ESM: `import expredis, { RedisStore } from 'expredis'`. CommonJS (Node
// 20.19+, 22.12+): `const expredis = require('expredis')` gives the seed's factory function,
// which carries every named export as a property.
import type session from 'express-session';
import { RedisStore, initialize } from './store.js';
import type { ExpredisOptions } from './options.js';
import {
  DecodeError,
  ExpredisError,
  MemberTimeoutError,
  NoMemberError,
  QuorumError,
  SessionTooLargeError,
  StoreClosedError,
  WorkerError,
  WorkerTimeoutError,
} from './errors.js';

const seeded = new WeakMap<object, typeof RedisStore>();

/**
 * The seed's form: given the express-session module, a store class extending its `Store`.
 * `new (expredis(session))(options)`.
 */
function createStoreClass(sessionModule: { Store: typeof session.Store }): typeof RedisStore {
  const Base = sessionModule?.Store;
  if (typeof Base !== 'function') {
    throw new TypeError('expredis(session) expects the express-session module (an object with a Store class)');
  }
  if (Base === Object.getPrototypeOf(RedisStore)) return RedisStore;
  let Store = seeded.get(Base);
  if (!Store) {
    // Another copy of express-session: a class extending its Store, with the same methods.
    class SeededStore extends (Base as unknown as new () => object) {
      constructor(options: ExpredisOptions) {
        super();
        initialize(this as unknown as session.Store, options);
      }
    }
    for (const name of Object.getOwnPropertyNames(RedisStore.prototype)) {
      if (name !== 'constructor') {
        Object.defineProperty(SeededStore.prototype, name, Object.getOwnPropertyDescriptor(RedisStore.prototype, name)!);
      }
    }
    Store = SeededStore as unknown as typeof RedisStore;
    seeded.set(Base, Store);
  }
  return Store;
}

const api = {
  RedisStore,
  ExpredisError,
  QuorumError,
  NoMemberError,
  MemberTimeoutError,
  SessionTooLargeError,
  DecodeError,
  StoreClosedError,
  WorkerError,
  WorkerTimeoutError,
};
/** `expredis(session)`, carrying every named export as a property (the CommonJS view). */
const expredis: typeof createStoreClass & typeof api & { default: typeof createStoreClass & typeof api; expredis: typeof createStoreClass & typeof api } =
  Object.assign(createStoreClass, api, { default: undefined as never, expredis: undefined as never });
expredis.default = expredis;
expredis.expredis = expredis;

export default expredis;
export {
  expredis,
  RedisStore,
  ExpredisError,
  QuorumError,
  NoMemberError,
  MemberTimeoutError,
  SessionTooLargeError,
  DecodeError,
  StoreClosedError,
  WorkerError,
  WorkerTimeoutError,
};
// require('expredis') returns the factory itself (with the named exports attached above).
export { expredis as 'module.exports' };

export type { ExpredisOptions, Serializer, SerializerObject, SerializerModule, Quorum, Offload, Reads, WorkerOptions, TtlFunction } from './options.js';
export type { ClientEntry, LegacyClientConfig, ClusterClientConfig, SentinelClientConfig } from './members/connect.js';
export type { StoreStats, StoredSession } from './store.js';
export type { MemberClient, MemberKind, MemberStats } from './members/member.js';
export type { CodecStats } from './codec/codec.js';
export type { PoolStats } from './pool.js';
export type { Callback } from './callback.js';
