// Hardening defect 5, close(): codec work still waiting for the pool (or running in it) when
// close() ends the pool fails with StoreClosedError, and no serializer code runs once close()
// has resolved: not in a worker, and never on the main thread.
import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { StoreClosedError } from '../src/index.js';
import { asSession, openHostileStore, realCookie, settleWithin, sleep } from './helpers/codec-util.js';
import { fileServers } from './helpers/file-servers.js';

const servers = fileServers(2);

test('offloaded sets still pending at close() fail with StoreClosedError, and no serializer code runs after close() resolved', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'pool-close-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const mark = join(dir, 'calls');
  // One thread, 20 ms a call, 60 calls: far more than close() waits for (commandTimeout 200 ms).
  const store = await openHostileStore(t, servers);
  const sets = Array.from({ length: 60 }, (_, i) =>
    settleWithin(store.set(`s${i}`, asSession({ cookie: realCookie(), i, mark, delayMs: 20 })), 30_000),
  );
  await store.close();
  const closedAt = Date.now();
  const outcomes = await Promise.all(sets);
  await sleep(500); // anything still going would have called stringify by now

  const calls = existsSync(mark)
    ? readFileSync(mark, 'utf8').trim().split('\n').filter(Boolean).map(line => line.split(' ').map(Number) as [number, number])
    : [];
  t.true(calls.every(([at]) => at <= closedAt), `stringify calls after close() resolved: ${calls.filter(([at]) => at > closedAt).length}`);
  t.true(calls.every(([, thread]) => thread !== threadId), 'stringify never ran on the main thread');

  const rejected = outcomes.filter(o => o.status === 'rejected');
  t.is(outcomes.filter(o => o.status === 'timeout').length, 0, 'every set settled');
  t.true(rejected.length > 0, 'some sets were still pending at close()');
  for (const o of rejected) {
    const error = (o as { error: unknown }).error;
    t.true(error instanceof StoreClosedError, String(error));
    t.is((error as StoreClosedError).code, 'ERR_EXPREDIS_STORE_CLOSED');
  }
  t.log(`${outcomes.length - rejected.length} sets completed before close(), ${rejected.length} failed with StoreClosedError; ${calls.length} stringify calls`);
});

test('a get still decoding in the pool at close() fails with StoreClosedError, not a null that would log the user out', async t => {
  const store = await openHostileStore(t, servers);
  await store.set('stuck', asSession({ cookie: realCookie(), hostileParse: 'spin' }));
  const get = settleWithin(store.get('stuck'), 10_000);
  await sleep(100); // the parse is running
  await store.close();
  const outcome = await get;
  t.is(outcome.status, 'rejected');
  t.true((outcome as { error: unknown }).error instanceof StoreClosedError, String((outcome as { error: unknown }).error));
});
