// Decoding msgpack: msgpackr's unpack (natively accelerated) reads the record format that
// msgpack-encode.ts writes. No shared `structures`: every stored value decodes on its own.
import { Unpackr } from 'msgpackr';

const unpackr = new Unpackr({ useRecords: true, mapsAsObjects: true });

export function unpackFrom(bytes: Uint8Array, start: number): unknown {
  return unpackr.unpack(bytes, { start });
}
