// The members of one store and the store-level events their health drives: `connect` and
// `ready` each time a member becomes usable, `disconnect` once when the last usable one is lost
// (express-session then bypasses the store until the next `connect`), and `error` only while
// someone listens, never in a flood.
import { NoMemberError, withClient } from '../errors.js';
import type { Options } from '../options.js';
import { Member, type MemberListener, type MemberStats } from './member.js';

export interface StoreEvents {
  emitEvent(event: 'connect' | 'ready', client: unknown): void;
  emitDisconnect(): void;
  emitError(error: Error): void;
}

interface Waiter {
  readonly count: number;
  readonly resolve: () => void;
}

export class MemberSet implements MemberListener {
  readonly members: readonly Member[];
  readonly #events: StoreEvents;
  #usableCount = 0;
  /** No member is usable and `disconnect` was emitted (or none ever was usable). */
  #disconnected = true;
  #closed = false;
  #waiters: Waiter[] = [];

  constructor(options: Options, events: StoreEvents) {
    this.#events = events;
    const config = { commandTimeout: options.commandTimeout, unref: options.unref };
    this.members = options.members.map(entry => new Member(entry, config, this));
  }

  start(): void {
    for (const member of this.members) member.start();
  }

  get usableCount(): number {
    return this.#usableCount;
  }

  usable(member: Member): void {
    this.#usableCount++;
    if (this.#closed) return;
    this.#disconnected = false;
    this.#events.emitEvent('connect', member.client);
    this.#events.emitEvent('ready', member.client);
    this.#waiters = this.#waiters.filter(w => (this.#usableCount >= w.count ? (w.resolve(), false) : true));
  }

  unusable(_member: Member): void {
    this.#usableCount--;
    if (this.#closed) return;
    if (this.#usableCount === 0 && !this.#disconnected) {
      this.#disconnected = true;
      this.#events.emitDisconnect();
    }
  }

  error(member: Member, error: Error): void {
    if (!this.#closed) this.#events.emitError(withClient(error, member.client));
  }

  /** Resolves once `count` members are usable; rejects with NoMemberError after `timeoutMs`. */
  whenUsable(count: number, timeoutMs: number): Promise<void> {
    if (this.#usableCount >= count) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter(w => w !== waiter);
        const down = this.members.filter(m => !m.usable).map(m => m.label);
        reject(new NoMemberError(`ready() timed out after ${timeoutMs} ms: ${this.#usableCount} of ${count} members needed are usable (not usable: ${down.join(', ')})`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  stats(): MemberStats[] {
    return this.members.map(m => m.stats());
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.members.map(m => m.close()));
  }
}
