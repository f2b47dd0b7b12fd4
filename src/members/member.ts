// One member: one Redis deployment behind one node-redis client (a server's client, a cluster
// client, or a Sentinel client). It owns the member's health (usable from the client's `ready`
// until the connection drops, or until three consecutive command timeouts, then again once a
// PING answers), its reconnect loop, its counters, and the only way the store talks to it:
// `call`, which never waits longer than `commandTimeout`.
//
// A cluster is usable while its client is ready and every master it knows has a ready
// connection; three consecutive timeouts on any one master take the whole member out, and the
// probe then PINGs every master. node-redis reconnects a cluster's nodes and follows its topology
// itself (a promoted replica is found by a topology refresh), and a Sentinel client follows
// failovers itself: the member's own reconnect loop only retries a first connection that failed,
// or a client that was closed under it.
import { createClient, createCluster, createSentinel, ErrorReply, RESP_TYPES, type RedisClientType, type RedisClusterType, type RedisSentinelType } from 'redis';
import { ExpredisError, MemberTimeoutError, asError, withClient } from '../errors.js';
import type { MemberEntry, ReconnectStrategy } from './connect.js';
import { LatencyWindow } from './latency.js';
import { keySlot } from './slot.js';

export type Outcome =
  | { readonly ok: true; readonly reply: unknown }
  | { readonly ok: false; readonly kind: 'down' | 'error' | 'timeout'; readonly error: Error };

/** What a member is: one server, a Redis Cluster, or a primary followed through Sentinel. */
export type MemberKind = 'server' | 'cluster' | 'sentinel';

/** The node-redis object behind a member: a client, a cluster client, or a Sentinel client. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type MemberClient = RedisClientType | RedisClusterType<any, any, any, any, any> | RedisSentinelType<any, any, any, any, any>;

/** One node of a member, addressed directly (a cluster's master, or the member itself). */
export interface MemberNode {
  /** `host:port` of the node; never a credential. */
  readonly node: string;
  /** A command on that node, bounded by commandTimeout like `call`; never rejects. */
  call(args: readonly (string | Buffer)[], buffers: boolean): Promise<Outcome>;
}

/** One node's answer to a keyless command sent to every node of a member (see `eachNode`). */
export interface NodeOutcome {
  /** `host:port` of the node; never a credential. */
  readonly node: string;
  readonly outcome: Outcome;
}

export interface MemberStats {
  /** `host:port`, or the socket path; `cluster host:port` (its first root node) or
   * `sentinel name@host:port` (its first Sentinel); never a credential. */
  label: string;
  kind: MemberKind;
  /** The client is connected and past its handshake. */
  ready: boolean;
  /** The member is usable: ready, and not taken out after consecutive timeouts. */
  healthy: boolean;
  /** Commands sent to it. */
  operations: number;
  /** Commands that failed, including those not sent because it was down. */
  failures: number;
  /** Commands that did not answer within `commandTimeout`. */
  timeouts: number;
  /** Sessions written to it by repair. */
  repairs: number;
  /** Over its last 1024 answers, in ms. */
  latencyMs: { p50: number; p99: number };
}

/** What a member tells the member set about itself. */
export interface MemberListener {
  usable(member: Member): void;
  unusable(member: Member): void;
  /** An error worth emitting: the first of each outage, and every Redis error reply. */
  error(member: Member, error: Error): void;
}

export interface MemberConfig {
  readonly commandTimeout: number;
  readonly unref: boolean;
}

const TIMEOUTS_TO_TAKE_OUT = 3;
/** How much longer than commandTimeout a command may take when the event loop was not late. */
const TIMEOUT_GRACE_MS = 10;
const PROBE_INTERVAL_MS = 250;
// `timeout: 0` turns off node-redis's own per-command AbortSignal: the member's timer bounds
// every command, and the signal was a measurable share of each command's main-thread cost.
const BUFFER_REPLIES = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer }, timeout: 0 } as const;
const PLAIN_REPLIES = { timeout: 0 } as const;
/** Commands whose reply only reads (a cluster with useReplicas may send them to a replica). */
const READ_ONLY = new Set(['GET', 'PTTL', 'TTL', 'STRLEN', 'GETRANGE', 'EXISTS', 'MGET', 'TYPE', 'SCAN', 'DBSIZE', 'PING', 'INFO']);
/** Commands without a key: a cluster sends them to a node of its choosing. */
const KEYLESS = new Set(['PING', 'INFO', 'DBSIZE', 'SCAN', 'CLUSTER', 'TIME', 'ECHO', 'ROLE', 'CONFIG', 'CLIENT', 'COMMAND', 'MEMORY', 'SCRIPT', 'FUNCTION', 'LASTSAVE', 'FLUSHDB', 'FLUSHALL']);
/** Error replies that mean part of a cluster cannot serve (uncovered slots, a failover under
 * way, redirections exhausted): reported once per outage, like a lost connection, not per command. */
const CLUSTER_OUTAGE = /^(CLUSTERDOWN|TRYAGAIN|MOVED|ASK|MASTERDOWN|LOADING)\b/;

/** The key a cluster routes a command by: the first key (EVAL: the first of KEYS, if any). */
export function routingKey(args: readonly (string | Buffer)[]): string | Buffer | undefined {
  const command = String(args[0]).toUpperCase();
  if (command === 'EVAL' || command === 'EVALSHA' || command === 'EVAL_RO' || command === 'EVALSHA_RO') {
    return Number(args[2]) >= 1 ? args[3] : undefined;
  }
  return args.length < 2 || KEYLESS.has(command) ? undefined : args[1];
}

type Cluster = RedisClusterType<any, any, any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Sentinel = RedisSentinelType<any, any, any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type CommandOptions = typeof BUFFER_REPLIES | typeof PLAIN_REPLIES;

export class Member {
  readonly label: string;
  readonly kind: MemberKind;
  readonly client: MemberClient;
  readonly owned: boolean;
  readonly #config: MemberConfig;
  readonly #listener: MemberListener;
  readonly #reconnect: ReconnectStrategy | undefined;
  readonly #latency = new LatencyWindow();
  readonly #downError: Outcome;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly #handlers: [string, (...args: any[]) => void][] = [];

  #usable = false;
  #takenOut = false;
  #closed = false;
  #consecutiveTimeouts = 0;
  /** A cluster's consecutive timeouts per master address (a hung master among answering ones). */
  readonly #nodeTimeouts = new Map<string, number>();
  /** A cluster or Sentinel client connected (its 'connect' / 'ready') and not closed since. */
  #up = false;
  /** The first error of an outage was emitted; the rest are only counted. */
  #quiet = false;
  #pending = 0;
  /** When #pending last rose from 0, and when the member last answered (performance.now()). */
  #busySince = 0;
  #lastAnswer = 0;
  #connecting = false;
  #attempts = 0;
  #retries = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #probing = false;
  /** The user's reconnectStrategy stopped reconnecting (threw, or returned an Error). */
  #gaveUp = false;

  operations = 0;
  failures = 0;
  timeouts = 0;
  repairs = 0;

  constructor(entry: MemberEntry, config: MemberConfig, listener: MemberListener) {
    this.label = entry.label;
    this.#config = config;
    this.#listener = listener;
    this.kind = entry.kind === 'cluster' || entry.kind === 'sentinel' ? entry.kind : 'server';
    if (entry.kind === 'owned') {
      this.client = createClient(entry.options) as RedisClientType;
      this.owned = true;
      this.#reconnect = entry.reconnect;
    } else if (entry.kind === 'external') {
      this.client = entry.client;
      this.owned = false;
      this.#reconnect = undefined;
    } else {
      this.client = (entry.kind === 'cluster' ? createCluster(entry.options) : createSentinel(entry.options)) as unknown as MemberClient;
      this.owned = true;
      this.#reconnect = undefined;
    }
    this.#downError = { ok: false, kind: 'down', error: withClient(new Error(`member ${this.label} is not usable`), this.client) };
  }

  get usable(): boolean {
    return this.#usable;
  }

  /** Attach to the client and connect it if it is not open yet. */
  start(): void {
    if (this.kind !== 'server') {
      this.#startGroup();
      return;
    }
    this.#on('ready', () => this.#onReady());
    this.#on('error', (error: Error) => this.#onClientError(error));
    // 'end': the client was closed (by its owner, or by someone holding store.clients[i]).
    this.#on('end', () => {
      this.#setUsable(false);
      if (this.owned && !this.#closed) this.#scheduleReconnect(new Error(`member ${this.label}: its client was closed`));
    });
    if (!this.owned) this.#on('reconnecting', () => this.#setUsable(false));
    if (this.client.isReady) this.#onReady();
    else if (this.owned) this.#connect();
    else if (!this.client.isOpen) this.client.connect().catch(() => undefined); // reported through 'error'
  }

  /** A cluster or Sentinel client: node-redis reconnects its nodes and follows the topology. */
  #startGroup(): void {
    const up = () => {
      this.#up = true;
      this.#onReady();
    };
    const down = () => {
      this.#up = false;
      this.#setUsable(false);
      if (!this.#closed && !this.client.isOpen) this.#scheduleReconnect(new Error(`member ${this.label}: its client was closed`));
    };
    // A failed topology refresh, a Sentinel's lost connection: reported once per outage. The
    // commands that fail meanwhile are counted.
    this.#on('error', (error: unknown) => {
      if (this.#closed) return;
      this.#reportOutage(withClient(asError(error), this.client));
      this.#refresh();
    });
    if (this.kind === 'cluster') {
      this.#on('connect', up);
      this.#on('disconnect', down);
      this.#on('node-error', (error: unknown, node?: { host?: string; port?: number }) => {
        if (this.#closed) return;
        const cause = asError(error);
        const where = node?.host === undefined ? 'a node' : `node ${node.host}:${node.port}`;
        this.#reportOutage(withClient(new ExpredisError(`member ${this.label}: ${where}: ${cause.message}`, { cause }), this.client));
        this.#refresh();
      });
      for (const event of ['node-disconnect', 'node-reconnecting']) this.#on(event, () => this.#refresh());
      this.#on('node-ready', () => {
        if (this.#closed) return;
        this.#quiet = false; // a node came back: the next outage is news
        if (this.#config.unref) this.#unref();
        this.#refresh();
      });
    } else {
      // A Sentinel client is 'ready' again after each failover; while it switches primaries its
      // commands wait (each bounded by commandTimeout), so the member stays usable.
      this.#on('ready', up);
      this.#on('end', down);
    }
    this.#connect();
  }

  /** Re-evaluates whether a cluster or Sentinel member is usable. */
  #refresh(): void {
    this.#setUsable(this.#up);
  }

  /** The client (and, for a cluster, every master) is connected and past its handshake. */
  #clientReady(): boolean {
    if (this.kind === 'server') return this.client.isReady;
    if (this.kind === 'sentinel') return this.#up && this.client.isOpen;
    const cluster = this.client as Cluster;
    return cluster.isReady && cluster.masters.length > 0 && cluster.masters.every(m => m.client?.isReady === true);
  }

  /** `unref` for what node-redis lets us: a client, or each node client of a cluster (a Sentinel
   * client has no unref). */
  #unref(): void {
    if (this.kind === 'server') (this.client as RedisClientType).unref();
    else if (this.kind === 'cluster') {
      const cluster = this.client as Cluster;
      for (const node of [...cluster.masters, ...cluster.replicas]) node.client?.unref();
    }
  }

  /** The command as the member's kind of client sends it. */
  #exec(args: readonly (string | Buffer)[], options: CommandOptions): Promise<unknown> {
    const list = args as (string | Buffer)[];
    if (this.kind === 'server') return (this.client as RedisClientType).sendCommand(list, options);
    const readonly = READ_ONLY.has(String(args[0]).toUpperCase());
    if (this.kind === 'sentinel') return (this.client as Sentinel).sendCommand(readonly, list, options);
    return (this.client as Cluster).sendCommand(routingKey(args), readonly, list, options);
  }

  /** The master a cluster sends a keyed command to ('' when keyless or unknown): timeouts are
   * counted per master. */
  #nodeOf(args: readonly (string | Buffer)[]): string {
    const key = routingKey(args);
    if (key === undefined) return '';
    return (this.client as Cluster).slots[keySlot(key)]?.master.address ?? '';
  }
  /**
   * One command on this member. `done` is called exactly once with its outcome, within
   * `commandTimeout` (plus a 10 ms grace, plus however long this process's own event loop was
   * blocked meanwhile); a late reply is dropped. `buffers`: bulk strings come back as Buffers.
   */
  send(args: readonly (string | Buffer)[], buffers: boolean, done: (outcome: Outcome) => void): void {
    if (!this.#usable) {
      this.failures++; // counted, not emitted: the outage was reported once already
      done(this.#downError);
      return;
    }
    const options = buffers ? BUFFER_REPLIES : PLAIN_REPLIES;
    this.#track(this.kind === 'cluster' ? this.#nodeOf(args) : '', args, options, done);
  }

  /** One command's accounting: the member's timer, its counters, its health. `node`: a cluster's
   * master address the command goes to, for its consecutive timeouts ('' otherwise); `on`: that
   * master's connection, when the command goes to it directly (else the member routes it). */
  #track(node: string, args: readonly (string | Buffer)[], options: CommandOptions, done: (outcome: Outcome) => void, on?: () => Promise<RedisClientType>): void {
    this.operations++;
    const started = performance.now();
    if (this.#pending++ === 0) this.#busySince = started;
    let timedOut = false;
    let extended = false;
    const timeout = this.#config.commandTimeout;
    const expire = () => {
      // A timer that fires late means this process's own event loop was blocked: the command may
      // not even have been written yet, and its reply may be waiting unread. Give the member once
      // the time the loop lost (at least a short grace) before blaming it.
      const late = performance.now() - started - timeout;
      if (!extended) {
        extended = true;
        timer = setTimeout(expire, Math.max(TIMEOUT_GRACE_MS, Math.min(late, timeout)));
        return;
      }
      timedOut = true;
      this.#timedOut(node);
      done({ ok: false, kind: 'timeout', error: withClient(new MemberTimeoutError(this.label, timeout), this.client) });
    };
    let timer = setTimeout(expire, timeout);
    (on ? on().then(client => client.sendCommand(args as (string | Buffer)[], options)) : this.#exec(args, options)).then(
      reply => {
        this.#pending--;
        if (timedOut) return;
        clearTimeout(timer);
        this.#resetTimeouts(node);
        this.#answered(started);
        done({ ok: true, reply });
      },
      (reason: unknown) => {
        this.#pending--;
        if (timedOut) return;
        clearTimeout(timer);
        const error = withClient(asError(reason), this.client);
        this.failures++;
        if (error instanceof ErrorReply) {
          this.#resetTimeouts(node);
          this.#answered(started);
          if (this.kind === 'server' || !CLUSTER_OUTAGE.test(error.message)) this.#listener.error(this, error);
          else this.#reportOutage(error);
        }
        done({ ok: false, kind: 'error', error });
      },
    );
  }

  /** `send` as a Promise that never rejects. */
  call(args: readonly (string | Buffer)[], buffers = true): Promise<Outcome> {
    return new Promise(resolve => this.send(args, buffers, resolve));
  }

  /**
   * A keyless command (PING, INFO, DBSIZE, CLUSTER INFO) on every node that holds this member's
   * data: the one server, each master of a cluster, or the current primary behind Sentinel.
   * Never rejects; each node's outcome is bounded by `commandTimeout` as `call` is. A member that
   * is not usable answers with one 'down' outcome under its label.
   */
  async eachNode(args: readonly string[], buffers = false): Promise<NodeOutcome[]> {
    return Promise.all(this.nodes().map(async n => ({ node: n.node, outcome: await n.call(args, buffers) })));
  }

  /**
   * The nodes holding this member's data, each addressed directly: the member itself for a
   * server, the primary behind Sentinel, each master of a cluster (as its client knows the
   * topology now). Scans walk these one by one.
   */
  nodes(): MemberNode[] {
    if (this.kind === 'server' || !this.#usable) return [{ node: this.label, call: (args, buffers) => this.call(args, buffers) }];
    if (this.kind === 'sentinel') {
      const primary = (this.client as Sentinel).getMasterNode();
      return [{ node: primary ? `${primary.host}:${primary.port}` : this.label, call: (args, buffers) => this.call(args, buffers) }];
    }
    const cluster = this.client as Cluster;
    return cluster.masters.map(master => ({
      node: master.address,
      call: (args, buffers) =>
        new Promise<Outcome>(resolve => {
          if (!this.#usable) return this.send(args, buffers, resolve); // counted as down
          const options = buffers ? BUFFER_REPLIES : PLAIN_REPLIES;
          this.#track(master.address, args, options, resolve, () => cluster.nodeClient(master) as Promise<RedisClientType>);
        }),
    }));
  }

  /** Recent median answer time in ms (0 before any answer). */
  get typicalMs(): number {
    return this.#latency.p50;
  }

  /** Recent 95th percentile answer time in ms; undefined before any answer. */
  get slowMs(): number | undefined {
    return this.#latency.count === 0 ? undefined : this.#latency.p95;
  }

  /** Changes whenever `typicalMs` or `slowMs` may have (hedged reads cache their ranking on it). */
  get latencyVersion(): number {
    return this.#latency.version;
  }

  /**
   * How long the member has had a command outstanding without answering anything (0 when idle or
   * answering): a hung member's grows from its first unanswered command, long before three
   * timeouts take it out, while its latency window (answers only) still looks fast.
   */
  silentMs(now: number): number {
    return this.#pending === 0 ? 0 : now - Math.max(this.#busySince, this.#lastAnswer);
  }

  countRepair(): void {
    this.repairs++;
  }

  stats(): MemberStats {
    return {
      label: this.label,
      kind: this.kind,
      ready: this.#clientReady(),
      healthy: this.#usable,
      operations: this.operations,
      failures: this.failures,
      timeouts: this.timeouts,
      repairs: this.repairs,
      latencyMs: this.#latency.percentiles(),
    };
  }

  /**
   * Detach. An owned client is closed when it is idle, destroyed when commands still hang on it;
   * a client passed in is left as it is.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#usable = false;
    clearTimeout(this.#retryTimer);
    for (const [event, handler] of this.#handlers) this.client.off(event, handler);
    if (!this.owned) return;
    this.client.on('error', () => undefined); // a late socket error must not crash anyone
    if (!this.client.isOpen) return;
    if (this.#pending > 0 || !this.client.isReady) {
      this.#destroy();
      return;
    }
    const closing = this.client.close();
    const bound = new Promise<'late'>(resolve => setTimeout(resolve, this.#config.commandTimeout, 'late').unref());
    if ((await Promise.race([closing.then(() => 'closed' as const, () => 'closed' as const), bound])) === 'late') this.#destroy();
  }

  /** Drops every connection at once (a Sentinel client's destroy() is a Promise; it never rejects
   * anything the store waits for). */
  #destroy(): void {
    void Promise.resolve(this.client.destroy()).catch(() => undefined);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  #on(event: string, handler: (...args: any[]) => void): void {
    this.client.on(event, handler);
    this.#handlers.push([event, handler]);
  }

  #answered(started: number): void {
    const now = performance.now();
    this.#lastAnswer = now;
    this.#latency.add(now - started, now);
  }

  #onReady(): void {
    if (this.#closed) return;
    this.#takenOut = false;
    this.#consecutiveTimeouts = 0;
    this.#quiet = false;
    this.#retries = 0;
    this.#nodeTimeouts.clear();
    if (this.#config.unref && this.owned) this.#unref();
    this.#setUsable(true);
  }

  #onClientError(error: Error): void {
    if (this.#closed) return;
    withClient(error, this.client);
    if (error instanceof ErrorReply && this.client.isReady) {
      this.#listener.error(this, error); // e.g. a failed pingInterval PING on a live connection
      return;
    }
    this.#setUsable(false);
    this.#reportOutage(error);
    if (this.owned && !this.client.isOpen) this.#scheduleReconnect(error);
  }

  #reportOutage(error: Error): void {
    if (this.#quiet) return;
    this.#quiet = true;
    this.#listener.error(this, error);
  }

  #setUsable(usable: boolean): void {
    const next = usable && !this.#takenOut && !this.#closed && this.#clientReady();
    if (next === this.#usable) return;
    this.#usable = next;
    if (next) this.#listener.usable(this);
    else this.#listener.unusable(this);
  }

  /** One connection attempt of an owned client, bounded: a server that accepts TCP but never
   * answers the handshake (stopped) must not stall it forever. */
  #connect(): void {
    if (this.#closed || this.#connecting || this.client.isOpen) return;
    this.#connecting = true;
    const first = this.#attempts++ === 0;
    let handshakeTimedOut = false;
    const bound = Math.max(this.#config.commandTimeout * 2, 2000);
    const timer = setTimeout(() => {
      handshakeTimedOut = true;
      this.#destroy();
    }, bound);
    // The first attempt keeps the process alive until it succeeds or fails once; the rest need not.
    if (!first && this.#config.unref) timer.unref();
    this.client.connect().then(
      () => {
        clearTimeout(timer);
        this.#connecting = false;
      },
      (reason: unknown) => {
        clearTimeout(timer);
        this.#connecting = false;
        if (this.#closed) return;
        const error = handshakeTimedOut
          ? withClient(new MemberTimeoutError(this.label, bound), this.client)
          : withClient(asError(reason), this.client);
        if (handshakeTimedOut || this.kind !== 'server') this.#reportOutage(error);
        if (this.#config.unref && this.kind === 'server') (this.client as RedisClientType).unref();
        this.#scheduleReconnect(error);
      },
    );
  }

  #scheduleReconnect(cause: Error): void {
    if (this.#closed || this.#connecting || this.#retryTimer || this.#gaveUp) return;
    const delay = this.#retryDelay(this.#retries++, cause);
    if (delay === false) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#connect();
    }, delay);
    if (this.#config.unref) this.#retryTimer.unref();
  }

  /** node-redis's `reconnectStrategy` semantics: a number is the delay, `false` stops, and an
   * Error returned or thrown stops too; the store reports that, since the member stays down. */
  #retryDelay(retries: number, cause: Error): number | false {
    const strategy = this.#reconnect;
    if (strategy === false) return false;
    if (typeof strategy === 'number') return strategy;
    if (typeof strategy !== 'function') return Math.min(50 * 2 ** retries, 2000) + Math.floor(Math.random() * 100);
    let delay: unknown;
    try {
      delay = strategy(retries, cause);
    } catch (error) {
      return this.#giveUp(`threw ${errorKind(error)}`, error);
    }
    if (delay === false) return false;
    if (delay instanceof Error) return this.#giveUp(`returned ${errorKind(delay)}`, delay);
    if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) {
      return this.#giveUp(`returned ${typeof delay === 'number' ? String(delay) : typeof delay}, not a delay in ms, false or an Error`);
    }
    return delay;
  }

  #giveUp(what: string, cause?: unknown): false {
    this.#gaveUp = true;
    const error = new ExpredisError(`member ${this.label}: its reconnectStrategy ${what}; the member stays down until the store is recreated`, { cause });
    this.#listener.error(this, withClient(error, this.client));
    return false;
  }

  #resetTimeouts(node: string): void {
    if (this.kind === 'cluster') this.#nodeTimeouts.delete(node);
    else this.#consecutiveTimeouts = 0;
  }

  #timedOut(node: string): void {
    this.timeouts++;
    let count: number;
    if (this.kind === 'cluster') this.#nodeTimeouts.set(node, (count = (this.#nodeTimeouts.get(node) ?? 0) + 1));
    else count = ++this.#consecutiveTimeouts;
    if (count < TIMEOUTS_TO_TAKE_OUT || this.#takenOut) return;
    this.#takenOut = true;
    this.#setUsable(false);
    this.#reportOutage(
      withClient(new MemberTimeoutError(this.label, this.#config.commandTimeout), this.client),
    );
    this.#probe();
  }

  /** PING on the member, unbounded: the server, the primary behind Sentinel, or every master. */
  #ping(): Promise<unknown> {
    if (this.kind !== 'cluster') return this.#exec(['PING'], PLAIN_REPLIES);
    const cluster = this.client as Cluster;
    return Promise.all(cluster.masters.map(async master => (await cluster.nodeClient(master)).sendCommand(['PING'])));
  }

  /** While taken out, one PING at a time (on every master of a cluster): its answer (however
   * late) brings the member back. */
  #probe(): void {
    if (this.#closed || !this.#takenOut || this.#probing) return;
    if (!this.client.isReady) return; // a reconnect's `ready` brings it back instead
    this.#probing = true;
    this.#ping().then(
      () => {
        this.#probing = false;
        if (!this.#takenOut || this.#closed) return;
        this.#takenOut = false;
        this.#consecutiveTimeouts = 0;
        this.#nodeTimeouts.clear();
        this.#quiet = false;
        this.#setUsable(this.kind === 'server' || this.#up);
      },
      () => {
        this.#probing = false;
        const retry = setTimeout(() => this.#probe(), PROBE_INTERVAL_MS);
        if (this.#config.unref) retry.unref();
      },
    );
  }
}

function errorKind(error: unknown): string {
  return error instanceof Error ? `a ${error.name}` : typeof error;
}
