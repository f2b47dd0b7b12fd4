// The `expredis` command as an operator runs it: a real process over real redis-servers. Help on
// every command; bad input is one line on stderr, no stack, no password, exit 2; status and diff
// report what the members hold; sync fills a replaced member with the sessions and tombstones it
// lacks, with their TTLs, never over a key it has, at a bounded rate, and picks up where an
// interrupted run stopped.
import test, { type ExecutionContext } from 'ava';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RedisClientType } from 'redis';
import { sidHash } from '../src/errors.js';
import { jsonOf, memberArgs, runCli, startCli, type CliRun } from './helpers/cli.js';
import { ownServers } from './helpers/fault-kit.js';
import { fileServers } from './helpers/file-servers.js';
import { freePort, type RedisServer } from './helpers/redis-server.js';
import { directClient, eventually, openStore, rawValue, sessionWith, uniquePrefix } from './helpers/store.js';

// Serial: each test starts several node processes, and the suite shares two cores.
const servers = fileServers(2);
const urls = () => servers.map(s => s.url);

/** Exit 2, nothing on stdout, one line on stderr that starts with "expredis: " and holds no stack. */
function failsWithOneLine(t: ExecutionContext, run: CliRun, message: RegExp): void {
  t.is(run.code, 2, run.stderr);
  t.is(run.stdout, '');
  const lines = run.stderr.trimEnd().split('\n');
  t.is(lines.length, 1, run.stderr);
  t.regex(lines[0]!, /^expredis: /);
  t.regex(lines[0]!, message);
  t.notRegex(run.stderr, /\n\s+at |Error:/);
}

/** `n` sessions through the store on `members` (TTLs from 1 to n minutes), the first `destroyed` of them then destroyed (tombstones). */
async function seed(t: ExecutionContext, members: readonly RedisServer[], prefix: string, n: number, destroyed = 0): Promise<string[]> {
  const store = await openStore(t, members, { prefix, writeQuorum: 'all', commandTimeout: 5000 }, { waitFor: 'all', timeoutMs: 20_000 });
  const sids = Array.from({ length: n }, (_, i) => `sid-${i}-${prefix}`);
  await Promise.all(sids.map((sid, i) => store.set(sid, sessionWith({ n: i, pad: 'x'.repeat(i % 50) }, (i + 1) * 60_000) as never)));
  await Promise.all(sids.slice(0, destroyed).map(sid => store.destroy(sid)));
  await store.close();
  return sids;
}

async function keysOf(client: RedisClientType, prefix: string): Promise<string[]> {
  return (await client.keys(prefix + '*')).sort();
}

test.serial('--help on the command and on every subcommand prints usage and exits 0', async t => {
  for (const args of [['--help'], ['-h'], ['help'], ['status', '--help'], ['diff', '--help'], ['sync', '--help'], ['help', 'sync']]) {
    const run = await runCli(args);
    t.is(run.code, 0, args.join(' '));
    t.regex(run.stdout, /^Usage: expredis/, args.join(' '));
    t.is(run.stderr, '');
  }
  t.regex((await runCli(['sync', '--help'])).stdout, /--to URL[\s\S]*--dry-run[\s\S]*--rate N/);
  t.regex((await runCli(['--version'])).stdout, /^\d+\.\d+\.\d+/);
});

test.serial('unknown commands and options, a missing value, a URL that does not parse: one line, exit 2, the password masked', async t => {
  failsWithOneLine(t, await runCli(['frobnicate']), /unknown command "frobnicate"/);
  failsWithOneLine(t, await runCli(['status', '--frob']), /unknown option --frob/);
  failsWithOneLine(t, await runCli(['status', '--member']), /option --member needs a value/);
  failsWithOneLine(t, await runCli(['diff', '--dry-run', '--member', urls()[0]!]), /--dry-run is not an option of diff/);
  failsWithOneLine(t, await runCli(['status']), /no members/);
  for (const url of ['redis://admin:hunter2@127.0.0.1:99999', 'redis://admin:hunter2@h:1/x', 'http://admin:hunter2@h', 'redis+cluster://admin:hunter2@h:1,:2', 'redis+sentinel://admin:hunter2@h:1']) {
    const run = await runCli(['status', '--member', url]);
    failsWithOneLine(t, run, /member URL "[a-z+]+:\/\/\*\*\*@/);
    t.false(run.stderr.includes('hunter2'), run.stderr);
  }
  const run = await runCli(['diff'], { env: { REDIS_URLS: `${urls()[0]} redis://u:hunter2@h:0` } });
  failsWithOneLine(t, run, /\*\*\*@/);
  t.false(run.stderr.includes('hunter2'));
  failsWithOneLine(t, await runCli(['sync', ...memberArgs(urls())]), /sync needs --to URL/);
});

test.serial('an unreachable member: diff and sync refuse naming it, status reports it down and exits 1', async t => {
  const port = await freePort();
  const down = `redis://user:hunter2@127.0.0.1:${port}`;
  const prefix = uniquePrefix(t);
  failsWithOneLine(t, await runCli(['diff', '--prefix', prefix, ...memberArgs([urls()[0]!, down])]), new RegExp(`member 127\\.0\\.0\\.1:${port} is unreachable: .*ECONNREFUSED`));
  failsWithOneLine(t, await runCli(['sync', '--prefix', prefix, ...memberArgs([down]), '--to', urls()[1]!]), new RegExp(`member 127\\.0\\.0\\.1:${port} is unreachable`));
  failsWithOneLine(t, await runCli(['sync', '--prefix', prefix, ...memberArgs([urls()[0]!]), '--to', down]), new RegExp(`member 127\\.0\\.0\\.1:${port} is unreachable`));
  const status = await runCli(['status', '--prefix', prefix, ...memberArgs([urls()[0]!, down])]);
  t.is(status.code, 1, status.stderr);
  t.regex(status.stdout, new RegExp(`^127\\.0\\.0\\.1:${port}\\s+server\\s+down\\s+.*ECONNREFUSED`, 'm'));
  t.regex(status.stdout, new RegExp(`^${servers[0]!.label}\\s+server\\s+up\\s`, 'm'));
  t.false(status.stdout.includes('hunter2'));
});

test.serial('sync refuses a target that is also a source, by address or by server identity', async t => {
  const [a, b] = urls() as [string, string];
  const port = servers[0]!.port;
  failsWithOneLine(t, await runCli(['sync', ...memberArgs([a, b]), '--to', a]), /the target .* is also a source/);
  failsWithOneLine(t, await runCli(['sync', ...memberArgs([a]), '--to', `redis://localhost:${port}`]), /is also a source/);
  // 127.1 is 127.0.0.1 to the resolver but not to a string comparison: INFO's run_id tells.
  failsWithOneLine(t, await runCli(['sync', ...memberArgs([a]), '--to', `redis://127.1:${port}`]), /the target 127\.1:\d+ is also a source \(127\.0\.0\.1:\d+\)/);
  // Another database of the same server is another target.
  const prefix = uniquePrefix(t);
  const run = await runCli(['sync', '--prefix', prefix, ...memberArgs([a]), '--to', `${a}/1`]);
  t.is(run.code, 0, run.stderr);
});

test.serial('status: a table, or JSON with each member\'s reachability, latency, sessions, tombstones and memory; members from REDIS_URLS or --config', async t => {
  const prefix = uniquePrefix(t);
  await seed(t, servers, prefix, 12, 3);
  const table = await runCli(['status', '--prefix', prefix, ...memberArgs(urls())]);
  t.is(table.code, 0, table.stderr);
  t.regex(table.stdout, /^member\s+kind\s+state\s+latency\s+sessions\s+tombstones\s+memory/m);
  for (const s of servers) t.regex(table.stdout, new RegExp(`^${s.label}\\s+server\\s+up\\s+[\\d.]+ ms\\s+9\\s+3\\s+[\\d.]+ [KM]iB`, 'm'));

  const json = await runCli(['status', '--json', '--prefix', prefix], { env: { REDIS_URLS: urls().join(',') } });
  t.is(json.code, 0, json.stderr);
  const report = jsonOf(t, json) as { prefix: string; members: Record<string, unknown>[] };
  t.is(report.prefix, prefix);
  t.deepEqual(report.members.map(m => Object.keys(m).sort()), servers.map(() => ['kind', 'label', 'latencyMs', 'reachable', 'sessions', 'tombstones', 'usedMemory']));
  for (const [i, m] of report.members.entries()) {
    t.like(m, { label: servers[i]!.label, kind: 'server', reachable: true, sessions: 9, tombstones: 3 });
    t.true(typeof m.latencyMs === 'number' && typeof m.usedMemory === 'number' && (m.usedMemory as number) > 0);
  }

  const dir = mkdtempSync(join(tmpdir(), 'expredis-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'members.json');
  writeFileSync(config, JSON.stringify({ members: [{ port: servers[0]!.port }, urls()[1]], prefix }));
  const fromFile = await runCli(['status', '--json', '--config', config]);
  t.is(fromFile.code, 0, fromFile.stderr);
  t.like(jsonOf(t, fromFile), { prefix, members: [{ sessions: 9 }, { sessions: 9 }] });
  writeFileSync(config, JSON.stringify({ members: [{ port: servers[0]!.port, pasword: 'hunter2' }] }));
  failsWithOneLine(t, await runCli(['status', '--config', config]), /members\[0\]\.pasword is not a client option/);
});

test.serial('a member replaced by an empty server: diff reports what it lacks, sync copies it with its TTLs, and diff then agrees', async t => {
  const own = await ownServers(t, 2);
  const [a, b] = own as [RedisServer, RedisServer];
  const prefix = uniquePrefix(t);
  const sids = await seed(t, own, prefix, 60, 10);
  const members = memberArgs([a.url, b.url]);
  t.is((await runCli(['diff', '--prefix', prefix, ...members])).code, 0, 'the members agree before');

  await b.restart(); // empty, same port
  const before = await runCli(['diff', '--json', '--prefix', prefix, ...members]);
  t.is(before.code, 1, before.stderr);
  const report = jsonOf(t, before) as { keys: number; tombstones: number; agree: boolean; members: { label: string; missing: number; sample: string[] }[] };
  t.like(report, { keys: 60, tombstones: 10, agree: false });
  t.like(report.members[0], { missing: 0 });
  t.like(report.members[1], { label: b.label, missing: 60 });
  t.is(report.members[1]!.sample.length, 5);
  const hashes = new Set(sids.map(sid => sidHash(sid)));
  for (const h of report.members[1]!.sample) t.true(hashes.has(h), `${h} is the hash of a session id`);
  for (const sid of sids) t.false(before.stdout.includes(sid), 'no raw session id is printed');
  const text = await runCli(['diff', '--prefix', prefix, ...members]);
  t.regex(text.stdout, new RegExp(`^${b.label}\\s+0\\s+60\\s+(sid#[0-9a-f]{8} ?){5}$`, 'm'));
  t.regex(text.stdout, /the members differ/);

  const ca = await directClient(t, a);
  const cb = await directClient(t, b);
  const sync = await runCli(['sync', '--json', '--prefix', prefix, '--member', a.url, '--to', b.url]);
  t.is(sync.code, 0, sync.stderr);
  t.like(jsonOf(t, sync), { copied: 60, tombstones: 10, present: 0, interrupted: false, dryRun: false });
  t.deepEqual(await keysOf(cb, prefix), await keysOf(ca, prefix));
  for (const key of await keysOf(ca, prefix)) {
    const [ta, tb] = await Promise.all([ca.pTTL(key), cb.pTTL(key)]);
    t.true(tb > 0 && Math.abs(ta - tb) < 1000, `${key}: TTL ${tb} on the new member, ${ta} on the source`);
    t.deepEqual(await rawValue(cb, key), await rawValue(ca, key));
  }
  t.is((await runCli(['diff', '--prefix', prefix, ...members])).code, 0, 'the members agree after');
  const again = await runCli(['sync', '--json', '--prefix', prefix, '--member', a.url, '--to', b.url]);
  t.like(jsonOf(t, again), { copied: 0, present: 60 });

  // A key the target holds with other bytes is left alone, and diff names it as differing.
  const key = prefix + sids[30]!;
  await cb.set(key, '{"other":true}', { PX: 60_000 });
  await ca.del(prefix + sids[31]!);
  const kept = await runCli(['sync', '--json', '--prefix', prefix, '--member', a.url, '--to', b.url]);
  t.like(jsonOf(t, kept), { copied: 0 });
  t.is(await cb.get(key), '{"other":true}');
  const differs = await runCli(['diff', '--json', '--prefix', prefix, ...members]);
  t.is(differs.code, 1);
  t.like(jsonOf(t, differs), { differing: { count: 1, sample: [sidHash(sids[30]!)] }, members: [{ missing: 1, sample: [sidHash(sids[31]!)] }, { missing: 0 }] });
});

test.serial('sync copies from the source that holds the key, and a tombstone on any source wins over data on another', async t => {
  const own = await ownServers(t, 3);
  const [a, b, target] = own as [RedisServer, RedisServer, RedisServer];
  const prefix = uniquePrefix(t);
  const [ca, cb, ct] = await Promise.all(own.map(s => directClient(t, s)));
  const sids = await seed(t, [a, b], prefix, 4, 1);
  await ca!.del(prefix + sids[2]!); // only b holds sid 2
  await cb!.del(prefix + sids[3]!); // only a holds sid 3
  // sid 1: data on a, a tombstone on b (b saw the logout, a missed it)
  const tombstone = (await rawValue(cb!, prefix + sids[0]!))!;
  await cb!.set(prefix + sids[1]!, tombstone, { PX: 60_000 });
  const run = await runCli(['sync', '--json', '--prefix', prefix, ...memberArgs([a.url, b.url]), '--to', target.url]);
  t.is(run.code, 0, run.stderr);
  t.like(jsonOf(t, run), { copied: 4, tombstones: 2 });
  t.deepEqual(await rawValue(ct!, prefix + sids[1]!), tombstone);
  t.deepEqual(await ct!.get(prefix + sids[2]!), await cb!.get(prefix + sids[2]!));
  t.deepEqual(await ct!.get(prefix + sids[3]!), await ca!.get(prefix + sids[3]!));
});

test.serial('sync --dry-run counts what it would copy and writes nothing', async t => {
  const prefix = uniquePrefix(t);
  const own = await ownServers(t, 1);
  await seed(t, servers.slice(0, 1), prefix, 20, 2);
  const run = await runCli(['sync', '--dry-run', '--prefix', prefix, '--member', urls()[0]!, '--to', own[0]!.url]);
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /dry run: nothing written/);
  t.regex(run.stdout, /would copy 20 \(2 tombstones\)/);
  t.deepEqual(await keysOf(await directClient(t, own[0]!), prefix), []);
});

test.serial('sync --rate bounds how fast it writes', async t => {
  const prefix = uniquePrefix(t);
  const own = await ownServers(t, 1);
  const source = await directClient(t, servers[0]!);
  await source.eval(`for i = 1, 200 do redis.call('SET', ARGV[1] .. i, 'v', 'PX', 600000) end`, { arguments: [prefix] });
  const run = await runCli(['sync', '--json', '--rate', '100', '--prefix', prefix, '--member', urls()[0]!, '--to', own[0]!.url]);
  t.is(run.code, 0, run.stderr);
  t.like(jsonOf(t, run), { copied: 200 });
  t.true(run.ms >= 1500, `200 keys at --rate 100 took ${run.ms} ms`);
  // Not a terminal: plain progress lines, no carriage returns, the last at 100%.
  t.false(run.stderr.includes('\r'));
  t.regex(run.stderr.trimEnd().split('\n').at(-1)!, /^sync: 100% {2}200\/200 keys {2}200 copied {2}[\d,]+ keys\/s$/);
});

test.serial('an interrupted sync stops after its writes in flight, says so, and a second run copies the rest', async t => {
  const prefix = uniquePrefix(t);
  const own = await ownServers(t, 1);
  const source = await directClient(t, servers[0]!);
  const target = await directClient(t, own[0]!);
  await source.eval(`for i = 1, 1000 do redis.call('SET', ARGV[1] .. i, 'v' .. i, 'PX', 600000) end`, { arguments: [prefix] });
  const args = ['sync', '--prefix', prefix, '--member', urls()[0]!, '--to', own[0]!.url];
  const { child, done } = startCli([...args, '--rate', '200']);
  await eventually(async () => (await keysOf(target, prefix)).length >= 50, 30_000, 'sync started copying');
  child.kill('SIGINT');
  const first = await done;
  t.is(first.code, 130, first.stderr);
  t.regex(first.stdout, /^interrupted: sync to/m);
  t.regex(first.stdout, /run the same command again/);
  t.notRegex(first.stderr, /\n\s+at /);
  const copied = Number(/copied ([\d,]+)/.exec(first.stdout)![1]!.replace(/,/g, ''));
  const held = (await keysOf(target, prefix)).length;
  t.is(held, copied, 'every write it started had settled and was counted');
  t.true(held < 1000, `${held} copied before the interrupt`);

  const second = await runCli([...args, '--json']);
  t.is(second.code, 0, second.stderr);
  t.like(jsonOf(t, second), { copied: 1000 - held, present: held });
  t.is((await keysOf(target, prefix)).length, 1000);
});
