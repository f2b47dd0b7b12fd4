// A local Sentinel group for the tests: a primary, one replica and three Sentinels
// (`redis-server <conf> --sentinel`), built from the same redis-server processes as every other
// server (each in its own `expredis-redis-` directory with its pid file). Every wait is bounded.
import { cli, until } from './redis-cli.js';
import { RedisServer } from './redis-server.js';

export interface SentinelOptions {
  /** The monitored primary's name. @default 'mymaster' */
  readonly name?: string;
  /** down-after-milliseconds. @default 1000 */
  readonly downAfterMs?: number;
  /** failover-timeout. @default 5000 */
  readonly failoverTimeoutMs?: number;
}

/** A primary, one replica and three Sentinels watching them (quorum 2). */
export class RedisSentinelGroup {
  readonly name: string;
  /** [primary at start, replica at start]: which is primary now, ask `primaryPort()`. */
  readonly servers: RedisServer[];
  readonly sentinels: RedisServer[];

  private constructor(name: string, servers: RedisServer[], sentinels: RedisServer[]) {
    this.name = name;
    this.servers = servers;
    this.sentinels = sentinels;
  }

  static async start({ name = 'mymaster', downAfterMs = 1000, failoverTimeoutMs = 5000 }: SentinelOptions = {}): Promise<RedisSentinelGroup> {
    const servers: RedisServer[] = [];
    const sentinels: RedisServer[] = [];
    const group = new RedisSentinelGroup(name, servers, sentinels);
    try {
      servers.push(await RedisServer.start());
      servers.push(await RedisServer.start(['--replicaof', '127.0.0.1', String(servers[0]!.port)]));
      await until(async () => /master_link_status:up/.test(await cli(servers[1]!.port, ['info', 'replication'], 1000)), 15_000, 'the replica in sync');
      const config = [
        `sentinel monitor ${name} 127.0.0.1 ${servers[0]!.port} 2`,
        `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
        `sentinel failover-timeout ${name} ${failoverTimeoutMs}`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n');
      const started = await Promise.allSettled([0, 1, 2].map(() => RedisServer.start(['--sentinel'], { config })));
      for (const r of started) if (r.status === 'fulfilled') sentinels.push(r.value);
      const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      await group.waitSettled(30_000);
      return group;
    } catch (error) {
      await group.close();
      throw error;
    }
  }

  /** `sentinelRootNodes` for `createSentinel`. */
  get sentinelRootNodes(): { host: string; port: number }[] {
    return this.sentinels.map(s => ({ host: '127.0.0.1', port: s.port }));
  }

  /** The store's label for a member built from `sentinelRootNodes`. */
  get label(): string {
    return `sentinel ${this.name}@${this.sentinels[0]!.label}`;
  }

  /** The primary's port per the first Sentinel that answers. */
  async primaryPort(): Promise<number> {
    for (const sentinel of this.sentinels.filter(s => s.alive)) {
      const reply = await cli(sentinel.port, ['sentinel', 'get-master-addr-by-name', this.name], 1000).catch(() => '');
      const port = Number(reply.trim().split('\n')[1]);
      if (port > 0) return port;
    }
    throw new Error(`no Sentinel names a primary for ${this.name}`);
  }

  async primary(): Promise<RedisServer> {
    const port = await this.primaryPort();
    return this.servers.find(s => s.port === port)!;
  }

  /**
   * Resolves once every Sentinel agrees on the primary, knows the other two Sentinels and a
   * replica that is up, and that server reports itself a master with a connected replica.
   */
  async waitSettled(timeoutMs = 30_000): Promise<void> {
    await until(
      async () => {
        const ports = await Promise.all(this.sentinels.map(async s => Number((await cli(s.port, ['sentinel', 'get-master-addr-by-name', this.name], 1000)).trim().split('\n')[1])));
        if (new Set(ports).size !== 1) return false;
        for (const s of this.sentinels) {
          const master = await cli(s.port, ['sentinel', 'master', this.name], 1000);
          const field = (key: string) => Number(new RegExp(`^${key}\\n(\\d+)$`, 'm').exec(master)?.[1] ?? -1);
          if (field('num-other-sentinels') !== 2 || field('num-slaves') < 1) return false;
          if (!/^flags\nmaster$/m.test(master)) return false;
          const replicas = await cli(s.port, ['sentinel', 'replicas', this.name], 1000);
          if (!/^flags\nslave$/m.test(replicas)) return false;
        }
        const replication = await cli(ports[0]!, ['info', 'replication'], 1000);
        return /role:master/.test(replication) && /connected_slaves:1/.test(replication) && /state=online/.test(replication);
      },
      timeoutMs,
      `Sentinel group ${this.name} settled`,
    );
  }

  /** SENTINEL FAILOVER through the first live Sentinel; resolves when the Sentinels name a new primary. */
  async failover(timeoutMs = 20_000): Promise<number> {
    const before = await this.primaryPort();
    const sentinel = this.sentinels.find(s => s.alive)!;
    await cli(sentinel.port, ['sentinel', 'failover', this.name]);
    await until(async () => (await this.primaryPort()) !== before, timeoutMs, 'a new primary after SENTINEL FAILOVER');
    return this.primaryPort();
  }

  /** SIGKILL of the current primary; resolves with its port (the caller may restart it). */
  async killPrimary(): Promise<RedisServer> {
    const primary = await this.primary();
    await primary.killAndWait();
    return primary;
  }

  /** Stops every process (SIGKILL) and removes their directories. */
  async close(): Promise<void> {
    for (const s of [...this.servers, ...this.sentinels]) s.resume();
    await Promise.all([...this.servers, ...this.sentinels].map(s => s.close()));
  }
}
