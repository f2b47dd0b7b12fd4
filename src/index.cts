// The CommonJS entry (the "require" condition): `const expredis = require('expredis')`. At run
// time it is the ESM entry itself, loaded by require(esm) (Node 20.19+, 22.12+), so both views
// are one module. Its declarations are CommonJS (`export =`), so a CommonJS TypeScript project
// gets the factory typed on any TypeScript version from 5.3, not only on those (5.8+) that
// understand require(esm). The ESM types are imported as ESM (`resolution-mode`), because a
// plain import from CommonJS would see only the 'module.exports' value, not the named types.
import type {
  expredis as Expredis,
  RedisStore as Store,
  ExpredisError as BaseError,
  QuorumError as Quorum_,
  NoMemberError as NoMember,
  MemberTimeoutError as MemberTimeout,
  SessionTooLargeError as TooLarge,
  DecodeError as Decode,
  StoreClosedError as StoreClosed,
  WorkerError as Worker_,
  WorkerTimeoutError as WorkerTimeout,
  ExpredisOptions as Options,
  Serializer as Serializer_,
  SerializerObject as SerializerObject_,
  SerializerModule as SerializerModule_,
  Quorum as QuorumSetting,
  Offload as Offload_,
  Reads as Reads_,
  WorkerOptions as WorkerOptions_,
  TtlFunction as TtlFunction_,
  ClientEntry as ClientEntry_,
  LegacyClientConfig as LegacyClientConfig_,
  ClusterClientConfig as ClusterClientConfig_,
  SentinelClientConfig as SentinelClientConfig_,
  MemberClient as MemberClient_,
  StoreStats as StoreStats_,
  StoredSession as StoredSession_,
  MemberStats as MemberStats_,
  MemberKind as MemberKind_,
  CodecStats as CodecStats_,
  PoolStats as PoolStats_,
  Callback as Callback_,
} from './index.js' with { 'resolution-mode': 'import' };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const expredis = require('./index.js') as typeof Expredis;

// The named types, as `expredis.ExpredisOptions` or `import type { ExpredisOptions } from 'expredis'`.
// eslint-disable-next-line @typescript-eslint/no-namespace -- with `export =`, only a namespace carries types
declare namespace expredis {
  export type RedisStore = Store;
  export type ExpredisError = BaseError;
  export type QuorumError = Quorum_;
  export type NoMemberError = NoMember;
  export type MemberTimeoutError = MemberTimeout;
  export type SessionTooLargeError = TooLarge;
  export type DecodeError = Decode;
  export type StoreClosedError = StoreClosed;
  export type WorkerError = Worker_;
  export type WorkerTimeoutError = WorkerTimeout;
  export type ExpredisOptions = Options;
  export type Serializer = Serializer_;
  export type SerializerObject = SerializerObject_;
  export type SerializerModule = SerializerModule_;
  export type Quorum = QuorumSetting;
  export type Offload = Offload_;
  export type Reads = Reads_;
  export type WorkerOptions = WorkerOptions_;
  export type TtlFunction = TtlFunction_;
  export type ClientEntry = ClientEntry_;
  export type LegacyClientConfig = LegacyClientConfig_;
  export type ClusterClientConfig = ClusterClientConfig_;
  export type SentinelClientConfig = SentinelClientConfig_;
  export type MemberClient = MemberClient_;
  export type StoreStats = StoreStats_;
  export type StoredSession = StoredSession_;
  export type MemberStats = MemberStats_;
  export type MemberKind = MemberKind_;
  export type CodecStats = CodecStats_;
  export type PoolStats = PoolStats_;
  export type Callback<T> = Callback_<T>;
}

export = expredis;
