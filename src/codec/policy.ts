// Where codec work runs. Handing a session to a worker is itself a serialization on the main
// thread (a JSON-semantics walk, then a structured clone), so the pool only pays where the work
// left in the worker is heavier than that hand-off. The numbers behind each rule come from
// `npm run bench -- codec` and are in docs/offload.md.
import type { Offload, SerializerChoice } from '../options.js';
import { probe } from './probe.js';

/** Default `offloadThreshold`, in bytes (see docs/offload.md for the measurements). */
export const DEFAULT_OFFLOAD_THRESHOLD = 128 * 1024;

/** JSON that is mostly long strings (this share or more) goes to the pool from the threshold:
 * handing it over is then mostly a copy, while JSON.stringify scans and escapes every character. */
export const STRING_HEAVY_SHARE = 0.5;
/** Other JSON only from this multiple of the threshold: between about 170 KB and 256 KB full
 * bench runs disagreed on which side was cheaper for object-heavy sessions (a tie within noise,
 * where inline spends less CPU in all); from 1 MB the pool was cheaper in most runs. */
export const OBJECT_HEAVY_FACTOR = 4;
/** Binary sessions (this share in Buffers) never: the hand-off turns their Buffers into arrays of
 * numbers too, and the pool measured dearer at every size. */
export const BINARY_SHARE = 0.25;

/** Compression and encryption of an enveloped value of at least this many bytes run in the pool
 * with 'auto': handing bytes over is a transfer, a fixed cost of about 0.05 ms of main thread,
 * which brotli 4 + AES-GCM on 16 KB of session already exceeds (docs/offload.md). */
export const SEAL_OFFLOAD_FROM = 16 * 1024;
/** Decryption and decompression from this stored size: inflating is cheaper than deflating, and
 * a stored (compressed) value of 8 KB is several times that once opened. */
export const OPEN_OFFLOAD_FROM = 8 * 1024;

let sealFrom = SEAL_OFFLOAD_FROM;
let openFrom = OPEN_OFFLOAD_FROM;

/** For bench/ab-seal.ts only: the sizes from which 'auto' seals and opens in the pool in this
 * thread (Infinity: always inline); no arguments restore the defaults. */
export function useByteCrossover(seal = SEAL_OFFLOAD_FROM, open = OPEN_OFFLOAD_FROM): void {
  sealFrom = seal;
  openFrom = open;
}

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
        if (p.binary >= BINARY_SHARE * p.size) return false;
        const size = Math.max(knownSize ?? 0, p.size);
        const stringHeavy = p.text >= STRING_HEAVY_SHARE * p.size;
        return size >= (stringHeavy ? this.#threshold : OBJECT_HEAVY_FACTOR * this.#threshold);
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

  /** @param plainSize the enveloped value before compression and encryption */
  sealInPool(plainSize: number): boolean {
    if (this.#mode !== 'auto') return this.#mode === 'always';
    return plainSize >= sealFrom;
  }

  openInPool(storedSize: number): boolean {
    if (this.#mode !== 'auto') return this.#mode === 'always';
    return storedSize >= openFrom;
  }

  /** Only a module serializer's parse can run in the pool: objects are built on the main thread. */
  decodeInPool(storedSize: number): boolean {
    if (this.#kind !== 'module' || this.#mode === 'never') return false;
    return this.#mode === 'always' || storedSize >= this.#threshold;
  }
}
