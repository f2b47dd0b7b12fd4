// Hardening defect 4: no fixed command-queue limit fails a healthy member. A burst of 10,000
// concurrent operations (set, get, touch, destroy on distinct and shared ids) on two healthy
// members all succeed.
import test from 'ava';
import { asSession, open, promised } from './helpers/foundation-util.js';
import { fileServers } from './helpers/file-servers.js';
import { sessionWith } from './helpers/store.js';

const servers = fileServers(2);

test('10,000 concurrent set, get, touch and destroy calls on two healthy members all succeed', async t => {
  t.timeout(30_000);
  // commandTimeout is generous: this checks that nothing refuses the burst, not its latency.
  const store = await open(t, servers, { commandTimeout: 10_000, writeQuorum: 'all' });
  const errors: unknown[] = [];
  store.on('error', (error: unknown) => errors.push(error));
  const shared = Array.from({ length: 20 }, (_, i) => `shared-${i}`);
  const calls: Promise<unknown>[] = [];
  for (let i = 0; i < 10_000; i++) {
    const sid = i % 2 === 0 ? shared[i % shared.length]! : `own-${i % 2500}`;
    const session = asSession(sessionWith({ i }));
    switch (i % 4) {
      case 0:
        calls.push(promised(store.set(sid, session)));
        break;
      case 1:
        calls.push(promised(store.get(sid)));
        break;
      case 2:
        calls.push(promised(store.touch(sid, session)));
        break;
      default:
        calls.push(promised(store.destroy(sid)));
    }
  }
  const settled = await Promise.allSettled(calls);
  const failed = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
  t.is(failed.length, 0, `first failure: ${String(failed[0]?.reason)}`);
  t.deepEqual(errors, []);
  for (const member of store.stats().members) t.is(member.failures, 0, `${member.label} failed no command`);
});
