// Giving the bytes of an offloaded encode back as soon as every member has them.
//
// Bytes a worker transferred to the main thread are external memory there. V8 (Node 20's 11.3)
// counts external memory allocated since the last Mark-Compact towards the old generation when it
// decides to start marking, and frees a dead ArrayBuffer's bytes only when a GC finds it; adopting
// a transferred buffer never triggers a scavenge, and the offloaded main thread allocates little on
// its own heap. With a small heap, a few hundred KB per write were enough to start a Mark-Compact
// every 10-20 writes. Detaching a buffer (transferring it away) takes its bytes off the count at
// once (docs/offload.md, "Garbage collection").
import { MessageChannel, type MessagePort } from 'node:worker_threads';

/** A port whose peer is closed: what is transferred to it is detached here and then dropped. */
let sink: MessagePort | undefined;

/** Detaches `bytes`' ArrayBuffer, which no one may use afterwards; its memory is freed. */
export function detach(bytes: Uint8Array): void {
  if (!sink) {
    const channel = new MessageChannel();
    channel.port2.close();
    sink = channel.port1;
  }
  sink.postMessage(null, [bytes.buffer as ArrayBuffer]);
}
