// The only code that runs in the pool's threads: pure functions from a JSON tree to stored
// bytes, and (for module serializers) from stored bytes back to a session. Results are
// transferred, never copied. An error of the serializer's own comes back as a TaskFailure
// value; a rejected task means the pool itself failed.
import { move, workerData } from 'piscina';
import { jsonText, utf8Bytes } from '../src/codec/json.js';
import { ownBuffer, packMsgpack } from '../src/codec/pack.js';
import { packModule, unpackModule } from '../src/codec/module.js';
import type { DecodeTask, EncodeTask, TaskClock, TaskFailure, WorkerClocks } from './messages.js';

const { clocks } = workerData as WorkerClocks;

export async function encode(task: EncodeTask & TaskClock): Promise<unknown> {
  started(task);
  let bytes: Uint8Array;
  try {
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
  } catch (error) {
    return failure(error);
  }
  return move(ownBuffer(bytes));
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
    },
  };
}
