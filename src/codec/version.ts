// Write versions: a hybrid clock (wall milliseconds plus a counter), so that values written by
// several processes compare by time and two writes of one process never tie. Plain JSON values
// carry none and count as older than every versioned value.

export interface Version {
  readonly ms: number;
  readonly counter: number;
}

export const UNVERSIONED: Version = Object.freeze({ ms: 0, counter: 0 });

let lastMs = 0;
let counter = 0;

export function nextVersion(): Version {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else if (++counter > 0xffff) {
    lastMs += 1;
    counter = 0;
  }
  return { ms: lastMs, counter };
}

export function compareVersions(a: Version, b: Version): number {
  return a.ms - b.ms || a.counter - b.counter;
}
