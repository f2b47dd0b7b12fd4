// The encoders both threads share: a session (or a JSON tree from normalize.ts) → stored bytes.
import { Packr } from 'msgpackr';
import { Format, HEADER_SIZE, FLAG_PROTO_ESCAPED, writeHeader, type FormatCode } from './envelope.js';
import { utf8Bytes } from './json.js';
import { sealsPayload, type SealSpec } from './seal.js';
import { encodeMsgpack, encoding } from './msgpack-encode.js';
import { toMsgpackTree } from './normalize.js';
import type { Version } from './version.js';

/** A fresh value holding header and payload (above 4 KB it owns its ArrayBuffer; see ownBuffer). */
export function enveloped(format: FormatCode, flags: number, version: Version, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
  writeHeader(out, format, flags, version);
  out.set(payload, HEADER_SIZE);
  return out;
}

// Records on (the first object of each shape carries its key list, later ones a one-byte id:
// about half the bytes, and msgpackr's unpack builds objects from them several times faster than
// JSON.parse); no shared `structures`, so every stored value decodes on its own.
const packr = new Packr({ useRecords: true });

export type MsgpackEncoder = 'fused' | 'packr';
let encoder: MsgpackEncoder = 'fused';

/** For bench/encoder.ts only: which msgpack encoder packMsgpack uses in this thread. */
export function useMsgpackEncoder(choice: MsgpackEncoder): void {
  encoder = choice;
}

/** The enveloped msgpack of a session, JSON semantics applied first. The fused encoder keeps its
 * state in its module, so a `set` started from inside an encode (a toJSON or getter) goes through
 * Packr instead: the two write the same format, and Packr runs no user code once the tree is
 * built, so neither can see the other half-done. */
export function packMsgpack(session: unknown, version: Version): Buffer {
  if (encoder === 'fused' && !encoding()) {
    const { bytes, escaped } = encodeMsgpack(session);
    writeHeader(bytes, Format.msgpack, escaped ? FLAG_PROTO_ESCAPED : 0, version);
    return bytes;
  }
  const { tree, escaped } = toMsgpackTree(session);
  if (tree === undefined) throw new TypeError(`a session must be an object, got ${typeof session}`);
  return enveloped(Format.msgpack, escaped ? FLAG_PROTO_ESCAPED : 0, version, packr.pack(tree));
}

/** A view that owns its whole ArrayBuffer can be transferred between threads; any other is copied
 * once (node-redis replies are often views into a shared socket chunk: transferring one would
 * detach its neighbours). */
export function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

/** Text (JSON, or a `{ stringify, parse }` object's output) as it is stored before sealing:
 * plain UTF-8 when `seal` would leave it as it is (below the compression threshold, not
 * encrypted), else in an envelope of `format` for seal. */
export function textPlain(text: string, format: FormatCode, spec: Pick<SealSpec, 'compression' | 'key'>, version: Version): Buffer {
  const length = Buffer.byteLength(text);
  if (!sealsPayload(spec, length)) return utf8Bytes(text);
  const out = Buffer.allocUnsafe(HEADER_SIZE + length);
  writeHeader(out, format, 0, version);
  out.utf8Write(text, HEADER_SIZE, length);
  return out;
}
