// A cheap look at a session before encoding it: a walk that stops after a fixed number of nodes,
// counting nodes and string characters. It tells the offload policy how big the encoded session
// will roughly be and whether it is string-heavy (few nodes, long strings: cheap to hand to a
// worker) or object-heavy (many small nodes: handing it over costs as much as encoding it).

export const PROBE_BUDGET = 256;

export interface Probe {
  /** Nodes visited (objects, arrays and leaves). */
  readonly nodes: number;
  /** UTF-16 code units of the strings (keys included) seen. */
  readonly chars: number;
  /** The walk saw the whole session within the budget (else the figures are a sample). */
  readonly complete: boolean;
}

export function probe(session: unknown, budget = PROBE_BUDGET): Probe {
  let nodes = 0;
  let chars = 0;
  const queue: unknown[] = [session];
  for (let i = 0; i < queue.length; i++) {
    if (++nodes > budget) return { nodes, chars, complete: false };
    const value = queue[i];
    if (typeof value === 'string') {
      chars += value.length;
    } else if (value !== null && typeof value === 'object') {
      if (ArrayBuffer.isView(value)) {
        // JSON writes a Buffer as {type, data: [n, n, …]}: one small node per byte.
        nodes += value.byteLength;
        chars += value.byteLength * 4;
        if (nodes > budget) return { nodes, chars, complete: false };
      } else if (Array.isArray(value)) {
        if (queue.length + value.length > budget) return { nodes: queue.length + value.length, chars, complete: false };
        for (let j = 0; j < value.length; j++) queue.push(value[j]);
      } else {
        for (const key in value) {
          if (queue.length >= budget) return { nodes: budget + 1, chars, complete: false };
          chars += key.length + 3;
          queue.push((value as Record<string, unknown>)[key]);
        }
      }
    }
  }
  return { nodes, chars, complete: true };
}

/** Roughly the JSON length of a probed session; a lower bound when the probe was incomplete. */
export function estimatedSize(p: Probe): number {
  return p.chars + p.nodes * 6;
}

/** Characters per node: high for sessions of few long strings, low for many small values. */
export function density(p: Probe): number {
  return p.chars / Math.max(1, p.nodes);
}
