// A cheap look at a session before encoding it: a breadth-first walk that stops after a fixed
// number of containers, adding up what JSON would write for what it saw. It tells the offload
// policy roughly how large the encoded session will be (a lower bound when the walk stopped
// early), how much of it is long text (cheap to hand to a worker: cloning a string is a copy)
// and how much is binary (Buffers, which JSON writes as arrays of numbers).

export const PROBE_BUDGET = 256;
export const LONG_TEXT = 256;

export interface Probe {
  /** Estimated JSON bytes of what the walk saw. */
  readonly size: number;
  /** Of which strings of LONG_TEXT characters or more. */
  readonly text: number;
  /** Of which Buffers / typed arrays (JSON writes each byte as a number and a comma). */
  readonly binary: number;
  /** The walk saw the whole session (else `size` is a lower bound). */
  readonly complete: boolean;
}

export function probe(session: unknown, budget = PROBE_BUDGET): Probe {
  let size = 0;
  let binary = 0;
  let text = 0;
  const queue: object[] = [];
  // Leaves are counted as they are met, so long strings weigh in even when the walk stops early.
  const see = (value: unknown) => {
    switch (typeof value) {
      case 'string':
        size += value.length + 2;
        if (value.length >= LONG_TEXT) text += value.length;
        return;
      case 'number':
      case 'boolean':
        size += 6;
        return;
      case 'object':
        if (value === null) size += 4;
        else if (ArrayBuffer.isView(value)) {
          binary += value.byteLength * 4;
          size += value.byteLength * 4;
        } else queue.push(value);
        return;
      default:
        return;
    }
  };
  see(session);
  for (let i = 0; i < queue.length; i++) {
    if (i >= budget) return { size, text, binary, complete: false };
    const value = queue[i]!;
    size += 2;
    if (Array.isArray(value)) {
      for (let j = 0; j < value.length; j++) see(value[j]);
    } else {
      for (const key in value) {
        size += key.length + 4;
        see((value as Record<string, unknown>)[key]);
      }
    }
  }
  return { size, text, binary, complete: true };
}
