// Local Redis Clusters for the tests and the benchmarks, built from the same redis-server
// processes as every other server (each node in its own `expredis-redis-` directory with its pid
// file, so CI stops any left behind by pid). Created with `redis-cli --cluster create`; every wait
// is bounded.
import { cli, until } from './redis-cli.js';
import { freePort, RedisServer } from './redis-server.js';

/** One line of CLUSTER NODES. */
export interface ClusterNodeInfo {
  readonly id: string;
  readonly port: number;
  readonly master: boolean;
  readonly failed: boolean;
  /** Slot ranges it serves, e.g. ['0-5460']. */
  readonly slots: string[];
}

export interface ClusterOptions {
  /** @default 3 */
  readonly masters?: number;
  /** Replicas per master (promoted when their master fails). @default 0 */
  readonly replicas?: number;
  /** cluster-node-timeout: how long a master must be unreachable before it counts as failed. @default 1000 */
  readonly nodeTimeoutMs?: number;
  /** More redis-server arguments for every node. */
  readonly extraArgs?: readonly string[];
}

/** A Redis Cluster of local nodes: masters first, then replicas (as `redis-cli --cluster create` assigns them). */
export class RedisCluster {
  readonly nodes: RedisServer[];

  private constructor(nodes: RedisServer[]) {
    this.nodes = nodes;
  }

  static async start({ masters = 3, replicas = 0, nodeTimeoutMs = 1000, extraArgs = [] }: ClusterOptions = {}): Promise<RedisCluster> {
    const count = masters * (1 + replicas);
    const started = await Promise.allSettled(
      Array.from({ length: count }, async () =>
        RedisServer.start([
          '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(nodeTimeoutMs),
          // The bus port defaults to port + 10000, which may be taken or past 65535.
          '--cluster-port', String(await freePort()),
          // A replica promotes itself however long ago it last heard from its master.
          '--cluster-replica-validity-factor', '0',
          ...extraArgs,
        ]),
      ),
    );
    const nodes = started.flatMap(r => (r.status === 'fulfilled' ? [r.value] : []));
    const cluster = new RedisCluster(nodes);
    try {
      const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      await cli(nodes[0]!.port, ['--cluster', 'create', ...nodes.map(n => n.label), '--cluster-replicas', String(replicas), '--cluster-yes'], 30_000);
      await cluster.waitOk(30_000);
      if (replicas > 0) {
        await until(async () => (await cluster.info()).filter(n => !n.master).length === masters * replicas, 30_000, 'every replica known');
        const replicaNodes = nodes.slice(masters);
        await until(async () => (await Promise.all(replicaNodes.map(n => cli(n.port, ['info', 'replication'], 1000)))).every(i => /master_link_status:up/.test(i)), 30_000, 'every replica in sync');
      }
      return cluster;
    } catch (error) {
      await cluster.close();
      throw error;
    }
  }

  /** `[{ url }]` of every node, for `createCluster({ rootNodes })`. */
  get rootNodes(): { url: string }[] {
    return this.nodes.map(n => ({ url: n.url }));
  }

  /** The store's label for a member built from `rootNodes`. */
  get label(): string {
    return `cluster ${this.nodes[0]!.label}`;
  }

  nodeOnPort(port: number): RedisServer {
    const node = this.nodes.find(n => n.port === port);
    if (!node) throw new Error(`no node of this cluster on port ${port}`);
    return node;
  }

  /** CLUSTER NODES as seen by the first live node (or by `port`). */
  async info(port = this.nodes.find(n => n.alive)!.port): Promise<ClusterNodeInfo[]> {
    const text = await cli(port, ['cluster', 'nodes']);
    return text
      .trim()
      .split('\n')
      .map(line => {
        const [id, address, flags, , , , , , ...slots] = line.trim().split(' ');
        return {
          id: id!,
          port: Number(address!.split('@')[0]!.split(':')[1]),
          master: flags!.split(',').includes('master'),
          failed: /fail/.test(flags!),
          slots: slots.filter(s => !s.startsWith('[')),
        };
      });
  }

  /** The masters serving slots, per `info()`. */
  async masters(): Promise<RedisServer[]> {
    return (await this.info()).filter(n => n.master && !n.failed && n.slots.length > 0).map(n => this.nodeOnPort(n.port));
  }

  /** Resolves once every live node reports cluster_state:ok. */
  async waitOk(timeoutMs = 15_000): Promise<void> {
    await until(
      async () => (await Promise.all(this.nodes.filter(n => n.alive).map(n => cli(n.port, ['cluster', 'info'], 1000)))).every(i => i.includes('cluster_state:ok')),
      timeoutMs,
      'cluster_state:ok on every node',
    );
  }

  /** Stops every node (SIGKILL) and removes their directories. */
  async close(): Promise<void> {
    for (const node of this.nodes) node.resume();
    await Promise.all(this.nodes.map(n => n.close()));
  }
}
