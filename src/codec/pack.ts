// The encoders both threads share: a JSON tree (normalize.ts) → the stored bytes.
import { Format, HEADER_SIZE, FLAG_PROTO_ESCAPED, writeHeader, type FormatCode } from './envelope.js';
import { packTree } from './msgpack.js';
import type { Version } from './version.js';

/** A fresh value holding header and payload; it owns its ArrayBuffer, so it can be transferred. */
export function enveloped(format: FormatCode, flags: number, version: Version, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafeSlow(HEADER_SIZE + payload.length);
  writeHeader(out, format, flags, version);
  out.set(payload, HEADER_SIZE);
  return out;
}

export function packMsgpack(tree: unknown, escaped: boolean, version: Version): Buffer {
  return enveloped(Format.msgpack, escaped ? FLAG_PROTO_ESCAPED : 0, version, packTree(tree));
}

/** A view that owns its whole ArrayBuffer can be transferred between threads; any other is copied
 * once (node-redis replies are often views into a shared socket chunk: transferring one would
 * detach its neighbours). */
export function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}
