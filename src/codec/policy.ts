// Where codec work runs. Handing a session to a worker is itself a serialization on the main
// thread (a JSON-semantics walk, then a structured clone), so the pool only pays where the work
// left in the worker is heavier than that hand-off. The numbers behind each rule come from
// `npm run bench -- codec` and are in README "Offload policy".
import type { Offload, SerializerChoice } from '../options.js';
import { probe } from './probe.js';

/** Default `offloadThreshold`, in bytes (see README "Offload policy" for the measurements). */
export const DEFAULT_OFFLOAD_THRESHOLD = 128 * 1024;

/** Share of a session's JSON in Buffers from which it counts as binary. Its Buffers become
 * arrays of numbers in the hand-off too (the JSON-semantics walk), so the pool measured dearer
 * for binary sessions at every size. For object- and string-heavy sessions from about 170 KB,
 * the hand-off costs the main thread less than building the JSON string and its UTF-8 copy. */
export const BINARY_SHARE = 0.25;

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
        // Below the threshold the hand-off costs more than JSON.stringify and a UTF-8 copy.
        if (knownSize !== undefined && knownSize < this.#threshold) return false;
        const p = probe(session);
        return p.binary < BINARY_SHARE * p.size && Math.max(knownSize ?? 0, p.size) >= this.#threshold;
      }
      case 'module': {
        if (knownSize !== undefined) return knownSize >= this.#threshold;
        const p = probe(session);
        return !p.complete || p.size >= this.#threshold;
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
