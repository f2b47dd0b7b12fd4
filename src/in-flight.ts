// Work the store has started and not finished: operations, and what they left running in the
// background (writes beyond the quorum, repairs). close() waits for it, up to a bound.

export class InFlight {
  #count = 0;
  #idle: (() => void)[] = [];

  begin(): void {
    this.#count++;
  }

  end(): void {
    if (--this.#count === 0 && this.#idle.length > 0) {
      const waiters = this.#idle;
      this.#idle = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Counts `work` until it settles; returns it unchanged. */
  track<T>(work: Promise<T>): Promise<T> {
    this.begin();
    const end = () => this.end();
    work.then(end, end);
    return work;
  }

  /** Resolves when nothing is in flight, or after `ms`, whichever comes first. */
  async drain(ms: number): Promise<void> {
    if (this.#count === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>(resolve => this.#idle.push(resolve)),
      new Promise<void>(resolve => (timer = setTimeout(resolve, ms))),
    ]);
    clearTimeout(timer);
  }
}
