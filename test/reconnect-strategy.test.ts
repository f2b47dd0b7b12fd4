// A user's reconnectStrategy follows node-redis's rules (a number is the delay, false stops, an
// Error stops), and one that throws or returns an Error stops reconnecting that member, is
// reported on `error`, and never takes the process down.
import test from 'ava';
import { ExpredisError, RedisStore } from '../src/index.js';
import { ownServers } from './helpers/fault-kit.js';
import { eventually, sessionWith, uniquePrefix } from './helpers/store.js';

const cases = [
  ['throws', () => { throw new Error('strategy exploded'); }],
  ['returns an Error', () => new Error('no more retries')],
  ['returns something that is not a delay', () => 'soon' as unknown as number],
] as const;

for (const [what, strategy] of cases) {
  test(`a reconnectStrategy that ${what} stops reconnecting that member, is reported, and the other member serves on`, async t => {
    const [steady, flaky] = await ownServers(t, 2);
    const calls: number[] = [];
    const errors: Error[] = [];
    const crashes: unknown[] = [];
    const onCrash = (error: unknown) => crashes.push(error);
    process.on('uncaughtException', onCrash);
    t.teardown(() => void process.off('uncaughtException', onCrash));
    const store = new RedisStore({
      clients: [
        { port: steady!.port },
        {
          socket: {
            port: flaky!.port,
            host: '127.0.0.1',
            reconnectStrategy: (retries: number) => {
              calls.push(retries);
              return (strategy as () => number)();
            },
          },
        },
      ],
      prefix: uniquePrefix(t),
      commandTimeout: 500,
    });
    store.on('error', (error: Error) => errors.push(error));
    t.teardown(() => store.close());
    await store.ready({ timeout: 5000 });
    await eventually(() => store.stats().members.every(m => m.healthy));

    await flaky!.killAndWait();
    await eventually(() => errors.some(e => e instanceof ExpredisError && e.code === 'ERR_EXPREDIS'), 5000, 'the give-up reported');
    const reported = errors.find(e => e instanceof ExpredisError && e.code === 'ERR_EXPREDIS')!;
    t.truthy((reported as ExpredisError).client, 'the error carries the member client');
    t.regex(reported.message, /reconnectStrategy/);
    t.is(calls.length, 1, 'asked once, then never again');

    await flaky!.restart();
    await store.set('sid', sessionWith({ n: 1 }) as never);
    t.like(await store.get('sid'), { n: 1 });
    await new Promise(resolve => setTimeout(resolve, 400));
    t.is(calls.length, 1, 'no reconnect after it gave up');
    t.false(store.stats().members[1]!.healthy);
    t.deepEqual(crashes, []);
  });
}
