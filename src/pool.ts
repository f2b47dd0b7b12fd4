// The lazy piscina pool behind offloaded codec work: no thread exists until the first task, an
// idle pool never keeps the process alive, and close() ends it.
import { Piscina } from 'piscina';
import type { WorkerOptions } from './options.js';
import { ownBuffer } from './codec/pack.js';
import type { DecodeTask, EncodeTask } from '../worker/messages.js';

// Resolved beside this file: dist/src/pool.js → dist/worker/codec.js.
const WORKER = new URL('../worker/codec.js', import.meta.url).href;

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

  async encode(task: EncodeTask): Promise<Buffer> {
    const result = (await this.#run(task, 'encode')) as Uint8Array;
    return Buffer.from(result.buffer, result.byteOffset, result.byteLength);
  }

  decode(href: string, stored: Uint8Array): Promise<unknown> {
    const bytes = ownBuffer(stored);
    const task: DecodeTask = { href, bytes };
    return this.#run(task, 'decode', [bytes.buffer as ArrayBuffer]);
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
    if (this.#closed) return Promise.reject(new Error('the codec pool is closed'));
    this.#tasks++;
    return this.#start().run(task, transferList ? { name, transferList } : { name });
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
