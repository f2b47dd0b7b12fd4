// Where a result came from: commit, tree state, machine.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Meta } from './results.js';

/** The repository root (dist/bench/ → ../../). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Paths the bench itself writes: changes there do not make the measured code dirty. */
const OUTPUTS = [/^bench\/results\//, /^README\.md$/, /^docs\/performance\.md$/];

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

export function collectMeta(redisVersion: string, foreignRedis: boolean): Meta {
  const commit = git(['rev-parse', 'HEAD'])?.trim() ?? 'unknown';
  const porcelain = git(['status', '--porcelain']);
  const dirty = (porcelain ?? '')
    .split('\n')
    .filter(Boolean)
    .map(line => line.slice(3).replace(/^"|"$/g, ''))
    .filter(path => !OUTPUTS.some(re => re.test(path)));
  return {
    commit,
    clean: porcelain !== undefined && dirty.length === 0,
    dirty,
    node: process.versions.node,
    v8: process.versions.v8,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    platform: `${platform()} ${release()}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    redis: redisVersion,
    foreignRedis,
    date: new Date().toISOString(),
    seconds: 0,
    loadStart: loadAverage(),
    loadEnd: [],
  };
}

export function loadAverage(): number[] {
  return loadavg().map(v => Math.round(v * 100) / 100);
}
