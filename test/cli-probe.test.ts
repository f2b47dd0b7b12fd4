// What the CLI's walk learns about each key, on a real server: present or not, a string or not,
// a tombstone or not, its write version and a SHA-1 of its bytes. One script call per page and
// one per key (as on a cluster) agree, and a page of large values is hashed over several calls.
import test from 'ava';
import { createHash } from 'node:crypto';
import { configuredMember } from '../src/cli/config.js';
import { closeMembers, openMembers } from '../src/cli/open.js';
import { probe } from '../src/cli/probe.js';
import { fileServers } from './helpers/file-servers.js';
import { directClient, openStore, rawValue, sessionWith, uniquePrefix } from './helpers/store.js';

const servers = fileServers(1);

test('probe tells sessions, tombstones, missing keys and other types apart, by page or by key alike', async t => {
  const prefix = uniquePrefix(t);
  const store = await openStore(t, servers, { prefix, serializer: 'msgpack', commandTimeout: 5000 }, { timeoutMs: 20_000 });
  await store.set('live', sessionWith({ a: 1 }) as never);
  await store.set('gone', sessionWith({ a: 2 }) as never);
  await store.destroy('gone');
  await store.close();
  const client = await directClient(t, servers[0]!);
  await client.set(prefix + 'plain', '{"cookie":{}}');
  await client.hSet(prefix + 'hash', 'f', 'v');
  const large = 'x'.repeat(400_000);
  for (let i = 0; i < 6; i++) await client.set(`${prefix}large${i}`, large + i);
  const keys = ['live', 'gone', 'plain', 'hash', 'missing', ...Array.from({ length: 6 }, (_, i) => `large${i}`)].map(k => prefix + k);

  const [opened] = await openMembers([configuredMember(servers[0]!.url, 'server')], { commandTimeout: 5000, connectTimeout: 5000 });
  t.teardown(() => closeMembers([opened!]));
  const byPage = await probe(opened!.member, keys, true, true);
  const byKey = await probe(opened!.member, keys, true, false);
  t.deepEqual(byPage, byKey);
  const [live, gone, plain, hash, missing] = byPage;
  t.like(live, { present: true, tombstone: false });
  t.true(live!.version.ms > 0, 'an enveloped value carries its write version');
  t.like(gone, { present: true, tombstone: true });
  t.like(plain, { present: true, tombstone: false, size: 13, version: { ms: 0, counter: 0 } });
  t.like(hash, { present: false, otherType: true });
  t.like(missing, { present: false, otherType: false });
  t.is(live!.digest, createHash('sha1').update((await rawValue(client, prefix + 'live'))!).digest('hex'));
  t.is(byPage[10]!.digest, createHash('sha1').update(large + 5).digest('hex'), 'the last large value was hashed in a later call');
  t.true(compareBytes(byPage, await probe(opened!.member, keys, false, true)), 'without digests, the same answers but the hash');
});

function compareBytes(withDigest: ReturnType<typeof Object>[], without: ReturnType<typeof Object>[]): boolean {
  return withDigest.every((held, i) => JSON.stringify({ ...held, digest: '' }) === JSON.stringify(without[i]));
}
