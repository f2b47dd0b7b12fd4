// Writes to one session id reach each member in the order they were called. Encoding may finish
// out of order (a large session offloaded, the next one small and inline), so each write is sent
// only after the writes called before it on the same id were sent. node-redis keeps the order of
// commands on one connection from there.

export class WriteOrder {
  /** Per id: settles once the latest write called on it has been sent. */
  readonly #sent = new Map<string, Promise<void>>();

  /**
   * Runs `send(value)` as soon as `prepared` is ready and every earlier write on `id` was sent.
   * With nothing pending on `id` and a value already at hand, `send` runs synchronously.
   */
  run<T, R>(id: string, prepared: T | Promise<T>, send: (value: T) => Promise<R>): Promise<R> {
    const before = this.#sent.get(id);
    if (!before && !(prepared instanceof Promise)) return send(prepared);
    let markSent!: () => void;
    const sent = new Promise<void>(resolve => (markSent = resolve));
    this.#sent.set(id, sent);
    const release = () => {
      markSent();
      if (this.#sent.get(id) === sent) this.#sent.delete(id);
    };
    return (async () => {
      try {
        if (before) await before;
        return send(await prepared);
      } finally {
        release();
      }
    })();
  }
}
