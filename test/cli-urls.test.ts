// The CLI's pure parts: member URLs → clients entries (bad ones fail with one line and never show
// the password), REDIS_URLS splitting, argument errors, a cluster's uncovered slot ranges, and
// the rate limit's pace.
import test from 'ava';
import { parse } from '../src/cli/args.js';
import { CliError } from '../src/cli/fail.js';
import { RateLimit } from '../src/cli/rate.js';
import { uncoveredSlots } from '../src/cli/status.js';
import { parseMemberUrl, splitUrlList } from '../src/cli/urls.js';

test('redis:// and rediss:// URLs are standalone members, passed to node-redis as they are', t => {
  t.deepEqual(parseMemberUrl('redis://127.0.0.1:6380'), { entry: { url: 'redis://127.0.0.1:6380' }, endpoints: ['127.0.0.1:6380'], database: 0 });
  t.deepEqual(parseMemberUrl('rediss://user:p%40ss@Cache.example:6390/3'), {
    entry: { url: 'rediss://user:p%40ss@Cache.example:6390/3' },
    endpoints: ['cache.example:6390'],
    database: 3,
  });
  t.deepEqual(parseMemberUrl('redis://localhost').endpoints, ['127.0.0.1:6379']);
});

test('redis+cluster:// names the seed nodes; its credentials go to every node', t => {
  t.deepEqual(parseMemberUrl('redis+cluster://app:s%2Fecret@10.0.0.1:7000,10.0.0.2:7001').entry, {
    cluster: {
      rootNodes: [{ url: 'redis://10.0.0.1:7000' }, { url: 'redis://10.0.0.2:7001' }],
      defaults: { username: 'app', password: 's/ecret' },
    },
  });
  t.deepEqual(parseMemberUrl('redis+cluster://10.0.0.1:7000').entry, { cluster: { rootNodes: [{ url: 'redis://10.0.0.1:7000' }] } });
  t.deepEqual(parseMemberUrl('redis+cluster://:pw@h:7000').entry, { cluster: { rootNodes: [{ url: 'redis://h:7000' }], defaults: { password: 'pw' } } });
});

test('redis+sentinel:// names the sentinels and the master; credentials go to the data nodes', t => {
  t.deepEqual(parseMemberUrl('redis+sentinel://app:pw@10.0.0.1:26379,10.0.0.2/sessions').entry, {
    sentinel: {
      name: 'sessions',
      sentinelRootNodes: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26379 },
      ],
      nodeClientOptions: { username: 'app', password: 'pw' },
    },
  });
});

for (const [url, why] of [
  ['http://user:hunter2@h:1', /unknown scheme http:\/\//],
  ['127.0.0.1:6379', /not a URL/],
  ['redis://user:hunter2@h:99999', /does not parse as a URL/],
  ['redis://user:hunter2@h:6379/x', /not a database number/],
  ['redis://user:hunter2@h:6379/?q=1', /query or fragment/],
  ['redis+cluster://user:hunter2@h:7000,h2:port', /"h2:port" is not host:port/],
  ['redis+cluster://user:hunter2@h:7000/0', /no path/],
  ['redis+cluster://user:hunter2@', /names no host/],
  ['redis+sentinel://user:hunter2@h:26379', /names no master/],
  ['redis+sentinel://user:hunter2@h:70000/m', /port 70000 is not 1–65535/],
  ['redis+sentinel://user:hunter%ZZ@h:1/m', /percent-encoding/],
] as const) {
  test(`${url.replace(/hunter2/, '…')} fails with one line naming the problem, the password masked`, t => {
    const error = t.throws(() => parseMemberUrl(url), { instanceOf: CliError });
    t.regex(error!.message, why);
    t.false(error!.message.includes('hunter'), error!.message);
    t.false(error!.message.includes('\n'));
    t.is(error!.exitCode, 2);
  });
}

test('REDIS_URLS splits on spaces, ";" and ",", and a "," before a bare host continues a cluster URL', t => {
  t.deepEqual(splitUrlList('redis://a:1,redis://b:2'), ['redis://a:1', 'redis://b:2']);
  t.deepEqual(splitUrlList(' redis://a:1  redis://b:2;redis://c:3\n'), ['redis://a:1', 'redis://b:2', 'redis://c:3']);
  t.deepEqual(splitUrlList('redis+cluster://a:1,b:2, c:3,redis://d:4'), ['redis+cluster://a:1,b:2,c:3', 'redis://d:4']);
  t.deepEqual(splitUrlList('redis+sentinel://a:1,b:2/m redis://d:4'), ['redis+sentinel://a:1,b:2/m', 'redis://d:4']);
});

test('argument errors are CliErrors of one line with exit code 2, values masked', t => {
  const cases: [string[], RegExp][] = [
    [['frob'], /^unknown command "frob"/],
    [['status', '--frob'], /^unknown option --frob/],
    [['status', '--member'], /^option --member needs a value/],
    [['status', '--json=1'], /^option --json takes no value/],
    [['status', '--to', 'redis://h'], /^--to is not an option of status/],
    [['diff', 'redis://u:hunter2@h'], /^diff takes no argument "redis:\/\/\*\*\*@h"/],
    [['sync', '--rate', '0'], /^--rate must be a number of keys per second > 0/],
    [['diff', '--sample', '-1'], /needs a value|must be an integer/],
    [[], /^no command/],
  ];
  for (const [argv, message] of cases) {
    const error = t.throws(() => parse(argv), { instanceOf: CliError }, argv.join(' '));
    t.regex(error!.message, message, argv.join(' '));
    t.false(error!.message.includes('hunter2'));
    t.is(error!.exitCode, 2);
  }
  t.is(parse(['sync', '--to', 'redis://h', '--member', 'redis://a', '--member', 'redis://b', '--rate', '50']).rate, 50);
  t.deepEqual(parse(['diff', '--member', 'redis://a', '--member', 'redis://b']).members, ['redis://a', 'redis://b']);
  t.is(parse(['help', 'sync']).help, true);
});

test('uncoveredSlots lists the ranges no CLUSTER SLOTS entry serves', t => {
  t.deepEqual(uncoveredSlots([[0, 5460], [5461, 10922], [10923, 16383]]), []);
  t.deepEqual(uncoveredSlots([[10923, 16383], [0, 5460]]), [[5461, 10922]]);
  t.deepEqual(uncoveredSlots([[1, 100]]), [[0, 0], [101, 16383]]);
  t.deepEqual(uncoveredSlots([]), [[0, 16383]]);
});

test('the rate limit lets a tenth of a second go at once, then paces the rest', async t => {
  const limit = new RateLimit(100);
  const started = performance.now();
  let immediate = 0;
  const waits: Promise<void>[] = [];
  for (let i = 0; i < 30; i++) {
    const wait = limit.take();
    if (wait) waits.push(wait);
    else immediate++;
  }
  t.is(immediate, 10);
  await Promise.all(waits);
  t.true(performance.now() - started >= 190, `30 keys at 100/s, 10 at once: took ${performance.now() - started} ms`);
  t.is(new RateLimit(Infinity).take(), undefined);
});

test('a stop ends every rate-limited wait at once', async t => {
  const stop = new AbortController();
  const limit = new RateLimit(1, stop.signal);
  limit.take();
  const wait = limit.take()!;
  t.truthy(wait);
  const started = performance.now();
  stop.abort();
  await wait;
  t.true(performance.now() - started < 500);
  t.is(limit.take(), undefined);
});
