// Issue 10 acceptance, encryption and compression at rest against real servers: a changed byte on
// one member loses to the other member's copy (and is never overwritten), on every member reads
// as null with an error; a value copied to another id does not decrypt; keys rotate; a
// decompression bomb is refused without inflating it; a tombstone needs no key; and the
// documented recovery snippet opens a stored value with node:crypto and node:zlib alone.
import test from 'ava';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { DecodeError, type RedisStore, type ExpredisOptions } from '../src/index.js';
import { asSession, FORMAT, HEADER, jsonRoundTrip, openCodecStore, realCookie, viewStored } from './helpers/codec-util.js';
import { fileServers } from './helpers/file-servers.js';
import { OPEN_OFFLOAD_FROM, SEAL_OFFLOAD_FROM } from '../src/codec/policy.js';
import { directClient, eventually, rawValue, sleep } from './helpers/store.js';

const servers = fileServers(2);
const KEY_A = randomBytes(32);
const KEY_B = randomBytes(32);

function cart(label: string): Record<string, unknown> {
  const items = Array.from({ length: 200 }, (_, i) => ({ sku: `SKU-${i}`, qty: (i % 3) + 1, title: `item ${i} of ${label}` }));
  return { cookie: realCookie(3_600_000), label, items };
}

function errorsOf(store: RedisStore): DecodeError[] {
  const seen: DecodeError[] = [];
  store.on('error', (error: Error) => {
    if (error instanceof DecodeError) seen.push(error);
  });
  return seen;
}

async function open(t: import('ava').ExecutionContext, options: Partial<ExpredisOptions>): Promise<RedisStore> {
  return openCodecStore(t, servers, { compression: 'brotli', encryption: { keys: [KEY_A] }, ...options });
}

async function clients(t: import('ava').ExecutionContext) {
  return Promise.all(servers.map(s => directClient(t, s)));
}

for (const offload of ['never', 'always'] as const) {
  test(`offload ${offload}: one changed byte on one member loses to the other member's copy, is reported, and is not overwritten`, async t => {
    const store = await open(t, { offload });
    const errors = errorsOf(store);
    const [c0, c1] = await clients(t);
    const session = cart('tamper');
    await store.set('s', asSession(session));
    for (const at of [7, 20, -1]) {
      // at 7: the key id; 20: inside the nonce; -1: the tag's last byte.
      const raw = (await rawValue(c0!, store.prefix + 's'))!;
      const bad = Buffer.from(raw);
      const i = at < 0 ? bad.length + at : at;
      bad[i] = bad[i]! ^ 0x01;
      await c0!.set(store.prefix + 's', bad);
      errors.length = 0;
      // Read until member 0's copy was the one tried first (the race may pick either).
      await eventually(async () => {
        t.deepEqual(await store.get('s'), jsonRoundTrip(session));
        return errors.length > 0;
      }, 10_000, 'the changed copy was read and reported');
      t.is(errors[0]!.code, 'ERR_EXPREDIS_DECODE');
      t.is((errors[0] as DecodeError & { client: unknown }).client, store.clients[0]);
      t.regex(errors[0]!.message, /sid#[0-9a-f]{8}/);
      t.notRegex(errors[0]!.message, /tamper/);
      await sleep(100); // any repair would have been sent by now
      t.true((await rawValue(c0!, store.prefix + 's'))!.equals(bad), 'repair never overwrites a present value');
      await c0!.set(store.prefix + 's', raw);
    }
    t.true(store.stats().codec.decryptFailures >= 3);
    t.truthy(c1);
  });
}

test('one changed byte on every member reads as null, each copy reported as a DecodeError', async t => {
  const store = await open(t, {});
  const errors = errorsOf(store);
  const members = await clients(t);
  await store.set('s', asSession(cart('both')));
  for (const c of members) {
    const bad = (await rawValue(c, store.prefix + 's'))!;
    bad[HEADER + 30] = bad[HEADER + 30]! ^ 0x80;
    await c.set(store.prefix + 's', bad);
  }
  t.is(await store.get('s'), null);
  t.is(errors.length, 2);
  t.deepEqual(new Set(errors.map(e => (e as DecodeError & { client: unknown }).client)), new Set(store.clients));
  t.is(store.stats().codec.decryptFailures, 2);
});

test('a value copied under another session id (or another prefix) does not decrypt', async t => {
  const store = await open(t, { offload: 'never' });
  const other = await open(t, { offload: 'never' }); // another prefix, same key
  const errors = errorsOf(store);
  const members = await clients(t);
  await store.set('victim', asSession(cart('victim')));
  for (const c of members) {
    const raw = (await rawValue(c, store.prefix + 'victim'))!;
    await c.set(store.prefix + 'attacker', raw);
    await c.set(other.prefix + 'victim', raw);
  }
  t.is(await store.get('attacker'), null);
  t.is(await other.get('victim'), null);
  t.is(errors.length, 2);
  t.truthy(await store.get('victim'));
});

test('rotation: [A] sessions are read under [B, A] and rewritten under B; [B] alone reads them as absent with an error', async t => {
  const a = await openCodecStore(t, servers, { encryption: { keys: [KEY_A] } });
  const ba = await openCodecStore(t, servers, { prefix: a.prefix, encryption: { keys: [KEY_B, KEY_A.toString('base64')] } });
  const b = await openCodecStore(t, servers, { prefix: a.prefix, encryption: { keys: [KEY_B] } });
  const errors = errorsOf(b);
  const session = cart('rotation');
  await a.set('old', asSession(session));
  await a.set('stays-old', asSession(session));
  const aErrors = errorsOf(a);
  t.deepEqual(await ba.get('old'), jsonRoundTrip(session), '[B, A] reads what [A] wrote');
  await ba.set('old', asSession(await ba.get('old')));
  t.deepEqual(await b.get('old'), jsonRoundTrip(session), '[B] reads it once rewritten');
  t.is(await a.get('old'), null, 'the next set wrote it under B: [A] alone no longer opens it');
  t.is(aErrors.length, 2);
  t.is(await b.get('stays-old'), null, '[B] alone cannot read a session still under A');
  t.is(errors.length, 2);
  t.regex(errors[0]!.message, /key id/);
  t.is(b.stats().codec.decryptFailures, 2);
});

test('a tombstone is read without any key: a logout sticks for a store without encryption and for one with another key', async t => {
  const enc = await openCodecStore(t, servers, { encryption: { keys: [KEY_A] }, compression: 'gzip' });
  const plain = await openCodecStore(t, servers, { prefix: enc.prefix });
  const other = await openCodecStore(t, servers, { prefix: enc.prefix, encryption: { keys: [KEY_B] } });
  const errors = [...errorsOf(plain), ...errorsOf(other)];
  await enc.set('gone', asSession(cart('gone')));
  await enc.destroy('gone');
  const raw = (await rawValue((await clients(t))[0]!, enc.prefix + 'gone'))!;
  t.is(viewStored(raw).format, FORMAT.tombstone);
  t.is(raw[6], 0, 'a tombstone is neither compressed nor encrypted');
  t.is(await plain.get('gone'), null);
  t.is(await other.get('gone'), null);
  t.is(errors.length, 0);
});

test('a store without encryption reads compressed values, and reports an encrypted one as absent', async t => {
  const writer = await open(t, {});
  const compressed = await openCodecStore(t, servers, { prefix: writer.prefix, compression: { algorithm: 'gzip', level: 1, threshold: 0 } });
  const reader = await openCodecStore(t, servers, { prefix: writer.prefix });
  const errors = errorsOf(reader);
  const session = cart('plain');
  await compressed.set('gz', asSession(session));
  t.deepEqual(await reader.get('gz'), jsonRoundTrip(session));
  await writer.set('enc', asSession(session));
  t.is(await reader.get('enc'), null);
  t.is(errors.length, 2);
});

for (const offload of ['never', 'always'] as const) {
  // serial: building the bomb takes the CPU for a moment, which other tests' connects would feel
  test.serial(`offload ${offload}: a decompression bomb (a few bytes inflating past maxSize) is refused without inflating it whole`, async t => {
    const maxSize = 1024 * 1024;
    const store = await openCodecStore(t, servers, { compression: 'brotli', offload, maxSize });
    const errors = errorsOf(store);
    // A JSON envelope, brotli flag, whose payload inflates to 64 MiB of spaces.
    const inflated = 64 * 1024 * 1024;
    const bomb = brotliCompressSync(Buffer.alloc(inflated, 0x20));
    t.true(bomb.length < 1024);
    const header = Buffer.from([0x00, 0xe5, 0x52, 0x44, 1, FORMAT.json, 3, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
    const value = Buffer.concat([header, bomb]);
    for (const c of await clients(t)) await c.set(store.prefix + 'bomb', value);
    const before = process.memoryUsage().arrayBuffers;
    const started = Date.now();
    t.is(await store.get('bomb'), null);
    t.true(Date.now() - started < 2000);
    t.true(process.memoryUsage().arrayBuffers - before < 32 * 1024 * 1024, 'nothing near the inflated size was held');
    t.is(errors.length, 2);
    t.regex(errors[0]!.message, /inflates past/);
    t.is(store.stats().codec.decompressFailures, 2);
  });
}

test('stats().codec counts bytes before and after compression, and where the byte work ran', async t => {
  const store = await openCodecStore(t, servers, { serializer: 'msgpack', compression: 'brotli', encryption: { keys: [KEY_A] }, offload: 'never' });
  await store.set('big', asSession(cart('stats')));
  await store.set('small', asSession({ cookie: realCookie(), n: 1 }));
  const codec = store.stats().codec;
  t.true(codec.bytesBeforeCompression > 2 * codec.bytesAfterCompression, 'the cart compressed');
  t.is(codec.sealInline, 2, 'both encrypted, the small one not compressed');
  t.is(codec.sealOffloaded, 0);
  await store.get('big');
  t.is(store.stats().codec.openInline, 1);
});

test("offload 'auto' decides sealing and opening separately, by size: inline for a small session, in the pool from SEAL_OFFLOAD_FROM (plain) and OPEN_OFFLOAD_FROM (stored)", async t => {
  const store = await openCodecStore(t, servers, { serializer: 'msgpack', compression: 'brotli', encryption: { keys: [KEY_A] }, offload: 'auto' });
  const counts = () => {
    const c = store.stats().codec;
    return [c.sealInline, c.sealOffloaded, c.openInline, c.openOffloaded];
  };
  const small = { cookie: realCookie(), n: 1, note: 'x'.repeat(2000) };
  // Plain well over SEAL_OFFLOAD_FROM, but it compresses to far below OPEN_OFFLOAD_FROM.
  const repetitive = { cookie: realCookie(), text: 'abcdefgh'.repeat(SEAL_OFFLOAD_FROM / 4) };
  // Over both: random text stores at about three quarters of its size.
  const random = { cookie: realCookie(), text: randomBytes(2 * SEAL_OFFLOAD_FROM).toString('base64') };
  t.true(Buffer.byteLength(random.text) * 0.7 > OPEN_OFFLOAD_FROM);

  await store.set('small', asSession(small));
  t.deepEqual(await store.get('small'), jsonRoundTrip(small));
  t.deepEqual(counts(), [1, 0, 1, 0], 'small: sealed and opened inline');
  t.is(store.stats().pool.threads, 0, 'no thread for it');

  await store.set('repetitive', asSession(repetitive));
  t.deepEqual(await store.get('repetitive'), jsonRoundTrip(repetitive));
  t.deepEqual(counts(), [1, 1, 2, 0], 'large but small once stored: sealed in the pool, opened inline');

  await store.set('random', asSession(random));
  t.deepEqual(await store.get('random'), jsonRoundTrip(random));
  t.deepEqual(counts(), [1, 2, 2, 1], 'large stored: sealed and opened in the pool');
});

test('the recovery snippet in docs/stored-format.md decrypts and decompresses a value the store wrote, with node:crypto and node:zlib only', async t => {
  const doc = await readFile(new URL('../../docs/stored-format.md', import.meta.url), 'utf8');
  const snippet = /<!-- recovery-snippet -->\s*```js\n([\s\S]*?)```/.exec(doc)?.[1];
  t.truthy(snippet, 'the snippet is marked in the doc');
  t.false(/expredis|msgpackr|from '(?!node:)/.test(snippet!), 'it imports only node: modules');
  const store = await openCodecStore(t, servers, { prefix: 'sess:' + Math.random().toString(36).slice(2) + ':', compression: 'brotli', encryption: { keys: [KEY_B, KEY_A] } });
  const session = cart('recovery');
  await store.set('abc', asSession(session));
  const raw = (await rawValue((await clients(t))[0]!, store.prefix + 'abc'))!;
  t.is(raw[6]! & 0x0f, 0x0b, 'brotli and encrypted');
  const dir = await mkdtemp(join(tmpdir(), 'expredis-recovery-'));
  await writeFile(join(dir, 'recover.mjs'), snippet!);
  await writeFile(join(dir, 'value.bin'), raw);
  const out = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [join(dir, 'recover.mjs'), join(dir, 'value.bin'), store.prefix + 'abc'],
      { env: { ...process.env, EXPREDIS_KEYS: `${KEY_B.toString('base64')},${KEY_A.toString('base64')}` }, timeout: 10_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
  t.deepEqual(JSON.parse(out) as unknown, jsonRoundTrip(session));
});
