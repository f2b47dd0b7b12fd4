// The lazy piscina pool behind offloaded codec work: no thread exists until the first task, an
// idle pool never keeps the process alive, and close() ends it.
import { Piscina } from 'piscina';
import type { WorkerOptions } from './options.js';
import type { DecodeTask, EncodeTask, TaskFailure } from '../worker/messages.js';

// Resolved beside this file: dist/src/pool.js → dist/worker/codec.js.
const WORKER = new URL('../worker/codec.js', import.meta.url).href;

/** The pool itself failed (a worker died, the pool was ended): not an error of the task's code. */
export class PoolFailure extends Error {
  override readonly name = 'PoolFailure';
}

export interface PoolStats {
  threads: number;
  tasks: number;
  queued: number;
}

export class CodecPool {
  readonly #options: Required<WorkerOptions>;
  readonly #onError: (error: Error) => void;
  #pool: Piscina | undefined;
  #tasks = 0;
  #closed = false;

  constructor(options: Required<WorkerOptions>, onError: (error: Error) => void) {
    this.#options = options;
    this.#onError = onError;
  }

  get started(): boolean {
    return this.#pool !== undefined;
  }

  /** Rejects with the task's own error (e.g. a serializer that throws), or with PoolFailure. */
  async encode(task: EncodeTask): Promise<Buffer> {
    const result = (await this.#run(task, 'encode')) as Uint8Array | TaskFailure;
    if (!(result instanceof Uint8Array)) throw taskError(result);
    return Buffer.from(result.buffer, result.byteOffset, result.byteLength);
  }

  /** The caller keeps `stored`: a copy is transferred. */
  async decode(href: string, stored: Uint8Array): Promise<unknown> {
    const bytes = new Uint8Array(stored);
    const task: DecodeTask = { href, bytes };
    const result = (await this.#run(task, 'decode', [bytes.buffer])) as { value: unknown } | TaskFailure;
    if ('failed' in result) throw taskError(result);
    return result.value;
  }

  stats(): PoolStats {
    return { threads: this.#pool?.threads.length ?? 0, tasks: this.#tasks, queued: this.#pool?.queueSize ?? 0 };
  }

  /** Ends the threads; tasks still queued or running are rejected. */
  async close(): Promise<void> {
    this.#closed = true;
    const pool = this.#pool;
    this.#pool = undefined;
    if (pool) await pool.destroy();
  }

  #run(task: unknown, name: string, transferList?: ArrayBuffer[]): Promise<unknown> {
    if (this.#closed) return Promise.reject(new PoolFailure('the codec pool is closed'));
    this.#tasks++;
    const run = this.#start().run(task, transferList ? { name, transferList } : { name }) as Promise<unknown>;
    return run.catch((error: unknown) => {
      throw new PoolFailure(`codec pool: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });
  }

  #start(): Piscina {
    if (!this.#pool) {
      const pool = new Piscina({
        filename: WORKER,
        minThreads: this.#options.minThreads,
        maxThreads: this.#options.maxThreads,
        idleTimeout: this.#options.idleTimeout,
        atomics: 'sync',
      });
      pool.on('error', (error: unknown) => this.#onError(error instanceof Error ? error : new Error(String(error))));
      this.#pool = pool;
    }
    return this.#pool;
  }
}

/** The error a task's own code threw in the worker, rebuilt on this side. */
function taskError(result: TaskFailure): Error {
  const error = result.failed.type === 'TypeError' ? new TypeError(result.failed.message) : new Error(result.failed.message);
  if (result.failed.type !== 'TypeError') error.name = result.failed.type;
  return error;
}
