// The store configurations the grid compares: expredis on TWO members (json / msgpack ×
// offload never / always / auto) and connect-redis 9 on node-redis on ONE member, the baseline
// every ratio is taken against; and, at the cart and string-heavy points only, expredis with
// compression (every algorithm this Node has, at its default level and threshold) and/or
// AES-256-GCM, offload 'auto'.
import { randomBytes } from 'node:crypto';
import { RedisStore as ConnectRedisStore } from 'connect-redis';
import { createClient } from 'redis';
import { RedisStore, type Offload, type Reads } from '../src/index.js';
import { zstdAvailable, type Algorithm } from '../src/codec/seal.js';
import type { RedisTarget } from './redis.js';

export const BASELINE = 'connect-redis';
/** No store at all: JSON and node-redis `sendCommand` racing two members, the first reply
 * winning. What any two-member store on node-redis pays at least (the floor), shown beside
 * expredis so that the cost of the second member is visible apart from the store's own. */
export const FLOOR = 'node-redis-x2';

export interface PipelineInfo {
  id: string;
  label: string;
  members: number;
  serializer: 'json' | 'msgpack';
  offload: Offload | null;
  /** expredis only; undefined = the default ('all'). */
  reads?: Reads;
  /** Compression algorithm (its default level and threshold); absent: none. */
  compression?: Algorithm;
  /** AES-256-GCM with a fresh random key. */
  encrypted?: boolean;
  /** Measured only at the grid points with these ids; absent: at every point. */
  points?: string[];
}

/** The points the compression/encryption pipelines run at: the cart and the string-heavy
 * session (both sides of the byte work's crossover are far below them). */
export const SEALED_POINTS = ['cart', 'string-300KB'];

/** The id of a serializer's pipeline with this compression/encryption ('json-auto' with neither). */
export function sealedId(serializer: 'json' | 'msgpack', compression: Algorithm | undefined, encrypted: boolean): string {
  return compression === undefined && !encrypted ? `${serializer}-auto` : `${serializer}-${compression ?? 'plain'}${encrypted ? '-aes' : ''}`;
}

const SEALED_ALGORITHMS: (Algorithm | undefined)[] = [undefined, 'gzip', 'deflate', 'brotli', ...(zstdAvailable() ? (['zstd'] as const) : [])];

export const PIPELINES: readonly PipelineInfo[] = [
  { id: BASELINE, label: 'connect-redis (1 member)', members: 1, serializer: 'json', offload: null },
  { id: FLOOR, label: 'bare node-redis on 2 members (floor)', members: 2, serializer: 'json', offload: null },
  ...(['json', 'msgpack'] as const).flatMap(serializer =>
    (['never', 'always', 'auto'] as const).map(offload => ({
      id: `${serializer}-${offload}`,
      label: `expredis ${serializer} ${offload}`,
      members: 2,
      serializer,
      offload,
    })),
  ),
  // Hedged reads: the default offload, one member asked first.
  ...(['json', 'msgpack'] as const).map(serializer => ({
    id: `${serializer}-auto-hedged`,
    label: `expredis ${serializer} auto, hedged reads`,
    members: 2,
    serializer,
    offload: 'auto' as const,
    reads: 'hedged' as const,
  })),
  ...(['json', 'msgpack'] as const).flatMap(serializer =>
    SEALED_ALGORITHMS.flatMap(compression =>
      [false, true]
        .filter(encrypted => compression !== undefined || encrypted)
        .map(encrypted => ({
          id: sealedId(serializer, compression, encrypted),
          label: `expredis ${serializer} ${[compression, encrypted ? 'AES-256-GCM' : undefined].filter(Boolean).join(' + ')} auto`,
          members: 2,
          serializer,
          offload: 'auto' as const,
          ...(compression ? { compression } : {}),
          ...(encrypted ? { encrypted } : {}),
          points: SEALED_POINTS,
        })),
    ),
  ),
];

export interface CodecCounts {
  encodeInline: number;
  encodeOffloaded: number;
  decodeInline: number;
  decodeOffloaded: number;
  /** Compressions/encryptions, and decryptions/decompressions, inline and in the pool (absent
   * in results measured before the store had them). */
  sealInline?: number;
  sealOffloaded?: number;
  openInline?: number;
  openOffloaded?: number;
}

export interface Pipeline {
  readonly info: PipelineInfo;
  readonly prefix: string;
  /** The targets holding this pipeline's keys (connect-redis: the first only). */
  readonly targets: readonly RedisTarget[];
  set(sid: string, session: unknown): Promise<void>;
  get(sid: string): Promise<unknown>;
  /** expredis only: the codec counters (to see what 'auto' decided). */
  counts(): CodecCounts | undefined;
  close(): Promise<void>;
}

export async function openPipeline(info: PipelineInfo, targets: readonly RedisTarget[], prefix: string): Promise<Pipeline> {
  if (info.id === BASELINE) {
    const target = targets[0]!;
    const client = createClient({ url: target.url });
    client.on('error', (error: Error) => process.stderr.write(`bench: connect-redis client error: ${error.message}\n`));
    await client.connect();
    const store = new ConnectRedisStore({ client, prefix });
    return {
      info,
      prefix,
      targets: [target],
      set: async (sid, session) => {
        await store.set(sid, session as never);
      },
      get: sid => store.get(sid) as Promise<unknown>,
      counts: () => undefined,
      close: async () => {
        await client.close();
      },
    };
  }
  if (info.id === FLOOR) return openFloor(info, targets.slice(0, 2), prefix);
  const members = targets.slice(0, info.members);
  const store = new RedisStore({
    clients: members.map(t => ({ url: t.url })),
    prefix,
    serializer: info.serializer,
    offload: info.offload ?? 'auto',
    ...(info.reads ? { reads: info.reads } : {}),
    ...(info.compression ? { compression: info.compression } : {}),
    ...(info.encrypted ? { encryption: { keys: [randomBytes(32)] } } : {}),
  });
  store.on('error', (error: Error) => process.stderr.write(`bench: ${info.id} store error: ${error.name}: ${error.message}\n`));
  await store.ready({ timeout: 10_000 });
  return bind(info, prefix, members, store);
}

function bind(info: PipelineInfo, prefix: string, members: readonly RedisTarget[], store: RedisStore): Pipeline {
  return {
    info,
    prefix,
    targets: members,
    set: (sid, session) => store.set(sid, session as never),
    get: sid => store.get(sid),
    counts: () => {
      const c = store.stats().codec;
      return {
        encodeInline: c.encodeInline,
        encodeOffloaded: c.encodeOffloaded,
        decodeInline: c.decodeInline,
        decodeOffloaded: c.decodeOffloaded,
        sealInline: c.sealInline,
        sealOffloaded: c.sealOffloaded,
        openInline: c.openInline,
        openOffloaded: c.openOffloaded,
      };
    },
    close: () => store.close() as Promise<void>,
  };
}

/**
 * No store: JSON and bare node-redis `sendCommand` over `targets`, the SET to every client (first
 * reply wins). `reads` 'all' races the GET over every client; 'hedged' sends it to the first only
 * (the least a hedged pair costs).
 */
export async function openFloor(info: PipelineInfo, targets: readonly RedisTarget[], prefix: string, reads: Reads = 'all'): Promise<Pipeline> {
  const clients = await Promise.all(
    targets.map(async target => {
      const client = createClient({ url: target.url });
      client.on('error', (error: Error) => process.stderr.write(`bench: floor client error: ${error.message}\n`));
      await client.connect();
      return client;
    }),
  );
  const options = { timeout: 0 };
  return {
    info,
    prefix,
    targets,
    set: async (sid, session) => {
      const value = JSON.stringify(session);
      await Promise.race(clients.map(c => c.sendCommand(['SET', prefix + sid, value, 'PX', '86400000'], options)));
    },
    get: async sid => {
      const asked = reads === 'hedged' ? clients.slice(0, 1) : clients;
      const reply = await Promise.race(asked.map(c => c.sendCommand(['GET', prefix + sid], options)));
      return reply === null ? null : (JSON.parse(String(reply)) as unknown);
    },
    counts: () => undefined,
    close: async () => {
      await Promise.all(clients.map(c => c.close()));
    },
  };
}
