// The only code that runs in the pool's threads: pure functions from a JSON tree to stored
// bytes, and (for module serializers) from stored bytes back to a session. Results are
// transferred, never copied. An error of the serializer's own comes back as a TaskFailure
// value; a rejected task means the pool itself failed.
import { move, workerData } from 'piscina';
import { jsonText, utf8Bytes } from '../src/codec/json.js';
import { ownBuffer, packMsgpack, textPlain } from '../src/codec/pack.js';
import { packModule, unpackModule } from '../src/codec/module.js';
import { Format, hasEnvelope } from '../src/codec/envelope.js';
import { open, OpenFailure, seal, type SealSpec } from '../src/codec/seal.js';
import type { BytesTask, DecodeTask, EncodeTask, TaskClock, TaskFailure, WorkerClocks } from './messages.js';

const { clocks } = workerData as WorkerClocks;

export async function encode(task: EncodeTask & TaskClock): Promise<unknown> {
  started(task);
  let bytes: Uint8Array;
  try {
    switch (task.format) {
      case 'json':
        bytes = task.seal ? sealJson(jsonText(task.tree), task, task.seal) : utf8Bytes(jsonText(task.tree));
        break;
      case 'msgpack':
        bytes = packMsgpack(task.tree, task.version);
        break;
      case 'module':
        bytes = await packModule(task.href!, task.tree, task.version);
        break;
    }
    if (task.seal && task.format !== 'json') bytes = withLength(seal(bytes, task.seal));
  } catch (error) {
    return failure(error);
  }
  return move(ownBuffer(bytes));
}

/** seal or open one value. */
export function bytes(task: BytesTask & TaskClock): unknown {
  started(task);
  try {
    const out = task.op === 'seal' ? seal(task.bytes, task.seal!).bytes : open(task.bytes, task.open!);
    return move(ownBuffer(out));
  } catch (error) {
    return failure(error);
  }
}

/** JSON below the compression threshold (and not encrypted) stays plain text, as inline. */
function sealJson(text: string, task: EncodeTask, spec: SealSpec): Buffer {
  const plain = textPlain(text, Format.json, spec, task.version);
  return withLength(hasEnvelope(plain) ? seal(plain, spec) : { bytes: plain, before: plain.length });
}

/** The sealed value, then the payload's length before compression (4 bytes, big-endian). */
function withLength(sealed: { bytes: Buffer; before: number }): Buffer {
  const out = Buffer.allocUnsafe(sealed.bytes.length + 4);
  out.set(sealed.bytes, 0);
  out.writeUInt32BE(sealed.before, sealed.bytes.length);
  return out;
}

export async function decode(task: DecodeTask & TaskClock): Promise<{ value: unknown } | TaskFailure> {
  started(task);
  try {
    return { value: await unpackModule(task.href, task.bytes) };
  } catch (error) {
    return failure(error);
  }
}

function started(task: TaskClock): void {
  Atomics.store(clocks, task.slot, BigInt(Date.now()));
}

function failure(error: unknown): TaskFailure {
  return {
    failed: {
      type: error instanceof Error ? error.name : 'Error',
      message: error instanceof Error ? error.message : String(error),
      ...(error instanceof OpenFailure && { reason: error.reason }),
    },
  };
}
