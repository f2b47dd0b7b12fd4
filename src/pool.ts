// The lazy piscina pool behind offloaded codec work: no thread exists until the first task, an
// idle pool never keeps the process alive, and close() ends it.
//
// A task's code may be what kills its worker (a serializer module that exits, throws from a
// callback, allocates without end), so nothing here re-runs a task that started, in a worker or
// inline: a worker that exits, crashes or runs out of memory fails only the task it was running,
// with a WorkerError whose `cause` is what the worker reported, and piscina starts a new worker
// for the next one (a task the dying worker had taken but not started goes to that new one). A
// task that runs past the time limit is aborted, which terminates its worker
// (WorkerTimeoutError). After close() no task starts and none is still running.
//
// The pool keeps its own FIFO and hands piscina at most maxThreads tasks at once, so the time
// limit of a task starts when a thread is there for it, never while it waits behind a burst of
// other tasks; and the worker marks the moment the task starts (TaskClock), so that a new
// worker's start-up is not counted either.
import type { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { ownBuffer } from './codec/pack.js';
import { StoreClosedError, WorkerError, WorkerTimeoutError } from './errors.js';
import type { WorkerOptions } from './options.js';
import { OpenFailure, type OpenSpec, type SealSpec } from './codec/seal.js';
import type { BytesTask, DecodeTask, EncodeTask, TaskClock, TaskFailure, WorkerClocks } from '../worker/messages.js';

// Resolved beside this file: dist/src/pool.js → dist/worker/codec.js.
const WORKER = new URL('../worker/codec.js', import.meta.url).href;

/** The time limit never goes below this (ms): a task's run includes the first import of a
 * serializer module in a new worker and GC pauses, and a whole session up to maxSize. */
export const MIN_TASK_LIMIT = 1000;
/** A worker's heap (V8 old generation) per MiB of maxSize, and its floor, in MB. A task holds the
 * session as a tree (small objects take several times their JSON size) plus what it encodes to;
 * 16× leaves room for the largest session allowed, while a serializer that allocates without end
 * reaches the limit within a second and fails its own operation instead of the process. */
export const HEAP_MB_PER_MAX_SIZE_MB = 16;
export const MIN_HEAP_MB = 64;

/** What the pool derives its limits from; the store's own options. */
export interface PoolLimits {
  readonly commandTimeout: number;
  readonly maxSize: number;
}

const DEFAULT_LIMITS: PoolLimits = { commandTimeout: 1000, maxSize: 8 * 1024 * 1024 };

/** How long one codec task may run (ms): `commandTimeout`, at least MIN_TASK_LIMIT. */
export function taskTimeLimit(commandTimeout: number): number {
  return Math.max(commandTimeout, MIN_TASK_LIMIT);
}

/** Each worker's `resourceLimits.maxOldGenerationSizeMb`. */
export function workerHeapMb(maxSize: number): number {
  return Math.max(MIN_HEAP_MB, Math.ceil(maxSize / (1024 * 1024)) * HEAP_MB_PER_MAX_SIZE_MB);
}

export interface PoolStats {
  /** Worker threads alive now (0 until the first offloaded task). */
  threads: number;
  /** Tasks handed to the pool so far. */
  tasks: number;
  /** Tasks waiting for a thread now. */
  queued: number;
}

type TaskName = 'encode' | 'decode' | 'seal' | 'open';

interface Message {
  readonly task: (EncodeTask | DecodeTask | BytesTask) & TaskClock;
  readonly transferList?: ArrayBuffer[];
}

interface Job {
  readonly name: TaskName;
  /** A fresh message for each submission (a transferred buffer cannot be sent twice). */
  readonly message: (slot: number) => Message;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  /** Submissions so far that a dying worker took and never started. */
  handedBack: number;
  /** Whether a dying worker's untouched job may go to a new one: not when its message transfers
   * the caller's own bytes, which the first submission already gave away. */
  readonly canHandBack: boolean;
}

/** A task no worker has started after this many time limits fails (see #submit). */
const NOT_STARTED_LIMITS = 3;
/** A job handed to a dying worker that never started it goes to a new one, at most this often. */
const MAX_HAND_BACKS = 3;

interface Running {
  readonly job: Job;
  /** This task's index in #clocks. */
  readonly slot: number;
  readonly signal: TaskSignal;
  timer: NodeJS.Timeout | undefined;
  timedOut: boolean;
  /** Aborted because no worker started it. */
  neverStarted: boolean;
  done: boolean;
}

/** What aborts one task in piscina (its event-emitter form of an AbortSignal): an AbortController
 * per task costs more main-thread time than the rest of the bookkeeping together. */
class TaskSignal {
  aborted = false;
  #listener: (() => void) | undefined;
  once(_event: 'abort', listener: () => void): void {
    this.#listener = listener;
  }
  off(): void {
    this.#listener = undefined;
  }
  removeListener(): void {
    this.#listener = undefined;
  }
  abort(): void {
    this.aborted = true;
    this.#listener?.();
  }
}

export class CodecPool {
  readonly #options: Required<WorkerOptions>;
  readonly #onError: (error: Error) => void;
  readonly #limit: number;
  readonly #heapMb: number;
  #pool: Piscina | undefined;
  /** Waiting for a thread, oldest first, from #head on. */
  #queue: Job[] = [];
  #head = 0;
  readonly #running = new Set<Running>();
  /** When each running task started in its worker (ms since the epoch; 0: not yet), by slot. */
  readonly #clocks: BigInt64Array;
  readonly #freeSlots: number[];
  /** Every thread piscina started that has not exited yet (see #release). */
  readonly #threads = new Set<Worker>();
  #tasks = 0;
  #closed = false;

  constructor(options: Required<WorkerOptions>, onError: (error: Error) => void, limits: PoolLimits = DEFAULT_LIMITS) {
    this.#options = options;
    this.#onError = onError;
    this.#limit = taskTimeLimit(limits.commandTimeout);
    this.#heapMb = workerHeapMb(limits.maxSize);
    this.#clocks = new BigInt64Array(new SharedArrayBuffer(8 * options.maxThreads));
    this.#freeSlots = Array.from({ length: options.maxThreads }, (_, i) => i);
  }

  get started(): boolean {
    return this.#pool !== undefined;
  }

  /** Rejects with the task's own error (e.g. a serializer that throws), with WorkerError (the
   * worker died or ran too long), or with StoreClosedError (close() came first). */
  async encode(task: EncodeTask): Promise<Buffer> {
    const result = (await this.#run('encode', slot => ({ task: { ...task, slot } }))) as Uint8Array | TaskFailure;
    if (!(result instanceof Uint8Array)) throw taskError(result);
    return Buffer.from(result.buffer, result.byteOffset, result.byteLength);
  }

  /** encode with `task.seal`: the sealed value, and its payload's length before compression. */
  async encodeSealed(task: EncodeTask): Promise<{ bytes: Buffer; before: number }> {
    const out = await this.encode(task);
    const end = out.length - 4;
    return { bytes: out.subarray(0, end), before: out.readUInt32BE(end) };
  }

  /** Compress and/or encrypt a plain enveloped value, which is transferred (the caller gives it up). */
  async seal(plain: Buffer, spec: SealSpec): Promise<Buffer> {
    const owned = ownBuffer(plain);
    const result = (await this.#run('seal', slot => ({ task: { op: 'seal', bytes: owned, seal: spec, slot }, transferList: [owned.buffer as ArrayBuffer] }), false)) as
      | Uint8Array
      | TaskFailure;
    if (!(result instanceof Uint8Array)) throw taskError(result);
    return Buffer.from(result.buffer, result.byteOffset, result.byteLength);
  }

  /** Decrypt and/or decompress a stored value; the caller keeps `stored`: a copy is transferred.
   * Rejects with OpenFailure when the value does not open. */
  async open(stored: Uint8Array, spec: OpenSpec): Promise<Buffer> {
    const message = (slot: number) => {
      const bytes = new Uint8Array(stored);
      return { task: { op: 'open' as const, bytes, open: spec, slot }, transferList: [bytes.buffer] };
    };
    const result = (await this.#run('open', message)) as Uint8Array | TaskFailure;
    if (!(result instanceof Uint8Array)) throw taskError(result);
    return Buffer.from(result.buffer, result.byteOffset, result.byteLength);
  }

  /** The caller keeps `stored`: a copy is transferred. */
  async decode(href: string, stored: Uint8Array): Promise<unknown> {
    const message = (slot: number) => {
      const bytes = new Uint8Array(stored);
      return { task: { href, bytes, slot }, transferList: [bytes.buffer] };
    };
    const result = (await this.#run('decode', message)) as { value: unknown } | TaskFailure;
    if ('failed' in result) throw taskError(result);
    return result.value;
  }

  stats(): PoolStats {
    return {
      threads: this.#pool?.threads.length ?? 0,
      tasks: this.#tasks,
      queued: this.#queue.length - this.#head + (this.#pool?.queueSize ?? 0),
    };
  }

  /** Fails every task still waiting or running with StoreClosedError, then ends the threads
   * (resolves once they have exited, so no task code runs after it). */
  async close(): Promise<void> {
    this.#closed = true;
    const waiting = this.#queue.slice(this.#head);
    this.#queue = [];
    this.#head = 0;
    for (const job of waiting) job.reject(closedError(job.name));
    for (const running of [...this.#running]) {
      if (this.#finish(running)) running.job.reject(closedError(running.job.name));
    }
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool) await pool.destroy();
    this.#release();
  }

  #run(name: TaskName, message: Job['message'], canHandBack = true): Promise<unknown> {
    if (this.#closed) return Promise.reject(new StoreClosedError(name));
    this.#tasks++;
    return new Promise((resolve, reject) => {
      this.#queue.push({ name, message, resolve, reject, handedBack: 0, canHandBack });
      this.#pump();
    });
  }

  /** Hands piscina the oldest waiting tasks while a thread is free for them. */
  #pump(): void {
    while (!this.#closed && this.#running.size < this.#options.maxThreads && this.#head < this.#queue.length) {
      const job = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as unknown as Job;
      if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      this.#submit(job);
    }
  }

  #submit(job: Job): void {
    const slot = this.#freeSlots.pop()!; // #pump keeps running ≤ maxThreads
    Atomics.store(this.#clocks, slot, 0n);
    const { task, transferList } = job.message(slot);
    const running: Running = { job, slot, signal: new TaskSignal(), timer: undefined, timedOut: false, neverStarted: false, done: false };
    let waitedToStart = 0;
    this.#running.add(running);
    const check = () => {
      const startedAt = Number(Atomics.load(this.#clocks, slot));
      // Not started yet (its worker is still starting): it cannot run past the limit before a
      // whole limit from now, so look again then.
      if (startedAt === 0 && (waitedToStart += this.#limit) >= NOT_STARTED_LIMITS * this.#limit) {
        // No worker took it (one that fails while booting is not replaced by piscina): fail it
        // rather than leave every offloaded operation waiting behind it.
        running.neverStarted = true;
        running.signal.abort();
        return;
      }
      const left = startedAt === 0 ? this.#limit : startedAt + this.#limit - Date.now();
      if (left > 0) {
        running.timer = setTimeout(check, left).unref();
      } else {
        running.timedOut = true;
        running.signal.abort(); // piscina terminates the worker running it
      }
    };
    running.timer = setTimeout(check, this.#limit).unref();
    const options = { name: job.name === 'seal' || job.name === 'open' ? 'bytes' : job.name, signal: running.signal, ...(transferList && { transferList }) };
    (this.#start().run(task, options) as Promise<unknown>).then(
      value => {
        if (this.#finish(running)) job.resolve(value);
      },
      (error: unknown) => {
        this.#release();
        if (running.done) return;
        const neverStarted = Atomics.load(this.#clocks, slot) === 0n;
        if (!running.timedOut && !running.neverStarted && neverStarted && job.canHandBack && job.handedBack < MAX_HAND_BACKS) {
          // The worker died (an uncaught throw left by an earlier task) before this task began:
          // none of its code ran, so a new worker takes it, ahead of the queue.
          job.handedBack++;
          if (this.#head > 0) this.#queue[--this.#head] = job;
          else this.#queue.unshift(job);
          this.#finish(running);
          return;
        }
        this.#finish(running);
        job.reject(
          running.neverStarted
            ? new WorkerError(`no pool worker started the codec task (${job.name}) within ${NOT_STARTED_LIMITS * this.#limit} ms`, { cause: error })
            : running.timedOut
            ? new WorkerTimeoutError(job.name, this.#limit, { cause: error })
            : new WorkerError(`the pool worker running a codec task (${job.name}) died: ${message(error)}`, { cause: error }),
        );
      },
    );
  }

  /** Ends a running task's bookkeeping once; false if it already ended. */
  #finish(running: Running): boolean {
    if (running.done) return false;
    running.done = true;
    clearTimeout(running.timer);
    this.#running.delete(running);
    this.#freeSlots.push(running.slot);
    this.#pump();
    return true;
  }

  /** Unrefs the threads piscina no longer uses (all of them once closed). A worker terminated
   * while it was failing (an uncaught throw) sometimes never exits (Node 20, piscina 5.3.2), and
   * piscina refs it again when its port closes, which would keep the process alive after
   * close(); it runs no task code any more. */
  #release(): void {
    const current = this.#pool?.threads ?? [];
    for (const thread of this.#threads) if (!current.includes(thread)) thread.unref();
  }

  #start(): Piscina {
    if (!this.#pool) {
      const pool = new Piscina({
        filename: WORKER,
        minThreads: this.#options.minThreads,
        maxThreads: this.#options.maxThreads,
        idleTimeout: this.#options.idleTimeout,
        atomics: 'sync',
        resourceLimits: { maxOldGenerationSizeMb: this.#heapMb },
        workerData: { clocks: this.#clocks } satisfies WorkerClocks,
      });
      // A worker that failed while running no task (piscina reports those here).
      pool.on('error', (error: unknown) => {
        this.#release();
        this.#onError(new WorkerError(`a pool worker failed: ${message(error)}`, { cause: error }));
      });
      pool.on('workerCreate', () => {
        for (const thread of pool.threads) {
          if (this.#threads.has(thread)) continue;
          this.#threads.add(thread);
          thread.once('exit', () => this.#threads.delete(thread));
        }
      });
      this.#pool = pool;
    }
    return this.#pool;
  }
}

function closedError(name: TaskName): StoreClosedError {
  return new StoreClosedError(name, `a codec task (${name}) was still pending when close() ended the pool`);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The error a task's own code threw in the worker, rebuilt on this side. */
function taskError(result: TaskFailure): Error {
  if (result.failed.reason) return new OpenFailure(result.failed.reason, result.failed.message);
  const error = result.failed.type === 'TypeError' ? new TypeError(result.failed.message) : new Error(result.failed.message);
  if (result.failed.type !== 'TypeError') error.name = result.failed.type;
  return error;
}
