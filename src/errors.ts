// Every error the store rejects with or emits. Each class has a fixed `name` and a stable
// `code`, so callers branch on `instanceof` or `code`, never on message text.
import { createHash } from 'node:crypto';

export class ExpredisError extends Error {
  readonly code: string = 'ERR_EXPREDIS';
  /** The member's node-redis client, for errors that concern one member. */
  client?: unknown;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
Object.defineProperty(ExpredisError.prototype, 'name', { value: 'ExpredisError' });

/** A write (set, touch, destroy, clear) got fewer acknowledgements than `writeQuorum`. */
export class QuorumError extends ExpredisError {
  override readonly code = 'ERR_EXPREDIS_QUORUM';
  /** Labels of the members known to have failed when the quorum became impossible. */
  readonly members: string[];
  /** The failure of each member in `members`, same order. */
  readonly errors: Error[];

  constructor(operation: string, needed: number, total: number, failed: { label: string; error: Error }[]) {
    const detail = failed.map(f => `${f.label}: ${f.error.message}`).join('; ');
    super(
      `${operation} reached ${total - failed.length} of ${total} members but writeQuorum needs ${needed}` +
        (detail ? ` (${detail})` : ''),
      { cause: failed[0]?.error },
    );
    this.members = failed.map(f => f.label);
    this.errors = failed.map(f => f.error);
  }
}
Object.defineProperty(QuorumError.prototype, 'name', { value: 'QuorumError' });

/** No member answered at all (every one down, hung or refusing). */
export class NoMemberError extends ExpredisError {
  override readonly code = 'ERR_EXPREDIS_NO_MEMBER';
}
Object.defineProperty(NoMemberError.prototype, 'name', { value: 'NoMemberError' });

/** One member did not answer one command within `commandTimeout`. */
export class MemberTimeoutError extends ExpredisError {
  override readonly code = 'ERR_EXPREDIS_MEMBER_TIMEOUT';
  readonly member: string;
  constructor(member: string, timeoutMs: number) {
    super(`member ${member} did not answer within commandTimeout (${timeoutMs} ms)`);
    this.member = member;
  }
}
Object.defineProperty(MemberTimeoutError.prototype, 'name', { value: 'MemberTimeoutError' });

/** The encoded session is larger than `maxSize`; nothing was written. Or (`storedOn`: a member's
 * label) a stored value is: it was not decoded and reads as absent. */
export class SessionTooLargeError extends ExpredisError {
  override readonly code = 'ERR_EXPREDIS_SESSION_TOO_LARGE';
  readonly size: number;
  readonly limit: number;
  constructor(sid: string, size: number, limit: number, storedOn?: string) {
    super(
      storedOn === undefined
        ? `session ${sidHash(sid)} encodes to ${size} bytes, over maxSize (${limit} bytes); nothing was written`
        : `session ${sidHash(sid)} is stored as ${size} bytes on ${storedOn}, over maxSize (${limit} bytes); not read`,
    );
    this.size = size;
    this.limit = limit;
  }
}
Object.defineProperty(SessionTooLargeError.prototype, 'name', { value: 'SessionTooLargeError' });

/** A stored value that no codec could turn into a session; that member's answer counts as absent. */
export class DecodeError extends ExpredisError {
  override readonly code = 'ERR_EXPREDIS_DECODE';
}
Object.defineProperty(DecodeError.prototype, 'name', { value: 'DecodeError' });

/** An operation was called after `close()`, or was still waiting for the pool when close() ended it. */
export class StoreClosedError extends ExpredisError {
  override readonly code = 'ERR_EXPREDIS_STORE_CLOSED';
  constructor(operation: string, message = `${operation}() was called after close()`) {
    super(message);
  }
}
Object.defineProperty(StoreClosedError.prototype, 'name', { value: 'StoreClosedError' });

/** The pool worker running this operation's codec task exited, crashed or ran out of memory;
 * `cause` is what the worker reported. Nothing was written; the pool starts a new worker. */
export class WorkerError extends ExpredisError {
  override readonly code: string = 'ERR_EXPREDIS_WORKER';
}
Object.defineProperty(WorkerError.prototype, 'name', { value: 'WorkerError' });

/** This operation's codec task ran past the pool's time limit: it was aborted and its worker
 * replaced. Nothing was written. */
export class WorkerTimeoutError extends WorkerError {
  override readonly code = 'ERR_EXPREDIS_WORKER_TIMEOUT';
  /** The limit, in ms. */
  readonly limit: number;
  constructor(task: string, limit: number, options?: { cause?: unknown }) {
    super(`a codec task (${task}) ran longer than the pool's time limit (${limit} ms); it was aborted and its worker replaced`, options);
    this.limit = limit;
  }
}
Object.defineProperty(WorkerTimeoutError.prototype, 'name', { value: 'WorkerTimeoutError' });

/** The operation could not run its codec work at all (its worker failed, or the store closed
 * meanwhile): it fails with this error rather than reading a copy as absent. */
export function isCodecAbort(error: unknown): error is WorkerError | StoreClosedError {
  return error instanceof WorkerError || error instanceof StoreClosedError;
}

/** Session ids are credentials: messages carry a short, stable hash instead. */
export function sidHash(sid: string): string {
  return 'sid#' + createHash('sha256').update(sid).digest('hex').slice(0, 8);
}

/** Attach the member's client, as the seed did, without replacing the original error. */
export function withClient<E extends Error>(error: E, client: unknown): E & { client: unknown } {
  try {
    Object.defineProperty(error, 'client', { value: client, configurable: true, writable: true, enumerable: false });
  } catch {
    // frozen errors keep their identity; the event still carries them
  }
  return error as E & { client: unknown };
}

export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
