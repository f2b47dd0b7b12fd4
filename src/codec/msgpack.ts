// Decoding msgpack: msgpackr's unpack (natively accelerated) reads the record format that
// msgpack-encode.ts and Packr write. No shared `structures`: every stored value decodes on its
// own. 64-bit integers read as numbers (as JSON.parse reads them); the structured-clone
// references (ids, pointers: how another program writes cycles) are refused while decoding.
// What other extensions build (Date, Set, Map, RegExp, Error, typed arrays) is refused after it,
// by json-only.ts.
import { Unpackr } from 'msgpackr';

const unpackr = new Unpackr({ useRecords: true, mapsAsObjects: true, int64AsType: 'number', structuredClone: false });

export function unpackFrom(bytes: Uint8Array, start: number): unknown {
  return unpackr.unpack(bytes, { start });
}
