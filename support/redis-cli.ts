// redis-cli calls for the cluster and Sentinel helpers, each bounded in time.
import { execFile } from 'node:child_process';

/** `redis-cli` is not installed. */
export class RedisCliNotInstalledError extends Error {
  readonly code = 'ENOENT';
  constructor() {
    super('redis-cli was not found: install it (Debian/Ubuntu: sudo apt-get install redis-tools; macOS: brew install redis)');
    this.name = 'RedisCliNotInstalledError';
  }
}

/** The binary: `REDIS_CLI` when set, else `redis-cli` from PATH. */
export function redisCliBinary(): string {
  return process.env.REDIS_CLI || 'redis-cli';
}

/** One redis-cli call against 127.0.0.1:`port`; its stdout. Rejects on a non-zero exit or after `timeoutMs`. */
export function cli(port: number, args: readonly string[], timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(redisCliBinary(), ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') reject(new RedisCliNotInstalledError());
      else if (error) reject(new Error(`redis-cli -p ${port} ${args.join(' ')}: ${error.message} ${stderr}`.trim()));
      else resolve(stdout);
    });
  });
}

/** Polls `check` every 50 ms until it holds; rejects after `timeoutMs` naming `what`. */
export async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}
