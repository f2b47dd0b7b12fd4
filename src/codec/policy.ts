// Where codec work runs. Handing a session to a worker is itself a serialization on the main
// thread (a JSON-semantics walk, then a structured clone), so the pool only pays where the work
// left in the worker is heavier than that hand-off. The numbers behind each rule come from
// `npm run bench -- codec` and are in README "Offload policy".
import type { Offload, SerializerChoice } from '../options.js';
import { density, estimatedSize, probe } from './probe.js';

/** Default `offloadThreshold`, in bytes (see README "Offload policy" for the measurements). */
export const DEFAULT_OFFLOAD_THRESHOLD = 128 * 1024;

/** Characters per node from which a session counts as string-heavy: cloning it is a memcpy. */
export const STRING_HEAVY_DENSITY = 512;

export class OffloadPolicy {
  readonly #mode: Offload;
  readonly #threshold: number;
  readonly #kind: SerializerChoice['kind'];

  constructor(mode: Offload, threshold: number, serializer: SerializerChoice) {
    this.#mode = mode;
    this.#threshold = threshold;
    this.#kind = serializer.kind;
  }

  /** @param knownSize the stored size last seen for this session, if any */
  encodeInPool(session: unknown, knownSize: number | undefined): boolean {
    if (this.#mode !== 'auto') return this.#mode === 'always';
    switch (this.#kind) {
      case 'json': {
        // Object-heavy JSON measured no saving: the clone costs what JSON.stringify costs.
        if (knownSize !== undefined && knownSize < this.#threshold) return false;
        // The probe's sample tells string-heavy from object-heavy; its size is a lower bound.
        const p = probe(session);
        return density(p) >= STRING_HEAVY_DENSITY && Math.max(knownSize ?? 0, estimatedSize(p)) >= this.#threshold;
      }
      case 'module': {
        if (knownSize !== undefined) return knownSize >= this.#threshold;
        const p = probe(session);
        return !p.complete || estimatedSize(p) >= this.#threshold;
      }
      default:
        // msgpack: one inline walk-and-pack beats walk + clone + pack in a worker at every size.
        return false;
    }
  }

  /** Only a module serializer's parse can run in the pool: objects are built on the main thread. */
  decodeInPool(storedSize: number): boolean {
    if (this.#kind !== 'module' || this.#mode === 'never') return false;
    return this.#mode === 'always' || storedSize >= this.#threshold;
  }
}
