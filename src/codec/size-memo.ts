// The stored size last seen for each session id (read or written), so the offload policy can
// decide before encoding. Bounded: the oldest entries go first.

const LIMIT = 10_000;

export class SizeMemo {
  readonly #sizes = new Map<string, number>();

  get(id: string): number | undefined {
    return this.#sizes.get(id);
  }

  set(id: string, size: number): void {
    this.#sizes.delete(id);
    this.#sizes.set(id, size);
    if (this.#sizes.size > LIMIT) this.#sizes.delete(this.#sizes.keys().next().value!);
  }

  delete(id: string): void {
    this.#sizes.delete(id);
  }
}
