// Work the store has started and not finished: operations, and what they left running in the
// background (writes beyond the quorum, repairs). close() waits for it, up to a bound.

export class InFlight {
  readonly #work = new Set<Promise<unknown>>();

  track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.#work.add(settled);
    void settled.then(() => this.#work.delete(settled));
    return work;
  }

  /** Resolves when everything tracked so far has settled, or after `ms`, whichever comes first. */
  async drain(ms: number): Promise<void> {
    if (this.#work.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>(resolve => (timer = setTimeout(resolve, ms)));
    await Promise.race([Promise.all([...this.#work]), bound]);
    clearTimeout(timer);
  }
}
