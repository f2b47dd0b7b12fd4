// The shapes that cross the thread boundary between src/pool.ts and worker/codec.ts.
import type { Version } from '../src/codec/version.js';
import type { OpenSpec, SealSpec } from '../src/codec/seal.js';

export interface EncodeTask {
  readonly format: 'json' | 'msgpack' | 'module';
  /** The session after the JSON-semantics walk (normalize.ts): safe to structured-clone. */
  readonly tree: unknown;
  readonly version: Version;
  /** module only: the serializer's file URL. */
  readonly href?: string;
  /** Compress and/or encrypt the encoded value too; the result then ends with 4 extra bytes
   * (big-endian): the payload's length before compression (see CodecPool.encode). */
  readonly seal?: SealSpec;
}

/** Byte work on a value: `seal` a plain enveloped value, or `open` a stored sealed one. */
export interface BytesTask {
  readonly op: 'seal' | 'open';
  /** Transferred. */
  readonly bytes: Uint8Array;
  readonly seal?: SealSpec;
  readonly open?: OpenSpec;
}

export interface DecodeTask {
  readonly href: string;
  /** The whole stored value, envelope included; transferred. */
  readonly bytes: Uint8Array;
}

/** What a task returns when its own code (a serializer) threw, so that the main thread can tell
 * that apart from the pool failing (a rejected run). */
export interface TaskFailure {
  readonly failed: { readonly type: string; readonly message: string; readonly reason?: 'key' | 'auth' | 'decompress' };
}

/** Added by the pool to every task it submits: the worker stores Date.now() into
 * `clocks[slot]` (WorkerClocks, shared by every worker) when the task begins to run, so that the
 * time limit counts running time only, not the time a new worker takes to start. */
export interface TaskClock {
  readonly slot: number;
}

/** piscina's workerData: one clock per task that may be running at once (maxThreads). */
export interface WorkerClocks {
  readonly clocks: BigInt64Array;
}
