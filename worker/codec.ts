// The only code that runs in the pool's threads: pure functions from a JSON tree to stored
// bytes, and (for module serializers) from stored bytes back to a session. Results are
// transferred, never copied.
import { move } from 'piscina';
import { jsonText, utf8Bytes } from '../src/codec/json.js';
import { ownBuffer, packMsgpack } from '../src/codec/pack.js';
import { packModule, unpackModule } from '../src/codec/module.js';
import type { DecodeTask, EncodeTask } from './messages.js';

export async function encode(task: EncodeTask): Promise<unknown> {
  let bytes: Uint8Array;
  switch (task.format) {
    case 'json':
      bytes = utf8Bytes(jsonText(task.tree));
      break;
    case 'msgpack':
      bytes = packMsgpack(task.tree, task.version);
      break;
    case 'module':
      bytes = await packModule(task.href!, task.tree, task.version);
      break;
  }
  return move(ownBuffer(bytes));
}

export function decode(task: DecodeTask): Promise<unknown> {
  return unpackModule(task.href, task.bytes);
}
