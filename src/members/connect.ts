// One `clients` entry → what the member needs to connect: node-redis options for a client, a
// Redis Cluster client or a Sentinel client the store creates and owns, or a client the
// application passed in (used as it is, never closed).
import type { RedisClientOptions, RedisClientType, RedisClusterOptions, RedisSentinelOptions } from 'redis';
import { describe, fail } from '../describe.js';

export type ReconnectStrategy = false | number | ((retries: number, cause: Error) => false | Error | number);

export type MemberEntry =
  | { readonly kind: 'owned'; readonly label: string; readonly options: RedisClientOptions; readonly reconnect: ReconnectStrategy | undefined }
  | { readonly kind: 'external'; readonly label: string; readonly client: RedisClientType }
  /** `{ cluster }`: a node-redis cluster client the store creates and owns. */
  | { readonly kind: 'cluster'; readonly label: string; readonly options: RedisClusterOptions }
  /** `{ sentinel }`: a node-redis Sentinel client the store creates and owns. */
  | { readonly kind: 'sentinel'; readonly label: string; readonly options: RedisSentinelOptions };

/** The seed's config style (`{ port, host, path, password, db, tls }`). */
export interface LegacyClientConfig {
  port?: number;
  host?: string;
  path?: string;
  password?: string;
  db?: number;
  tls?: boolean | Record<string, unknown>;
  /** Ignored: the store always runs its own clients without an offline queue. */
  enable_offline_queue?: boolean;
  connect_timeout?: number;
  socket_keepalive?: boolean;
}

/** A Redis Cluster member: node-redis `createCluster` options. */
export interface ClusterClientConfig {
  cluster: RedisClusterOptions;
}

/** A member behind Sentinel: node-redis `createSentinel` options. */
export interface SentinelClientConfig {
  sentinel: RedisSentinelOptions;
}

export type ClientEntry =
  | LegacyClientConfig
  | RedisClientOptions
  | ClusterClientConfig
  | SentinelClientConfig
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  | RedisClientType<any, any, any, any, any>;

const LEGACY_SOCKET = ['port', 'host', 'path', 'tls', 'connect_timeout', 'socket_keepalive'] as const;
const LEGACY_OTHER = ['db', 'enable_offline_queue'] as const;
const NODE_REDIS = new Set([
  'url', 'socket', 'username', 'password', 'credentialsProvider', 'name', 'database', 'commandsQueueMaxLength',
  'disableOfflineQueue', 'readonly', 'pingInterval', 'disableClientInfo', 'clientInfoTag', 'RESP',
  'maintNotifications', 'maintEndpointType', 'maintRelaxedCommandTimeout', 'maintRelaxedSocketTimeout',
  'modules', 'functions', 'scripts',
]);
const REFUSED: Record<string, string> = {
  keyPrefix: 'use the store option `prefix` instead: the store owns every key it writes',
  commandOptions: 'the store sets its own command options (Buffer replies, its own timeouts)',
  clientSideCache: 'a client-side cache would serve reads the other members never saw',
};
const CLUSTER = new Set([
  'rootNodes', 'defaults', 'useReplicas', 'maxCommandRedirections',
  'topologyRefreshOnReconnectionAttemptStrategy', 'nodeAddressMap', 'RESP', 'modules', 'functions', 'scripts',
]);
const SENTINEL = new Set([
  'name', 'sentinelRootNodes', 'maxCommandRediscovers', 'nodeClientOptions', 'sentinelClientOptions', 'masterPoolSize',
  'replicaPoolSize', 'nodeAddressMap', 'scanInterval', 'passthroughClientErrorEvents', 'reserveClient', 'RESP',
  'modules', 'functions', 'scripts',
]);
/** How long after a cluster node's first reconnect attempt the cluster client asks for the
 * topology again (node-redis's default is 5000 ms): a promoted replica is found sooner. */
const TOPOLOGY_REFRESH_MS = 1000;

// No default commandsQueueMaxLength: a fixed count fails a healthy member under a burst (10,000
// concurrent requests on a fast Redis are normal), and time already bounds a hung one. The
// member's own timer settles every command within commandTimeout, and after three consecutive
// timeouts the member takes itself out: later calls fail at once without reaching the client.
// So a hung member's queue holds what this process sent it during about one commandTimeout, and
// stops growing then; the scans add at most a few pages of commands. A member that is slow but
// still answers holds what it is behind by, which a count limit would only turn into failures.
// A user's own limit is still honoured.

export function memberEntry(entry: unknown, name: string): MemberEntry {
  if (isClient(entry)) {
    if ('masters' in entry || 'getMasterNode' in entry) {
      throw new TypeError(`${name} is a node-redis cluster or Sentinel client: pass its options as { cluster: {...} } or { sentinel: {...} } instead, so the store owns it`);
    }
    return { kind: 'external', label: clientLabel(entry), client: entry };
  }
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    fail(name, 'a config object ({ port, host }, { url }, { socket }, { cluster }, { sentinel }) or a node-redis client', entry);
  }
  const raw = entry as Record<string, unknown>;
  for (const kind of ['cluster', 'sentinel'] as const) {
    if (!(kind in raw)) continue;
    const others = Object.keys(raw).filter(k => k !== kind);
    if (others.length > 0) {
      throw new TypeError(`${name} mixes ${kind} with other keys (${others.join(', ')}): ${kind === 'cluster' ? 'options for every node go in cluster.defaults' : 'options for the primary and replicas go in sentinel.nodeClientOptions'}`);
    }
    return kind === 'cluster' ? clusterEntry(raw.cluster, `${name}.cluster`) : sentinelEntry(raw.sentinel, `${name}.sentinel`);
  }
  const legacyKeys = Object.keys(raw).filter(k => (LEGACY_SOCKET as readonly string[]).includes(k));
  for (const key of Object.keys(raw)) {
    if (REFUSED[key]) throw new TypeError(`${name}.${key} is not supported: ${REFUSED[key]}`);
    if (!NODE_REDIS.has(key) && !(LEGACY_SOCKET as readonly string[]).includes(key) && !(LEGACY_OTHER as readonly string[]).includes(key)) {
      throw new TypeError(`${name}.${key} is not a client option (legacy keys: ${[...LEGACY_SOCKET, ...LEGACY_OTHER].join(', ')}; or node-redis createClient options)`);
    }
  }
  if (legacyKeys.length > 0 && ('socket' in raw || 'url' in raw)) {
    throw new TypeError(`${name} mixes legacy keys (${legacyKeys.join(', ')}) with ${'socket' in raw ? 'socket' : 'url'}: use one style`);
  }
  if ('db' in raw && 'database' in raw) throw new TypeError(`${name} has both db and database: use one`);

  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (NODE_REDIS.has(key) && key !== 'socket') options[key] = value;
  }
  let socket: Record<string, unknown>;
  if (legacyKeys.length > 0 || !('socket' in raw || 'url' in raw)) {
    socket = legacySocket(raw, name);
  } else {
    if (raw.socket !== undefined && (raw.socket === null || typeof raw.socket !== 'object')) fail(`${name}.socket`, 'an object', raw.socket);
    socket = { ...(raw.socket as Record<string, unknown> | undefined) };
  }
  if (raw.db !== undefined) {
    if (!Number.isInteger(raw.db) || (raw.db as number) < 0) fail(`${name}.db`, 'an integer ≥ 0', raw.db);
    options.database = raw.db;
  }
  if (raw.url !== undefined && typeof raw.url !== 'string') fail(`${name}.url`, 'a redis:// or rediss:// URL string', raw.url);
  if (typeof raw.url === 'string' && !/^rediss?:\/\//.test(raw.url)) fail(`${name}.url`, 'a redis:// or rediss:// URL string', raw.url);

  const reconnect = socket.reconnectStrategy as ReconnectStrategy | undefined;
  if (reconnect !== undefined && reconnect !== false && typeof reconnect !== 'number' && typeof reconnect !== 'function') {
    fail(`${name}.socket.reconnectStrategy`, 'false, a number of ms, or a function (retries, cause) => ms | false | Error', reconnect);
  }
  // The member runs its own reconnect loop, so that its timers can be unref'd and it can rejoin.
  socket.reconnectStrategy = false;
  options.socket = socket;
  options.disableOfflineQueue = true;
  options.maintNotifications ??= 'disabled';

  return { kind: 'owned', label: configLabel(options, name), options: options as RedisClientOptions, reconnect };
}

function clusterEntry(value: unknown, name: string): MemberEntry {
  const raw = plainObject(value, name, 'an object { rootNodes: [{ url } | { socket: { host, port } }, ...], defaults?, useReplicas?, ... }');
  if ('minimizeConnections' in raw) {
    throw new TypeError(`${name}.minimizeConnections is not supported: the store keeps a connection to every master to know whether the member is usable`);
  }
  knownKeys(raw, name, CLUSTER, 'a createCluster option');
  if (!Array.isArray(raw.rootNodes) || raw.rootNodes.length === 0) {
    fail(`${name}.rootNodes`, 'a non-empty array of { url } or { socket: { host, port } }', raw.rootNodes);
  }
  const labels = raw.rootNodes.map((node: unknown, i: number) => nodeAddress(node, `${name}.rootNodes[${i}]`));
  if (raw.useReplicas !== undefined && typeof raw.useReplicas !== 'boolean') fail(`${name}.useReplicas`, 'a boolean', raw.useReplicas);
  const defaults = { ...(raw.defaults === undefined ? {} : plainObject(raw.defaults, `${name}.defaults`, 'an object of options for every node')) };
  for (const key of Object.keys(defaults)) {
    if (REFUSED[key]) throw new TypeError(`${name}.defaults.${key} is not supported: ${REFUSED[key]}`);
  }
  // Every node client fails at once while it is down (the member answers "not usable" instead of
  // queueing); node-redis reconnects the nodes itself and refreshes the topology.
  defaults.disableOfflineQueue = true;
  defaults.maintNotifications ??= 'disabled';
  const options = { ...raw, defaults, topologyRefreshOnReconnectionAttemptStrategy: raw.topologyRefreshOnReconnectionAttemptStrategy ?? TOPOLOGY_REFRESH_MS };
  return { kind: 'cluster', label: `cluster ${labels[0]!}`, options: options as unknown as RedisClusterOptions };
}

function sentinelEntry(value: unknown, name: string): MemberEntry {
  const raw = plainObject(value, name, 'an object { name, sentinelRootNodes: [{ host, port }, ...], nodeClientOptions?, sentinelClientOptions?, ... }');
  knownKeys(raw, name, SENTINEL, 'a createSentinel option');
  if (typeof raw.name !== 'string' || raw.name === '') fail(`${name}.name`, 'the non-empty name the Sentinels monitor the primary under', raw.name);
  if (!Array.isArray(raw.sentinelRootNodes) || raw.sentinelRootNodes.length === 0) {
    fail(`${name}.sentinelRootNodes`, 'a non-empty array of { host, port }', raw.sentinelRootNodes);
  }
  const labels = raw.sentinelRootNodes.map((node: unknown, i: number) => hostPort(node, `${name}.sentinelRootNodes[${i}]`, true));
  const options: Record<string, unknown> = { ...raw };
  for (const key of ['nodeClientOptions', 'sentinelClientOptions'] as const) {
    const given = raw[key] === undefined ? {} : plainObject(raw[key], `${name}.${key}`, 'an object of node-redis client options');
    for (const refused of Object.keys(given)) {
      if (REFUSED[refused]) throw new TypeError(`${name}.${key}.${refused} is not supported: ${REFUSED[refused]}`);
    }
    options[key] = { ...given, disableOfflineQueue: true };
  }
  return { kind: 'sentinel', label: `sentinel ${raw.name}@${labels[0]!}`, options: options as unknown as RedisSentinelOptions };
}

function plainObject(value: unknown, name: string, expected: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(name, expected, value);
  return value as Record<string, unknown>;
}

function knownKeys(raw: Record<string, unknown>, name: string, known: Set<string>, what: string): void {
  for (const key of Object.keys(raw)) {
    if (REFUSED[key]) throw new TypeError(`${name}.${key} is not supported: ${REFUSED[key]}`);
    if (!known.has(key)) throw new TypeError(`${name}.${key} is not ${what} (accepted: ${[...known].join(', ')})`);
  }
}

/** A cluster root node, `{ url }` or `{ socket: { host, port } }` → `host:port` (never a credential). */
function nodeAddress(node: unknown, name: string): string {
  const expected = 'an object with url (redis://host:port) or socket: { host, port }';
  const raw = plainObject(node, name, expected);
  if (typeof raw.url === 'string') {
    if (!/^rediss?:\/\//.test(raw.url)) fail(`${name}.url`, 'a redis:// or rediss:// URL string', raw.url);
    try {
      const url = new URL(raw.url);
      return `${url.hostname || '127.0.0.1'}:${url.port || 6379}`;
    } catch {
      fail(`${name}.url`, 'a valid redis:// URL', raw.url);
    }
  }
  if (raw.url !== undefined) fail(`${name}.url`, 'a redis:// or rediss:// URL string', raw.url);
  if (raw.socket === undefined) fail(name, expected, node);
  return hostPort(raw.socket, `${name}.socket`);
}

function hostPort(value: unknown, name: string, hostRequired = false): string {
  const raw = plainObject(value, name, 'an object { host, port }');
  if (!Number.isInteger(raw.port) || (raw.port as number) < 1 || (raw.port as number) > 65535) fail(`${name}.port`, 'an integer port 1–65535', raw.port);
  if ((hostRequired || raw.host !== undefined) && (typeof raw.host !== 'string' || raw.host === '')) fail(`${name}.host`, 'a host name or address', raw.host);
  return `${(raw.host as string | undefined) ?? 'localhost'}:${raw.port as number}`;
}

function legacySocket(raw: Record<string, unknown>, name: string): Record<string, unknown> {
  const socket: Record<string, unknown> = {};
  if (raw.path !== undefined) {
    if (typeof raw.path !== 'string') fail(`${name}.path`, 'a unix socket path string', raw.path);
    if (raw.port !== undefined || raw.host !== undefined) throw new TypeError(`${name} has path and port/host: a member is one or the other`);
    socket.path = raw.path;
  } else {
    const port = raw.port ?? 6379;
    if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) fail(`${name}.port`, 'an integer port 1–65535', port);
    const host = raw.host ?? '127.0.0.1';
    if (typeof host !== 'string' || host === '') fail(`${name}.host`, 'a host name or address', host);
    socket.port = port;
    socket.host = host;
  }
  if (raw.tls !== undefined && raw.tls !== false) {
    if (raw.tls !== true && (raw.tls === null || typeof raw.tls !== 'object')) fail(`${name}.tls`, 'true or an object of tls.connect options', raw.tls);
    Object.assign(socket, raw.tls === true ? {} : raw.tls, { tls: true });
  }
  if (raw.connect_timeout !== undefined) {
    if (!Number.isInteger(raw.connect_timeout) || (raw.connect_timeout as number) < 1) fail(`${name}.connect_timeout`, 'an integer number of ms ≥ 1', raw.connect_timeout);
    socket.connectTimeout = raw.connect_timeout;
  }
  if (raw.socket_keepalive !== undefined) socket.keepAlive = Boolean(raw.socket_keepalive);
  return socket;
}

function isClient(value: unknown): value is RedisClientType {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { sendCommand?: unknown }).sendCommand === 'function' &&
    typeof (value as { connect?: unknown }).connect === 'function' &&
    typeof (value as { on?: unknown }).on === 'function'
  );
}

function configLabel(options: Record<string, unknown>, name: string): string {
  const socket = (options.socket ?? {}) as Record<string, unknown>;
  if (typeof socket.path === 'string') return socket.path;
  if (typeof options.url === 'string') {
    try {
      const url = new URL(options.url);
      return `${url.hostname || '127.0.0.1'}:${url.port || 6379}`;
    } catch {
      fail(`${name}.url`, 'a valid redis:// URL', options.url);
    }
  }
  return `${(socket.host as string | undefined) ?? 'localhost'}:${(socket.port as number | undefined) ?? 6379}`;
}

function clientLabel(client: RedisClientType): string {
  try {
    return configLabel({ ...(client.options as Record<string, unknown> | undefined) }, 'client');
  } catch {
    return `client ${describe(client)}`;
  }
}
