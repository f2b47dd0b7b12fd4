// The encoders both threads share: a session (or a JSON tree from normalize.ts) → stored bytes.
import { Format, HEADER_SIZE, FLAG_PROTO_ESCAPED, writeHeader, type FormatCode } from './envelope.js';
import { encodeMsgpack } from './msgpack-encode.js';
import type { Version } from './version.js';

/** A fresh value holding header and payload (above 4 KB it owns its ArrayBuffer; see ownBuffer). */
export function enveloped(format: FormatCode, flags: number, version: Version, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
  writeHeader(out, format, flags, version);
  out.set(payload, HEADER_SIZE);
  return out;
}

/** The enveloped msgpack of a session, JSON semantics applied in the same walk. */
export function packMsgpack(session: unknown, version: Version): Buffer {
  const { bytes, escaped } = encodeMsgpack(session);
  writeHeader(bytes, Format.msgpack, escaped ? FLAG_PROTO_ESCAPED : 0, version);
  return bytes;
}

/** A view that owns its whole ArrayBuffer can be transferred between threads; any other is copied
 * once (node-redis replies are often views into a shared socket chunk: transferring one would
 * detach its neighbours). */
export function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}
